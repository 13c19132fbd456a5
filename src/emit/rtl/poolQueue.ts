// The parameters of the static pooled-pixel queue (templates/rtl/imcc_pool_queue.v.hbs) of a neuron core one of whose
// pools has windows that may end together (padding >= stride): the queue pools from a line buffer of the core's pixels
// (or of the pool stages' before it) and sends the pooled pixels one per timestep in column-major order, as the core's
// pixels (applying what follows the pool) or to the stages of the pools after it (docs/rtl.md "Pools whose windows end
// together").
import type { CoreRtlPlan } from './plan.js';
import { unsignedBits } from './literals.js';
import { coordinateBits, firstPoolInputBits, laterInput, laterPoolStages, membraneParameters, pixelChannels, poolChainParameters, pooledValueBits, queueSendsPooled, type PoolStageParameters } from './poolChain.js';

/** The queue's parameters in the module's declaration order (non-negative integers; flags are 0 or 1). */
export interface PoolQueueParameters {
  COLS: number;
  CH_BITS: number;
  CW: number;
  ACC_BITS: number;
  KIND: number;
  IN_H: number;
  IN_W: number;
  POOL_H: number;
  POOL_W: number;
  STRIDE: number;
  PAD_TOP: number;
  PAD_LEFT: number;
  POOLED_H: number;
  POOLED_W: number;
  IN_BITS: number;
  BITS: number;
  SLOT_BITS: number;
  LINE_INDEX_BITS: number;
  SLOTS: number;
  RING_BITS: number;
  OUT_BITS: number;
  OUT_UNSIGNED: number;
  ADD_IN: number;
  RELU_IN: number;
  THRESHOLD_IN: number;
  LEVEL_IN_NEGATIVE: number;
  LEVEL_IN_MAGNITUDE: number;
  AFTER: number;
  OUT_H: number;
  RELU_AFTER_POOL: number;
  RES_ADD: number;
  SEND_SHORTCUT: number;
  ACT_BITS: number;
  ADD_PIXEL_BITS: number;
  THRESHOLD: number;
  LEVEL_NEGATIVE: number;
  LEVEL_MAGNITUDE: number;
  V_BITS: number;
  IF_ENTRIES: number;
  IF_INDEX_BITS: number;
  IF_THRESHOLD: number;
  IF_LEAK: number;
  IF_RESET_SUBTRACT: number;
  BLOCK_WALK: number;
  POOLED_IN: number;
}

/** Whether one of the core's pools (its first, or a later one after a chain of stages) queues its pooled pixels. */
export function usesPoolQueue(p: CoreRtlPlan): boolean {
  return p.neuron?.pool?.queue !== undefined || (p.neuron?.laterPools.some((l) => l.pool.queue !== undefined) ?? false);
}

/** A queue of a core, and the stages of the pools after it up to the next queue (or the core's last pool). */
export interface PoolQueue {
  parameters: PoolQueueParameters;
  stages: PoolStageParameters[];
}

/**
 * The core's queued pools, first to last: the first pools the neuron core's pixels or the last stage's of the chain
 * before it; each later one the pixels the queue before it sends, through the stages between them. The last queue
 * sends the core's pixels (after the stages of the pools after it) and applies what follows the last pool.
 */
