// The chain of pools of a neuron core whose pools the static neuron core does not hold itself (a stride other than
// the size, or several pools): one static stage each (templates/rtl/imcc_pool.v.hbs), chained by the core's wrapper
// between the neuron core's pixel stream and its pooled input, or after a queue of pooled pixels
// (src/emit/rtl/poolQueue.ts) between the pixels it sends and its pooled input. The first stage pools the core's own
// pixels (or the queue's); each later one the pixels the stage before it emits, with the residual add, ReLU and
// threshold (or integrate-and-fire neuron) fused between the two pools applied to its input.
import type { CoreRtlPlan, IfMembranePlan, LaterPoolPlan, PoolGeometry } from './plan.js';
import { unsignedBits } from './literals.js';
import { windowCount } from '../../ir/padding.js';

/** One stage's parameters in the module's declaration order (non-negative integers; flags are 0 or 1). */
export interface PoolStageParameters {
  COLS: number;
  CH_BITS: number;
  CW: number;
  ACC_BITS: number;
  KIND: number;
  IN_H: number;
  IN_W: number;
  POOL_H: number;
  POOL_W: number;
  STRIDE_Y: number;
  STRIDE_X: number;
  PAD_TOP: number;
  PAD_LEFT: number;
  POOLED_H: number;
  POOLED_W: number;
  IN_BITS: number;
  BITS: number;
  INDEX_BITS: number;
  SLOT_BITS: number;
  LINE_INDEX_BITS: number;
  ADD_IN: number;
  ACT_BITS: number;
  RELU_IN: number;
  THRESHOLD_IN: number;
  LEVEL_NEGATIVE: number;
  LEVEL_MAGNITUDE: number;
  V_BITS: number;
  IF_ENTRIES: number;
  IF_INDEX_BITS: number;
  IF_THRESHOLD: number;
  IF_LEAK: number;
  IF_RESET_SUBTRACT: number;
  BY_POSITION: number;
  POOL_COLUMNS: number;
}

/**
 * Whether the neuron core's pools are a chain of stages: a first pool whose stride is not its size (and whose windows
 * do not end together), or more pools (a last one whose windows end together is the queue after the stages).
 */
export function usesPoolChain(p: CoreRtlPlan): boolean {
  const n = p.neuron;
  // A pool whose windows end together has a queue of its own (src/emit/rtl/poolQueue.ts).
  if (!n?.pool || n.pool.queue || n.pool.byPosition) return false;
  return n.pool.stride !== n.pool.height || n.laterPools.length > 0;
}

/**
 * Whether the core's queue only sends pooled pixels that its pools computed by position (a method-2 core,
 * src/mapping/replicatedPool.ts): its one pool in the neuron core (which applies what follows it), or its chain in
 * stages, all of them (the queue reads the last stage's and applies what follows the last pool).
 */
export function queueSendsPooled(p: CoreRtlPlan): boolean {
  return p.replicas > 1 && p.block.cols > 1;
}

/** Channels of one emitted pixel (one shortcut FIFO entry): the layer's for a replicated core, else the core's columns. */
export function pixelChannels(p: CoreRtlPlan): number {
  return p.replicas > 1 ? p.outChannels : p.cols;
}

/** The bits of a neuron core's coordinates (the conv plane's, and every pooled plane's). */
export function coordinateBits(p: CoreRtlPlan): number {
  const n = p.neuron!;
  return unsignedBits(Math.max(n.convHeight, n.convWidth)) + 1;
}

/** Signed bits of the values a pool reads: 0/1 after a threshold before it, else the activation width. */
export function firstPoolInputBits(p: CoreRtlPlan): number {
  const n = p.neuron!;
  return n.threshold && !n.threshold.afterPool ? 2 : n.saturationBits;
}

/** Signed bits of a pool's values: its input's for a maximum, the sum of `count` of them (and a sign) for an average. */
export function pooledValueBits(kind: 'max' | 'avg', inBits: number, count: number): number {
  return kind === 'max' ? inBits : inBits + unsignedBits(count) + 1;
}

