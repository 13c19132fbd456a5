// Parameters of the static neuron core (templates/rtl/imcc_neuron.v.hbs). The module's text is the same for every
// core: each core's wrapper only sets these, holds the core's ROMs (batch norm, the shortcut's reorder table) and
// chains the pools the module does not hold itself: a chain of static stages (src/emit/rtl/poolChain.ts) or a
// pooled-pixel queue (src/emit/rtl/poolQueue.ts).
import type { CoreRtlPlan } from './plan.js';
import { unsignedBits } from './literals.js';
import { controllerParameters } from './controllerParameters.js';
import { coordinateBits, firstPoolInputBits, pixelChannels, pooledValueBits, usesPoolChain } from './poolChain.js';
import { usesPoolQueue } from './poolQueue.js';
import { latticePoolColumns } from '../../mapping/replicatedPool.js';

/** The neuron core's parameters in declaration order (integers; flags are 0 or 1). */
export interface NeuronParameters {
  COLS: number;
  CH_BITS: number;
  ADC_BITS: number;
  ADC_SHIFT: number;
  PARTS: number;
  SUM_BITS: number;
  ACC_BITS: number;
  ACT_BITS: number;
  OUT_BITS: number;
  OUT_WIDTH: number;
  CW: number;
  HAS_BN: number;
  BN_SCALE_BITS: number;
  BN_BIAS_BITS: number;
  REQUANT_SHIFT: number;
  RELU_BEFORE_ADD: number;
  RELU: number;
  THRESHOLD: number;
  THRESHOLD_AFTER_POOL: number;
  LEVEL_NEGATIVE: number;
  LEVEL_MAGNITUDE: number;
  SHORTCUT: number;
  POOL: number;
  POOL_H: number;
  POOL_W: number;
  POOL_PAD_TOP: number;
  POOL_PAD_LEFT: number;
  POOLED_H: number;
  POOLED_W: number;
  POOL_BITS: number;
  POOL_INDEX_BITS: number;
  RELU_AFTER_POOL: number;
  POOL_CHAIN: number;
  POOL_BY_POSITION: number;
  POOL_COLUMNS: number;
  POOL_STRIDE_H: number;
  POOL_STRIDE_W: number;
  EMIT_BITS: number;
  OUT_INDEX_BITS: number;
  OUT_H: number;
  OUT_W: number;
  BLOCK_H: number;
  BLOCK_W: number;
  REPLICATED: number;
  CHANNELS: number;
  OC_BITS: number;
  REP_Y_FIRST: number;
  REP_X_FIRST: number;
  OC_FIRST: number;
  EDGE_BLOCKS: number;
  LATTICE: number;
  ORIGIN_BITS: number;
  LAST_REPLICA_PARTIAL: number;
  HAS_RES: number;
  RES_DEPTH: number;
  RES_PTR_BITS: number;
  RES_IN: number;
  RES_NEED: number;
  RES_PIXELS: number;
  RES_PIX_BITS: number;
  RES_TABLE: number;
  V_BITS: number;
  IF_ENTRIES: number;
  IF_PLANE_H: number;
  IF_INDEX_BITS: number;
  IF_THRESHOLD: number;
  IF_LEAK: number;
  IF_RESET_SUBTRACT: number;
}

/** Where the threshold sits (the module's THRESHOLD_AFTER_POOL): 0 before the pool, 1 after the last, 2 between two. */
function thresholdPlace(threshold: NonNullable<CoreRtlPlan['neuron']>['threshold']): number {
  if (!threshold?.afterPool) return 0;
  return threshold.betweenPools ? 2 : 1;
}

/** A Verilog integer parameter (32-bit signed; Yosys's chparam takes non-negative values only). */
function parameterValue(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new Error(`RTL: neuron parameter ${what} = ${value} is not a non-negative 32-bit integer`);
  return value;
}

type PoolPlan = NonNullable<NonNullable<CoreRtlPlan['neuron']>['pool']>;

/** Where windows start (every `down` rows and `across` columns): a global pool's one window steps by its size. */
function windowSteps(pool: PoolPlan): { down: number; across: number } {
  return {
    down: pool.pooledHeight === 1 ? Math.max(pool.stride, pool.height) : pool.stride,
    across: pool.pooledWidth === 1 ? Math.max(pool.stride, pool.width) : pool.stride,
  };
}

/**
 * The window columns a core that pools by position keeps running values of (method-2 or edge blocks, column parts:
 * src/mapping/replicatedPool.ts): the most one strip of blocks touches, since a window a strip shares with the strip
 * before is among its own, and a window column's slot is its index modulo them (a power of two: the low bits); for
 * ragged blocks, as many as keep the windows open at once apart. Its coordinates must hold a window's padded position.
 */