export function poolQueues(p: CoreRtlPlan): PoolQueue[] {
  const n = p.neuron;
  if (!n || !usesPoolQueue(p)) throw new Error(`RTL: core ${p.core.id} has no pooled-pixel queue`);
  // Where the queued pools are: -1 the core's first pool, else the index of a later pool.
  const queuedAt = [...(n.pool?.queue ? [-1] : []), ...n.laterPools.flatMap((l, i) => (l.pool.queue ? [i] : []))];
  // A method-2 core pools by position and its queue only sends the pooled pixels (POOLED_IN): the neuron core's
  // activations (its one pool, and what follows it, applied), or the last stage's pooled values (a chain: the queue
  // applies what follows the last pool).
  const pooledIn = queueSendsPooled(p);
  const neuronPools = pooledIn && n.pool?.byPosition === true;
  // What follows its pool is the neuron core's, unless the queue adds a residual after it (a pixel ends two windows).
  const neuronFollows = neuronPools && n.residual?.queueSlots === undefined;
  // The later pool after a residual add between two pools (its stage or queue adds the shortcut).
  const addAt = n.laterPools.findIndex((l) => l.add !== undefined);
  // A threshold after the pools (one between two of them is a stage's or a queue's input compare).
  const threshold = n.threshold?.afterPool && !n.threshold.betweenPools && !neuronFollows ? n.threshold : undefined;
  const membrane = threshold?.integrateAndFire;
  const anyMembrane = n.threshold?.integrateAndFire;
  if (anyMembrane && (n.threshold!.level < 0 || anyMembrane.leak < 0)) throw new Error(`RTL: core ${p.core.id}: a negative membrane threshold or leak`);
  const level = threshold && !membrane ? threshold.level : 0;
  // The first queue's input: the neuron core's values, or the pooled values of the chain's last stage (a stage's
  // pooled values have its input's bits).
  const chain = queuedAt[0] >= 0 ? poolChainParameters(p) : [];
  let inBits = chain.length > 0 ? chain[chain.length - 1].IN_BITS : firstPoolInputBits(p);
  return queuedAt.map((at, k) => {
    const later = at < 0 ? undefined : n.laterPools[at];
    // What is fused before the queued pool is its stage's when the queue only sends.
    const fusedBefore = pooledIn ? undefined : later;
    const pool = later?.pool ?? n.pool!;
    const slots = pool.queue!.slots;
    const ringBits = unsignedBits(slots - 1);
    if (2 ** ringBits !== slots) throw new Error(`RTL: a pool queue of ${slots} slots is not a power of two`);
    if (later && later.strideY !== later.strideX) throw new Error(`RTL: core ${p.core.id}: a queued pool with two strides`);
    // A threshold between the pool before and the queued pool: the queue compares its input (or integrates it in the
    // core's membrane), 0/1 from then on.
    const levelIn = fusedBefore?.threshold;
    const membraneIn = fusedBefore?.integrateAndFire ? n.threshold?.integrateAndFire : undefined;
    if (fusedBefore?.integrateAndFire && !membraneIn) throw new Error(`RTL: core ${p.core.id}: an integrate-and-fire queue input without a membrane`);
    // A residual add between the pool before and the queued pool: the queue adds the shortcut at its input.
    const input = fusedBefore ? laterInput(p, fusedBefore, inBits) : { inBits, add: 0 };
    const queueInBits = input.inBits;
    const last = k === queuedAt.length - 1;
    const stages = laterPoolStages(p, n.laterPools.slice(at + 1, last ? undefined : queuedAt[k + 1]), queueInBits);
    // The next queue reads the last stage's pooled values (its input's bits), or this queue's.
    inBits = stages.length > 0 ? stages[stages.length - 1].IN_BITS : queueInBits;
    // A residual add after the core's pools is the last queue's (src/emit/rtl/plan.ts); one before a later pool reads
    // its shortcut in the last queue before it, with the pixel that queue sends (the pool after the add adds it).
    const adds = last && n.residual?.queueSlots !== undefined && !n.residual.betweenPools;
    const sends = n.residual?.queueSlots !== undefined && n.residual.betweenPools === true && at < addAt && (queuedAt[k + 1] ?? addAt) >= addAt;
    const inHeight = later?.inHeight ?? n.convHeight;
    const inWidth = later?.inWidth ?? n.convWidth;
    // The stream's channel field is the core's column index; a replicated core streams each replica's pixel with the
    // layer's channels (as into its stages).
    const channels = pixelChannels(p);
    const parameters: PoolQueueParameters = {
      COLS: channels,
      CH_BITS: unsignedBits(p.cols - 1),
      CW: coordinateBits(p),
      ACC_BITS: n.accBits,
      KIND: pool.kind === 'max' ? 1 : 2,
      IN_H: inHeight,
      IN_W: inWidth,
      POOL_H: pool.height,
      POOL_W: pool.width,
      STRIDE: pool.stride,
      PAD_TOP: pool.padding.top,
      PAD_LEFT: pool.padding.left,
      POOLED_H: pool.pooledHeight,
      POOLED_W: pool.pooledWidth,
      IN_BITS: queueInBits,
      BITS: pooledValueBits(pool.kind, queueInBits, pool.height * pool.width),
      SLOT_BITS: unsignedBits(Math.max(1, pool.width - 1)),
      LINE_INDEX_BITS: unsignedBits(pool.width * inHeight * channels - 1),
      SLOTS: slots,
      RING_BITS: ringBits,
      OUT_BITS: n.outActivationBits,
      // A threshold anywhere in the core makes every value after it 0/1, pooled ones too.
      OUT_UNSIGNED: n.threshold ? 1 : 0,
      ADD_IN: input.add,
      RELU_IN: fusedBefore?.relu ? 1 : 0,
      THRESHOLD_IN: membraneIn ? 2 : levelIn !== undefined ? 1 : 0,
      LEVEL_IN_NEGATIVE: !membraneIn && levelIn !== undefined && levelIn < 0 ? 1 : 0,
      LEVEL_IN_MAGNITUDE: membraneIn ? 0 : Math.abs(levelIn ?? 0),
      AFTER: at + 1 < n.laterPools.length ? 1 : 0,
      OUT_H: n.outHeight,
      // What follows the last pool is the last queue's.
      RELU_AFTER_POOL: last && n.reluAfterPool && !neuronFollows ? 1 : 0,
      RES_ADD: !adds ? 0 : n.residual!.afterPool === 'relu' ? 2 : 1,
      SEND_SHORTCUT: sends ? 1 : 0,
      ACT_BITS: n.saturationBits,
      // The pixel read: of the last pool's plane, or the one the queue sends.
      ADD_PIXEL_BITS: unsignedBits((sends ? pool.pooledHeight * pool.pooledWidth : n.outHeight * n.outWidth) - 1),
      THRESHOLD: !last || !threshold ? 0 : membrane ? 2 : 1,
      LEVEL_NEGATIVE: last && level < 0 ? 1 : 0,
      LEVEL_MAGNITUDE: last ? Math.abs(level) : 0,
      ...membraneParameters(membraneIn ?? (last ? membrane : undefined), n.threshold?.level ?? 0),
      // The first queue of a replicated core sees a block's pixels in one run of the neuron core: it walks the
      // windows they end once the block is done (a later queue reads one pixel a timestep).
      BLOCK_WALK: k === 0 && p.replicas > 1 && !pooledIn ? 1 : 0,
      POOLED_IN: pooledIn ? 1 : 0,
    };
    return { parameters, stages };
  });
}