/** The integrate-and-fire membrane parameters of a pool stage or queue (placeholders that fit when it has none). */
export function membraneParameters(membrane: IfMembranePlan | undefined, level: number) {
  return {
    V_BITS: membrane?.potentialBits ?? 2,
    IF_ENTRIES: membrane?.entries ?? 1,
    IF_INDEX_BITS: unsignedBits((membrane?.entries ?? 1) - 1),
    IF_THRESHOLD: membrane ? level : 1,
    IF_LEAK: membrane?.leak ?? 0,
    IF_RESET_SUBTRACT: membrane?.reset === 'subtract' ? 1 : 0,
  };
}

interface StageShape {
  pool: PoolGeometry;
  inHeight: number;
  inWidth: number;
  strideY: number;
  strideX: number;
  inBits: number;
  /** 0 none, 1 the residual add of the input, 2 of its ReLU. */
  add: number;
  relu: boolean;
  /** 0 none, 1 a threshold's compare, 2 an integrate-and-fire neuron. */
  threshold: number;
}

/** The stages of a core's chain of pools before its queued pool (all of them without one), first to last. */
export function poolChainParameters(p: CoreRtlPlan): PoolStageParameters[] {
  const n = p.neuron;
  if (!n?.pool || !usesPoolChain(p)) throw new Error(`RTL: core ${p.core.id} has no chain of pools`);
  const first = n.pool;
  // (A method-2 core's queue only sends the last stage's pixels: every pool is a stage.)
  const queuedAt = queueSendsPooled(p) ? -1 : n.laterPools.findIndex((l) => l.pool.queue !== undefined);
  const shape: StageShape = { pool: first, inHeight: n.convHeight, inWidth: n.convWidth, strideY: first.stride, strideX: first.stride, inBits: firstPoolInputBits(p), add: 0, relu: false, threshold: 0 };
  return stageParameters(p, laterShapes(p, shape, queuedAt < 0 ? n.laterPools : n.laterPools.slice(0, queuedAt)));
}

/**
 * The stages of `pools`, later pools of a core after a queued one, first to last: the first reads the pixels the queue
 * sends, `inBits` signed bits each (a maximum or rounded average of the queue's input).
 */
export function laterPoolStages(p: CoreRtlPlan, pools: readonly LaterPoolPlan[], inBits: number): PoolStageParameters[] {
  if (pools.length === 0) return [];
  const [head, ...rest] = pools;
  return stageParameters(p, laterShapes(p, { ...head, ...laterInput(p, head, inBits) }, rest));
}

/**
 * A later pool's input (a stage's or a queue's): its bits (0/1 after a threshold, the activation bits after a residual
 * add, else `pooledBits`, the pool before it's), its add (0 none, 1 of the input, 2 of its ReLU) and threshold.
 */
export function laterInput(p: CoreRtlPlan, later: LaterPoolPlan, pooledBits: number): { inBits: number; add: number; threshold: number } {
  const threshold = stageThreshold(later);
  const inBits = threshold !== 0 ? 2 : later.add !== undefined ? p.neuron!.saturationBits : pooledBits;
  return { inBits, add: stageAdd(later), threshold };
}

/** 0 none, 1 the residual add of a later pool's input, 2 of its ReLU. */
function stageAdd(later: LaterPoolPlan): number {
  return later.add === undefined ? 0 : later.add === 'relu' ? 2 : 1;
}

/** 0 none, 1 a threshold's compare, 2 an integrate-and-fire neuron before a later pool. */
function stageThreshold(later: LaterPoolPlan): number {
  return later.threshold === undefined ? 0 : later.integrateAndFire ? 2 : 1;
}