function blockPoolColumns(p: CoreRtlPlan, pool: PoolPlan, step: number): number {
  const n = p.neuron!;
  const reach = Math.max(n.convHeight + pool.padding.top, n.convWidth + pool.padding.left, pool.height, pool.width);
  if (reach >= 2 ** coordinateBits(p)) throw new Error(`RTL: core ${p.core.id}: a pool's padded position does not fit ${coordinateBits(p)} coordinate bits`);
  // Ragged blocks on their lattice touch a window column over several blocks' strips.
  if (p.block.ragged) return latticePoolColumns(n.convHeight, n.convWidth, p.block.ragged, pool);
  let most = 1;
  for (let x0 = 0; x0 < n.convWidth; x0 += p.block.cols) {
    const x1 = Math.min(n.convWidth, x0 + p.block.cols) - 1;
    // Windows start every `step` padded columns: those holding a column of the strip.
    const first = Math.max(0, Math.ceil((x0 + pool.padding.left - pool.width + 1) / step));
    const last = Math.min(Math.floor((x1 + pool.padding.left) / step), pool.pooledWidth - 1);
    most = Math.max(most, last - first + 1);
  }
  let slots = 1;
  while (slots < most) slots *= 2;
  return slots;
}

/**
 * The neuron-core parameters of one core. A replicated core's pool is the module's own, a chain of stages in the
 * wrapper or (method 1, windows ending together or unevenly in its blocks: src/mapping/replicatedPool.ts) a
 * pooled-pixel queue; a chain of pools or a queue follows the module in the wrapper. A method-2 core whose pool's
 * windows end unevenly pools by position itself and streams the pooled activations to a queue that sends them.
 */
export function neuronParameters(p: CoreRtlPlan): NeuronParameters {
  const n = p.neuron;
  if (!n) throw new Error(`RTL: core ${p.core.id} has no neuron core`);
  const replicated = p.replicas > 1;
  const channels = pixelChannels(p);
  const chBits = unsignedBits(p.cols - 1);
  const ocBits = unsignedBits(channels - 1);
  if (!replicated && ocBits !== chBits) throw new Error(`RTL: core ${p.core.id}: an unreplicated core's channels are its columns`);
  const a = n.saturationBits;
  if (a < 2 || n.accBits <= a) throw new Error(`RTL: core ${p.core.id}: ${a}-bit activations in a ${n.accBits}-bit datapath`);
  // A pooled-pixel queue pools and applies what follows the pool (src/emit/rtl/poolQueue.ts): the module sees a
  // core without a pool.
  // (A method-2 core pools by position itself and streams its pooled activations to a queue that only sends them.)
  const sendsPooled = p.replicas > 1 && n.pool?.queue !== undefined && n.pool.byPosition === true;
  const queued = usesPoolQueue(p) && !sendsPooled;
  // A residual add after such a pool is its queue's where a pixel ends two windows (src/emit/rtl/plan.ts), and so is
  // what follows the add.
  const queueFollows = sendsPooled && n.residual?.queueSlots !== undefined;
  const threshold = (queued || queueFollows) && n.threshold?.afterPool ? undefined : n.threshold;
  const membrane = threshold?.integrateAndFire;
  if (membrane && (threshold!.level < 0 || membrane.leak < 0)) throw new Error(`RTL: core ${p.core.id}: a negative membrane threshold or leak`);
  const res = n.residual;
  const resPtrBits = unsignedBits((res?.depth ?? 2) - 1);
  const slots = res?.slots;
  const level = threshold && !membrane ? threshold.level : 0;
  // A chain of pools lives in the wrapper: the module's own pool is off (and a queue after the chain sends the pixels).
  const chain = usesPoolChain(p) && !queued;
  const pool = chain || queued ? undefined : n.pool;
  const count = pool ? pool.height * pool.width : 1;
  // A pool after the threshold sees 0/1: two signed bits (and the sum's bits for an average).
  const pooledBits = firstPoolInputBits(p);
  const poolBits = pool ? pooledValueBits(pool.kind, pooledBits, count) : 2;
  // The module pools by position in method-2 blocks, edge blocks and column parts (its g_block_pool).
  const byPosition = pool?.byPosition === true;
  const steps = byPosition ? windowSteps(pool) : { down: 1, across: 1 };
  const poolColumns = byPosition ? blockPoolColumns(p, pool, steps.across) : 1;
  // Activations sent per valid: the columns, or a replicated core's pooled pixels of a block with the layer's channels.
  const outWidth = n.pooledPixels !== undefined ? n.pooledPixels * channels : p.cols;
  const values: NeuronParameters = {
    COLS: p.cols,
    CH_BITS: chBits,
    ADC_BITS: p.adc.bits,
    ADC_SHIFT: p.adc.shift,
    // A gathering core adds the row parts' codes, each row part's column parts side by side.
    PARTS: p.gathers ? p.layer.rowParts - 1 : p.partialCores.length,
    SUM_BITS: n.sumBits,
    ACC_BITS: n.accBits,
    ACT_BITS: a,
    OUT_BITS: n.outActivationBits,
    OUT_WIDTH: outWidth,
    CW: coordinateBits(p),
    HAS_BN: n.batchNorm ? 1 : 0,
    // Absent batch norm: the (unused) ports keep two bits.
    BN_SCALE_BITS: n.batchNorm?.scaleBits ?? 2,
    BN_BIAS_BITS: n.batchNorm?.biasBits ?? 2,
    REQUANT_SHIFT: n.requantShift,
    RELU_BEFORE_ADD: n.reluBeforeAdd ? 1 : 0,
    RELU: n.reluBeforePool ? 1 : 0,
    THRESHOLD: !threshold ? 0 : membrane ? 2 : 1,
    THRESHOLD_AFTER_POOL: thresholdPlace(threshold),
    LEVEL_NEGATIVE: level < 0 ? 1 : 0,
    LEVEL_MAGNITUDE: Math.abs(level),
    // The core sends its requantized value on a shortcut link.
    SHORTCUT: n.shortcutTap ? 1 : 0,
    POOL: !pool ? 0 : pool.kind === 'max' ? 1 : 2,
    POOL_H: pool?.height ?? 1,
    POOL_W: pool?.width ?? 1,
    POOL_PAD_TOP: pool?.padding.top ?? 0,
    POOL_PAD_LEFT: pool?.padding.left ?? 0,
    POOLED_H: pool?.pooledHeight ?? 1,
    POOLED_W: pool?.pooledWidth ?? 1,
    POOL_BITS: poolBits,
    // An index into the running values of POOL_COLUMNS columns of windows (POOLED_H x CHANNELS entries each).
    POOL_INDEX_BITS: unsignedBits(poolColumns * (pool?.pooledHeight ?? 1) * channels - 1),
    RELU_AFTER_POOL: n.reluAfterPool && !queued && !queueFollows ? 1 : 0,
    POOL_CHAIN: chain ? 1 : 0,
    POOL_BY_POSITION: byPosition ? 1 : 0,
    POOL_COLUMNS: poolColumns,
    POOL_STRIDE_H: steps.down,
    POOL_STRIDE_W: steps.across,
    EMIT_BITS: unsignedBits(n.pooledPixels ?? 1),
    OUT_INDEX_BITS: unsignedBits(outWidth - 1),
    OUT_H: n.convHeight,
    OUT_W: n.convWidth,
    BLOCK_H: p.block.rows,
    BLOCK_W: p.block.cols,
    REPLICATED: replicated ? 1 : 0,
    CHANNELS: channels,
    OC_BITS: ocBits,
    // Where the core's first column lies in the block: its replica's pixel and output channel.
    REP_Y_FIRST: replicated ? p.firstReplica % p.block.rows : 0,
    REP_X_FIRST: replicated ? Math.floor(p.firstReplica / p.block.rows) : 0,
    OC_FIRST: replicated ? p.channelBase % p.outChannels : 0,
    EDGE_BLOCKS: p.edgeBlocks ? 1 : 0,
    // Ragged blocks: the controller's table says where each block is (its counters' width).
    LATTICE: p.block.ragged ? 1 : 0,
    ORIGIN_BITS: controllerParameters(p).CW,
    LAST_REPLICA_PARTIAL: replicated && (p.channelBase + p.cols) % p.outChannels !== 0 ? 1 : 0,
    // 2: the add is of the pooled value, 3: of its ReLU; 4: the core's queue adds (the module reads its FIFO for it);
    // 5: between two pools (the later pool's stage adds it).
    HAS_RES: !res ? 0 : res.queueSlots ? 4 : res.betweenPools ? 5 : res.afterPool === 'relu' ? 3 : res.afterPool === 'pool' ? 2 : 1,
    RES_DEPTH: res?.depth ?? 2,
    RES_PTR_BITS: resPtrBits,
    RES_IN: res?.pixels ?? 1,
    // The shortcut pixels one block reads: one per replica of the core's columns.
    RES_NEED: res ? p.coreReplicas : 1,
    RES_PIXELS: slots?.length ?? 1,
    RES_PIX_BITS: unsignedBits((slots?.length ?? 1) - 1),
    RES_TABLE: slots ? 1 : 0,
    V_BITS: membrane?.potentialBits ?? 2,
    IF_ENTRIES: membrane?.entries ?? 1,
    // The membrane's pixels: the conv plane's, or the pooled plane's after the last pool.
    IF_PLANE_H: membrane ? (threshold!.afterPool ? n.outHeight : n.convHeight) : 1,
    IF_INDEX_BITS: unsignedBits((membrane?.entries ?? 1) - 1),
    IF_THRESHOLD: membrane ? threshold!.level : 1,
    IF_LEAK: membrane?.leak ?? 0,
    IF_RESET_SUBTRACT: membrane?.reset === 'subtract' ? 1 : 0,
  };
  if (res && res.pixels >= res.depth) throw new Error(`RTL: a residual FIFO of ${res.depth} pixels cannot take ${res.pixels} pixels at once`);
  if (res && p.coreReplicas >= 2 ** (resPtrBits + 1)) throw new Error(`RTL: core ${p.core.id} reads more shortcut pixels per block than its FIFO counts`);
  for (const [name, value] of Object.entries(values)) parameterValue(name, value);
  return values;
}