/** A stage's shape and those of the later pools after it. */
function laterShapes(p: CoreRtlPlan, first: StageShape, later: readonly LaterPoolPlan[]): StageShape[] {
  const shapes = [first];
  for (const l of later) {
    // A stage's pooled values have its input's bits (a maximum, or a rounded average, of them); a residual add
    // saturates to the layer's activation bits.
    shapes.push({ ...l, ...laterInput(p, l, shapes[shapes.length - 1].inBits) });
  }
  return shapes;
}

function stageParameters(p: CoreRtlPlan, shapes: readonly StageShape[]): PoolStageParameters[] {
  const n = p.neuron!;
  const cw = coordinateBits(p);
  // The stream's channel field is the core's column index; a replicated core sends each replica's pixel with the
  // layer's channels, so a stage sees a pixel of `channels` values.
  const chBits = unsignedBits(p.cols - 1);
  const channels = pixelChannels(p);
  const level = n.threshold?.level ?? 0;
  const membrane = n.threshold?.integrateAndFire;
  return shapes.map((s, stage) => {
    const { pool } = s;
    // A method-2 core's stages pool by position: running values of `columns` window columns.
    const columns = n.stageColumns?.[stage] ?? 1;
    const count = pool.height * pool.width;
    const bits = pooledValueBits(pool.kind, s.inBits, count);
    if (bits + 1 > n.accBits) throw new Error(`RTL: core ${p.core.id}: a pool needs ${bits} bits, the datapath has ${n.accBits}`);
    const pooledH = windowCount(s.inHeight, pool.padding.top, pool.padding.bottom, pool.height, s.strideY);
    const pooledW = windowCount(s.inWidth, pool.padding.left, pool.padding.right, pool.width, s.strideX);
    // The window axes count window origins up to (windows + 1) * stride + size in two bits more than a coordinate.
    const reach = Math.max((pooledH + 1) * s.strideY + pool.height, (pooledW + 1) * s.strideX + pool.width);
    if (unsignedBits(reach) > cw + 2) throw new Error(`RTL: core ${p.core.id}: pool windows reach past ${cw + 2}-bit positions`);
    const ifMembrane = s.threshold === 2 ? membrane : undefined;
    if (s.threshold === 2 && !ifMembrane) throw new Error(`RTL: core ${p.core.id}: an integrate-and-fire stage without a membrane`);
    if (s.threshold !== 0 && level < 0 && s.threshold === 2) throw new Error(`RTL: core ${p.core.id}: a negative membrane threshold`);
    return {
      COLS: channels,
      CH_BITS: chBits,
      CW: cw,
      ACC_BITS: n.accBits,
      KIND: pool.kind === 'max' ? 1 : 2,
      IN_H: s.inHeight,
      IN_W: s.inWidth,
      POOL_H: pool.height,
      POOL_W: pool.width,
      STRIDE_Y: s.strideY,
      STRIDE_X: s.strideX,
      PAD_TOP: pool.padding.top,
      PAD_LEFT: pool.padding.left,
      POOLED_H: pooledH,
      POOLED_W: pooledW,
      IN_BITS: s.inBits,
      BITS: bits,
      INDEX_BITS: unsignedBits(columns * pooledH * channels - 1),
      SLOT_BITS: unsignedBits(Math.max(1, pool.width - 1)),
      LINE_INDEX_BITS: unsignedBits(pool.width * s.inHeight * channels - 1),
      ADD_IN: s.add,
      // The module's default (2) where nothing is added: such stages stay one parameter set across layers.
      ACT_BITS: s.add !== 0 ? n.saturationBits : 2,
      RELU_IN: s.relu ? 1 : 0,
      THRESHOLD_IN: s.threshold,
      LEVEL_NEGATIVE: s.threshold === 1 && level < 0 ? 1 : 0,
      LEVEL_MAGNITUDE: s.threshold === 1 ? Math.abs(level) : 0,
      ...membraneParameters(ifMembrane, level),
      BY_POSITION: n.stageColumns ? 1 : 0,
      POOL_COLUMNS: columns,
    };
  });
}
