// The RTL plan: every decision about the generated hardware, made here in TypeScript from the design, the mapping,
// the memory plan and the reference model's parameters. The templates only lay these numbers out.
import type { IrDesign, IrNode, PoolOp } from '../../ir/types.js';
import { matrixWeights } from '../../mapping/kernel.js';
import type { Core, LayerMapping, Mapping, ReplicaOffset } from '../../mapping/types.js';
import { accumulatorOf } from '../../mapping/split.js';
import type { CoreMemoryPlan } from '../../memory/plan.js';
import { blockOrigins, blockPixels, blockRegion, blockShape, isFullBlock, type BlockShape } from '../../mapping/block.js';
import { layerIndex, layerSending } from '../../mapping/layerIndex.js';
import { patchPositions, sameEmissionOrder } from '../../memory/schedule.js';
import { adcNeedBits, type AdcModel } from '../../reference/arithmetic.js';
import type { Program } from '../../pipeline/program.js';
import { inputNode as networkInput, nodeIndex, producerOf } from '../../ir/nodeIndex.js';
import { isBinaryValue } from '../../ir/binary.js';
import { poolQueueSlots, sentPixelSlots } from './poolWindows.js';
import { poolWindowEnds } from '../../mapping/poolWindows.js';
import { BN_SCALE_BITS, type FoldedBatchNorm } from '../../ir/weights.js';
import { unsignedBits, signedBits } from './literals.js';
import { uniformPadding, windowCount, type Padding } from '../../ir/padding.js';
import { inputPixelsPerTimestep } from '../../mapping/inputRate.js';
import { chainPoolColumns, chainWindows, pixelEndsTwoWindows, pooledGroupOf } from '../../mapping/replicatedPool.js';
import { completingPixels, hasIdlePixels, maskedShortcut, pooledShortcut, type ChainPool, type MaskedShortcut } from './shortcutOrder.js';
import { latticeTables, type LatticeTables } from './lattice.js';

/** What the neuron core does after the accumulation, in order (src/reference/arithmetic.ts step 4). */
export interface NeuronPlan {
  /** Folded batch norm per output channel, and the signed widths of its scale and bias (the ROM widths). */
  batchNorm?: { scale: Int32Array; bias: Float64Array; scaleBits: number; biasBits: number };
  requantShift: number;
  /**
   * Residual add right after requantization: the layer (or input) sending the shortcut, the FIFO depth, the pixels
   * that arrive together; `slots` and `masked`, the table of a buffer that is not a plain FIFO (another pixel order,
   * idle pixels, a column part taking every pixel: src/emit/rtl/shortcutOrder.ts). `afterPool`: the add is after the
   * core's pools and adds the shortcut to each pooled pixel (`pool`) or its ReLU (`relu`), read at the computed pixel
   * that completes it (through the table, `masked`); `betweenPools`: a pool follows the add, whose stage or queue adds
   * it (its LaterPoolPlan `add`). `queueSlots`: a queued pool comes before the add, and the last queue reads the
   * shortcut of each pixel of the last pool at its slot (one per pooled pixel, column-major) and adds it; with a pool
   * after the add, the last queue before the add reads, for each pixel it sends (column-major on its plane), the slot
   * of the pixel of the add's plane it completes, and sends the shortcut to the pool after the add. `stageSlots`: a
   * method-2 core's stage after an add between two pools reads the shortcut of each pixel it takes at its slot (one
   * per pixel of the add's plane, column-major), since a pixel the core computes may end several of them.
   */
  residual?: {
    from: string;
    depth: number;
    pixels: number;
    slots?: number[];
    masked?: Omit<MaskedShortcut, 'slots' | 'depth'>;
    afterPool?: 'pool' | 'relu';
    betweenPools?: true;
    queueSlots?: number[];
    stageSlots?: number[];
  };
  /**
   * A residual add in another core reads a value of this core's chain that is not its last: the layer's own
   * (requantized) value, e.g. before its ReLU. The core sends it too, on the shortcut link, with each pixel.
   */
  shortcutTap?: {
    node: string;
    /**
     * The value is before the core's pool: the core sends it with every pixel (a replicated core: every block) it
     * computes (a valid of its own, the wrapper's shortcut_valid_o), not with the pooled pixels it emits.
     */
    beforePool?: true;
  };
  reluBeforePool: boolean;
  /** A ReLU between the requantization and the residual add (`add(relu(...), shortcut)`). */
  reluBeforeAdd: boolean;
  /**
   * Windows of height x width every `stride` pixels, `padding` rows and columns of padding on each side (0 for a
   * global pool, whose stride is its size). A stride that differs from the size (overlapping or gapped windows) is
   * pooled from a line buffer of the last `width` conv-output columns.
   */
  pool?: {
    kind: 'max' | 'avg';
    height: number;
    width: number;
    stride: number;
    padding: Padding;
    pooledHeight: number;
    pooledWidth: number;
    /**
     * Several windows end at the same conv-output row or column (padding >= stride): the pooled pixels wait in a
     * queue of `queueSlots` and leave one per timestep in order (templates/rtl/imcc_pool_queue.v.hbs).
     */
    queue?: { slots: number };
    /**
     * A replicated core pools each pixel where it lies (method-2 blocks, edge blocks, column parts:
     * src/mapping/replicatedPool.ts), in the neuron core, overlapping windows too.
     */
    byPosition?: boolean;
  };
  /**
   * The pools after the first, in order: each a pool stage over the plane the pool before it emits
   * (templates/rtl/imcc_pool.v.hbs), with the ReLU and threshold fused between the two pools; a pool whose windows end
   * together (its `queue`) is a queue (templates/rtl/imcc_pool_queue.v.hbs) reading the pool before it, and the pools
   * after it read the pixels it sends.
   */
  laterPools: LaterPoolPlan[];
  /**
   * A method-2 core's chain of pools: its stages pool each pixel where it lies, counting each window's pixels
   * (src/mapping/replicatedPool.ts chainWindows), with running values of this many window columns each.
   */
  stageColumns?: number[];
  /** A ReLU after the last pool. */
  reluAfterPool: boolean;
  /**
   * A replicated core with a pool: the pooled pixels it sends together (every block that completes any completes
   * this many, src/mapping/replicatedPool.ts), a `pooledGroup` block of the pooled plane.
   */
  pooledPixels?: number;
  pooledGroup?: BlockShape;
  /**
   * Threshold (binary) activation: 1 when the value at its place (after the ReLU before the pool, or after the pool)
   * is >= level, else 0; the core then emits 1-bit unsigned activations (docs/arithmetic.md step 4). A threshold
   * between two pools (`betweenPools`) is applied by the later pool's stage (its `threshold`), not after the last.
   */
  threshold?: { level: number; afterPool: boolean; betweenPools?: boolean; integrateAndFire?: IfMembranePlan };
  /** The plane the weight layer computes (before pooling) and the plane it emits. */
  convHeight: number;
  convWidth: number;
  outHeight: number;
  outWidth: number;
  /** Bits of each emitted activation: the saturation width, or 1 after a threshold. */
  outActivationBits: number;
  /** Signed bits the requantization and a residual add saturate to (the weight layer's activation bits). */
  saturationBits: number;
  /** Bits of the signed sum of the row parts' ADC codes (before the rescaling shift). */
  sumBits: number;
  /** Bits of the neuron core's signed datapath (accumulator, batch norm, rounding), all values exact. */
  accBits: number;
}

/** Windows of a pool: `height` x `width` every `stride` pixels (see NeuronPlan.pool). */
export type PoolGeometry = NonNullable<NeuronPlan['pool']>;

/**
 * A pool after the first one in a neuron core: its windows over the `inHeight` x `inWidth` plane of the pool before
 * it, whose values first pass a ReLU (`relu`) and a threshold (`threshold`: 1 when >= the level) when those are fused
 * between the two pools. A global average pool has one window of the whole plane.
 */
export interface LaterPoolPlan {
  pool: PoolGeometry;
  inHeight: number;
  inWidth: number;
  /** Window steps along the rows and the columns (a global average pool's are its plane's height and width). */
  strideY: number;
  strideX: number;
  relu: boolean;
  threshold?: number;
  /** The threshold is an integrate-and-fire neuron (`model if`): its membrane holds one potential per input pixel. */
  integrateAndFire?: boolean;
  /**
   * The residual add between the pool before this one and this one: the stage adds the shortcut the neuron core reads
   * for its pixel to the input value (`pool`) or to its ReLU (`relu`), before its ReLU and threshold.
   */
  add?: 'pool' | 'relu';
}

/**
 * An integrate-and-fire neuron (`model if`) in place of the threshold's compare: the level is the membrane threshold,
 * and the spike is 1 when the potential of the value's pixel and channel reaches it (src/reference/arithmetic.ts
 * integrateAndFire). One potential per value the place sees in one timestep: `entries` of `potentialBits` signed bits.
 */
export interface IfMembranePlan {
  leak: number;
  reset: 'zero' | 'subtract';
  steps: number;
  potentialBits: number;
  entries: number;
}

export interface CoreRtlPlan {
  core: Core;
  layer: LayerMapping;
  node: IrNode;
  memory: CoreMemoryPlan;
  adc: AdcModel;
  /** Tile weights, row-major rows x crossbarCols (the core's rectangle of the collective kernel matrix). */
  weights: Int32Array;
  weightBits: number;
  rows: number;
  crossbarCols: number;
  /**
   * The columns the core's neuron core walks: its crossbar's, or a gathering core's (`gathers`: the last core of a
   * layer whose other parts all send it their codes, src/mapping/replicatedPool.ts) all of the layer's.
   */
  cols: number;
  gathers: boolean;
  /** First output channel of the core's (neuron core's) columns. */
  channelBase: number;
  /** Incoming pixel: all channels of the layer's input, `inActivationBits` each. */
  inChannels: number;
  inActivationBits: number;
  /** The incoming activations are a threshold's 0/1 outputs: the crossbar reads them unsigned (never -1). */
  inUnsigned: boolean;
  /** Channels this core stores (a contiguous range starting at storedChannelBase). */
  storedChannelBase: number;
  storedChannels: number;
  /**
   * Replicas of the layer: a block of block.rows x block.cols output pixels (method 1: a column; method 2: dW
   * columns), replica r at (r mod block.rows, floor(r / block.rows)). The block's input region is regionHeight =
   * (block.rows - 1) * stride + kernelHeight rows tall (the kernel height when not replicated).
   */
  replicas: number;
  block: BlockShape;
  /**
   * The output plane is not a whole number of blocks: the last block row (column) has idle replicas, whose pixels
   * the neuron core does not emit and whose patch positions the controller gives zeros (the memory schedule's Z).
   */
  edgeBlocks: boolean;
  /**
   * Output channels of the layer, and the replicas this core's columns belong to: firstReplica.. (coreReplicas of
   * them; a column part may start or end inside a replica). An unsplit core holds them all from replica 0.
   */
  outChannels: number;
  firstReplica: number;
  coreReplicas: number;
  regionHeight: number;
  /**
   * Region rows some replica reads, in order (all of them unless the stride exceeds the kernel height, when the rows
   * between two replicas' patches are read by none and have no crossbar rows).
   */
  regionRows: number[];
  /**
   * Region columns some replica reads, in order (all of them unless a method-2 block's stride exceeds the kernel
   * width, when the columns between two replicas' patches are read by none and have no crossbar rows).
   */
  regionCols: number[];
  /**
   * The producing layer's block, which arrives at one step (the memory plan's arrival block, so the RTL writes in the
   * schedule's order), and its pixels.
   */
  inBlock: BlockShape;
  inPixels: number;
  /**
   * Patch slots holding this core's rows (slot = rank of dx in regionCols * regionRows.length + rank of dy in
   * regionRows, the crossbar row order), and where its rows start in them.
   */
  slotFirst: number;
  slotLast: number;
  /**
   * The region position of every patch slot of the layer (the replicas' patches, column by column): all of
   * regionRows x regionCols for a full block; a ragged block's short last columns have fewer.
   */
  slotPositions: Array<{ dy: number; dx: number }>;
  rowBitOffset: number;
  /**
   * The layer's blocks or its producer's are ragged (on a skewed lattice): the controller takes its blocks, their
   * readiness and the arriving blocks from these tables (src/emit/rtl/lattice.ts).
   */
  lattice?: LatticeTables;
  /**
   * Sibling row parts whose partial sums this (accumulating) core adds, in row-part order; for a gathering core, every
   * other part of the layer, in the mapping's order (src/emit/rtl/index.ts neuronCodes places their codes).
   */
  partialCores: string[];
  /**
   * A row part of a layer with a residual add: the accumulating sibling whose shortcut FIFO it waits for (all row parts
   * compute a block together, when its shortcut pixels are there).
   */
  shortcutGate?: string;
  neuron?: NeuronPlan;
  /** Bits of the crossbar model's exact accumulator. */
  crossbarAccBits: number;
}

export interface RtlPlan {
  design: IrDesign;
  mapping: Mapping;
  cores: CoreRtlPlan[];
  inputNode: IrNode;
  /** Input pixels the top's input port takes at a step (inputPixelsPerTimestep, src/mapping/inputRate.ts). */
  inputPixels: number;
  outputLayer: LayerMapping;
}

function neuronPlan(
  design: IrDesign,
  lm: LayerMapping,
  node: IrNode,
  adc: AdcModel,
  parts: number,
  bn: FoldedBatchNorm | undefined,
  residualPixels: Map<string, { pixels: number }>,
  mappingLayers: readonly LayerMapping[],
  coreReplicas: number,
  coreChannels: number,
  tapped: string | undefined,
  firstReplica: number,
): NeuronPlan {
  const byName = nodeIndex(design.network);
  const fused = lm.fused.map((n) => byName.get(n)!);
  const spiking = design.target.neuronCore.spiking;
  let requantShift = node.requant?.shift ?? 0;
  let reluBeforePool = false;
  let reluBeforeAdd = false;
  let reluAfterPool = false;
  let pool: NeuronPlan['pool'];
  const laterPools: LaterPoolPlan[] = [];
  let threshold: NeuronPlan['threshold'];
  let residual: NeuronPlan['residual'];
  let plane = { height: node.shape.height, width: node.shape.width };
  // A replicated (method-1) layer whose blocks end its pools' windows together or unevenly queues these pools
  // (src/mapping/replicatedPool.ts queuedPools); `pools` counts the pools planned so far.
  const queuedInBlocks = pooledGroupOf(design, lm)?.queued;
  let pools = 0;
  // The core's pools so far, each over the plane of the one before it.
  const chainPools = (): ChainPool[] => [
    { ...pool!, input: node.shape, strideY: pool!.stride, strideX: pool!.stride },
    ...laterPools.map((l) => ({ ...l.pool, input: { height: l.inHeight, width: l.inWidth }, strideY: l.strideY, strideX: l.strideX })),
  ];
  // A later pool is a stage over the plane the pool before it emits: the ReLU and threshold fused since that pool
  // move into the stage's input (they apply between the two pools).
  const laterPool = (f: IrNode, planned: PoolGeometry, strideY: number, strideX: number): void => {
    const pendingThreshold = threshold?.afterPool === true && !threshold.betweenPools;
    // A residual add of the pooled value before this pool: its stage (or queue) adds the shortcut.
    const pendingAdd = residual?.afterPool !== undefined && !residual.betweenPools ? residual.afterPool : undefined;
    // A queue before the add: the pool after it adds the shortcut of the pixel it reads, which the last queue before
    // the add reads as it sends the pixel completing it (through the stages between), at that pixel's slot.
    if (pendingAdd && residual!.queueSlots) {
      const queued = [pool!, ...laterPools.map((l) => l.pool)].map((q) => q.queue !== undefined).lastIndexOf(true);
      residual!.queueSlots = sentSlots(chainPools(), queued, residual!.queueSlots);
    }
    // An integrate-and-fire neuron between two pools integrates the earlier pool's pixels (its membrane was planned
    // on that plane) in the later pool's stage.
    laterPools.push({
      pool: planned,
      inHeight: plane.height,
      inWidth: plane.width,
      strideY,
      strideX,
      relu: reluAfterPool,
      threshold: pendingThreshold ? threshold!.level : undefined,
      integrateAndFire: pendingThreshold && threshold!.integrateAndFire !== undefined,
      add: pendingAdd,
    });
    if (pendingThreshold) threshold!.betweenPools = true;
    if (pendingAdd) residual!.betweenPools = true;
    reluAfterPool = false;
  };
  fused.forEach((f, i) => {
    switch (f.op.kind) {
      case 'add': {
        // The add reads the requantized value, or its ReLU (the datapath's relu before the add), or after the core's
        // pools the pooled value or its ReLU: the neuron core adds the shortcut when the pixel that completes it is
        // computed (the last pool's pixels come back into it), or, when a pool queues its pixels, the last queue adds
        // it to each pixel of the last pool (its walk's, or the stages' after it that come back to it).
        // The fusion gives every add its shortcut's layer (src/mapping/fusion.ts), and an add never reads a threshold's
        // 1-bit output or a pool of it (IMC131), so these are bugs, not source the generator cannot build.
        if (lm.residualLayer === undefined || lm.residualFrom === undefined) throw new Error(`RTL: residual add '${f.name}' has no shortcut layer (internal: src/mapping/fusion.ts)`);
        if (threshold) throw new Error(`RTL: residual add '${f.name}' of a threshold's 1-bit value (internal: the language refuses it, IMC131)`);
        // A flatten moves no pixel (src/ir/nodeIndex.ts sentVolume): only ops in place read a flattened plane larger
        // than one pixel (IMC067), and the add's shortcut flattens the same volume (IMC066), so it changes nothing here.
        const before = fused.slice(0, i).filter((g) => g.op.kind !== 'flatten');
        const activation = (g: IrNode): boolean => g.op.kind === 'batchnorm' || (g.op.kind === 'relu' && !spiking);
        const isPool = (g: IrNode): boolean => ['maxpool', 'avgpool', 'gap'].includes(g.op.kind);
        const direct = before.every(activation);
        // (A method-2 core pools its one queued pool by position and adds the shortcut itself, as for any pool by
        // position: its queue only sends the pooled activations; but where a pixel ends two windows, which the neuron
        // core emits one at a time, the queue adds, reading each pooled pixel's shortcut slot.)
        const pooledByPosition = lm.matrix.replicas.length > 1 && blockShape(lm.matrix.replicas).cols > 1;
        const queueAdds = (pool?.queue !== undefined && (!pooledByPosition || pixelEndsTwoWindows(design, lm))) || laterPools.some((l) => l.pool.queue !== undefined);
        const afterPool = pool !== undefined && before.every((g) => activation(g) || isPool(g)) && (isPool(before[before.length - 1]) || reluAfterPool);
        // Nothing else comes before an add: a batch norm is first (IMC026), a second add is IMC055.
        if (!(direct || afterPool)) throw new Error(`RTL: residual add '${f.name}' after ${before.map((g) => g.op.kind).join(', ')} (internal: the language and the mapping refuse others)`);
        // The shortcut pixels wait in a FIFO of the adding core: the dataflow model's most waiting pixels, with room
        // for the RTL's own timing (a column and a few pixels more).
        const waiting = residualPixels.get(lm.layer)?.pixels ?? 0;
        // A replicated shortcut producer sends `pixels` pixels per step; a replicated adding core takes its
        // replicas' pixels per block: more room for both bursts.
        const sourceLayer = mappingLayers.find((l) => l.layer === lm.residualLayer);
        // A replicated source with a pool sends the block of pooled pixels each of its blocks completes
        // (src/mapping/replicatedPool.ts), y fastest: those are the arriving blocks. A value before its pool (not its
        // output) comes with every block it computes, its replicas' pixels.
        const sourcePool = sourceLayer && lm.residualFrom === sourceLayer.output ? pooledGroupOf(design, sourceLayer) : undefined;
        const sent: ReplicaOffset[] | undefined = sourcePool
          ? Array.from({ length: sourcePool.pixels }, (_, k) => ({ oy: k % sourcePool.rows, ox: Math.floor(k / sourcePool.rows) }))
          : sourceLayer?.matrix.replicas;
        const pixels = sent ? sent.length : 1;
        // The FIFO pairs the shortcut pixels with this core's outputs in arrival order: both must come in one order
        // (blocks one column wide all give column order; a method-2 block's order is its own).
        const theirs = sent ? blockShape(sent) : { rows: 1, cols: 1 };
        const ours = blockShape(lm.matrix.replicas);
        const reordered = !sameEmissionOrder(plane.height, plane.width, theirs, ours);
        // A column part of a replicated layer takes the shortcut pixels of its own replicas only when they come in the
        // layer's blocks; otherwise it takes them all and reads its own through the table.
        const split = coreReplicas < lm.matrix.replicas.length;
        const ownBlocks = split && !reordered && pixels === lm.matrix.replicas.length;
        const taken = ownBlocks ? coreReplicas : pixels;
        const burst = pixels > 1 || lm.matrix.replicas.length > 1 ? 2 * (pixels + lm.matrix.replicas.length) + plane.height : 0;
        const depth = 2 * waiting + plane.height + 4 + burst;
        // Another pixel order, idle pixels on either side (edge blocks, ragged blocks) or a column part taking every
        // arriving pixel: the buffer keeps each arriving pixel in the plane at its arrival index, and the core reads
        // its own pixels, waits for each block's last and frees the block's pixels of all the parts through a table
        // (src/emit/rtl/shortcutOrder.ts maskedShortcut). The table counts the pixels the core computes, so a pool
        // after the add (which emits fewer) changes nothing; a replicated pool's pooled pixels arrive as blocks of
        // their own (`sent`).
        const offsets = (l: LayerMapping): ReplicaOffset[] => (l.matrix.replicas.length > 0 ? l.matrix.replicas : [{ oy: 0, ox: 0 }]);
        const arriving = sent && sent.length > 0 ? sent : [{ oy: 0, ox: 0 }];
        if (afterPool) {
          // Every column part keeps all the arriving pixels and reads its own replicas' pooled pixels' shortcuts.
          const part = split ? { first: firstReplica, count: coreReplicas } : undefined;
          const { slots, depth: pooledDepth, pooledSlots, ...masked } = pooledShortcut(node.shape, chainPools(), arriving, offsets(lm), depth, part);
          // A method-2 core's stage after an add between two pools takes the windows a pixel ends one at a time, so
          // where a pixel ends several windows of the pools before the add it reads each window's own slot.
          const perWindow = !queueAdds && pooledByPosition && pixelEndsTwoWindows(design, lm, chainPools().length);
          residual = {
            from: lm.residualLayer,
            depth: pooledDepth,
            pixels,
            slots,
            masked,
            afterPool: reluAfterPool ? 'relu' : 'pool',
            queueSlots: queueAdds ? pooledSlots : undefined,
            stageSlots: perWindow ? pooledSlots : undefined,
          };
          // That ReLU is the add's operand: a ReLU after the add is another.
          reluAfterPool = false;
          break;
        }
        if (reordered || (split && !ownBlocks) || hasIdlePixels(arriving, plane) || hasIdlePixels(offsets(lm), plane)) {
          const part = split ? { first: firstReplica, count: coreReplicas } : undefined;
          const { slots, depth: maskedDepth, ...masked } = maskedShortcut(plane.height, plane.width, arriving, offsets(lm), depth, part);
          residual = { from: lm.residualLayer, depth: maskedDepth, pixels, slots, masked };
          break;
        }
        // The same order: a FIFO of the core's own pixels, RES_NEED of them a block.
        residual = { from: lm.residualLayer, depth, pixels: taken };
        break;
      }
      case 'batchnorm':
        // A batch norm reads a weight layer that feeds only it (IMC026, IMC213): it is its core's first fused op.
        if (i !== 0) throw new Error(`RTL: batch norm '${f.name}' is not the first fused operation (internal: the language refuses it, IMC026)`);
        break;
      case 'relu':
        // A ReLU of 0/1 values (a threshold's outputs, or a pool of them) changes nothing.
        if (threshold) break;
        // With `model if` the ReLU is an integrate-and-fire neuron: a threshold with a membrane potential.
        if (spiking) {
          threshold = { level: spiking.threshold, afterPool: pool !== undefined, integrateAndFire: membranePlan(spiking, node.activationBits, pool ? plane : undefined, node, coreChannels) };
          break;
        }
        // A ReLU of a ReLU changes nothing: each place has one (idempotent) flag.
        if (pool) reluAfterPool = true;
        else if (!residual && fused.slice(i + 1).some((g) => g.op.kind === 'add')) reluBeforeAdd = true;
        else reluBeforePool = true;
        break;
      case 'maxpool':
      case 'avgpool': {
        const op = f.op as PoolOp;
        const padding = op.padding;
        // Padding is smaller than the window (IMC014), so every window the pool keeps holds a real pixel. `plane` is
        // the pool's input plane, so its window counts are the IR's output shape (both are windowCount).
        const planned: NonNullable<NeuronPlan['pool']> = {
          kind: op.kind === 'maxpool' ? 'max' : 'avg',
          height: op.size,
          width: op.size,
          stride: op.stride,
          padding,
          pooledHeight: windowCount(plane.height, padding.top, padding.bottom, op.size, op.stride),
          pooledWidth: windowCount(plane.width, padding.left, padding.right, op.size, op.stride),
        };
        if (planned.pooledHeight !== f.shape.height || planned.pooledWidth !== f.shape.width) {
          throw new Error(`RTL: pool '${f.name}' planned on a ${plane.height}x${plane.width} plane that is not its input's (internal)`);
        }
        // A pool emits at most one pixel per input pixel: two windows may not end at the same row (or column), which
        // happens when the padding reaches a whole stride past the plane's last row. Such a pool queues its pooled
        // pixels (a pool stage reads one pixel at a time and emits at most one), after the pools before it (stages or
        // queues), and sends them one per timestep as the core's pixels or to the pools after it.
        // A replicated layer queues the pools its rule says (those whose windows end together, or its last pool when
        // its blocks end windows unevenly): method-1 blocks are columns of `replicas` conv pixels a timestep; a
        // method-2 block pools its one pool by position in the neuron core, and the queue only sends its pixels.
        const together =
          op.stride !== op.size &&
          (poolWindowEnds(plane.height, op.size, op.stride, padding.top, padding.bottom).length === 0 ||
            poolWindowEnds(plane.width, op.size, op.stride, padding.left, padding.right).length === 0);
        const replicated = lm.matrix.replicas.length > 1;
        if (replicated ? queuedInBlocks?.includes(pools) : together) {
          const earlier = pool ? [{ ...pool, inHeight: node.shape.height, inWidth: node.shape.width, strideY: pool.stride, strideX: pool.stride }, ...laterPools.map((l) => ({ ...l.pool, ...l }))] : [];
          const block = blockShape(lm.matrix.replicas);
          // (A method-2 core's queue sends the last pool's pixels, each complete with the block that ends its window
          // through the chain.)
          const conv = { height: node.shape.height, width: node.shape.width };
          const slots =
            replicated && block.cols > 1
              ? sentPixelSlots(chainWindows(conv.height, conv.width, block, [...(pool ? [pool, ...laterPools.map((l) => l.pool)] : []), planned]).at(-1)!.map((w) => w.block), blockOrigins(lm.matrix.replicas, conv).length)
              : poolQueueSlots(plane.height, plane.width, op.size, op.stride, padding, earlier, replicated ? lm.matrix.replicas.length : 1);
          planned.queue = { slots };
        } else if (together && !(replicated && blockShape(lm.matrix.replicas).cols > 1)) {
          // (A method-2 block's stages pool by position, emitting every window a pixel ends.)
          throw new Error(`RTL: pool '${f.name}' whose windows end together is not queued (internal: src/mapping/replicatedPool.ts)`);
        }
        pools++;
        if (pool) laterPool(f, planned, op.stride, op.stride);
        else pool = planned;
        plane = { height: f.shape.height, width: f.shape.width };
        break;
      }
      case 'gap': {
        const planned = { kind: 'avg' as const, height: plane.height, width: plane.width, stride: plane.height, padding: uniformPadding(0), pooledHeight: 1, pooledWidth: 1 };
        if (queuedInBlocks?.includes(pools)) throw new Error(`RTL: a queued global average pool '${f.name}' (internal: src/mapping/replicatedPool.ts)`);
        pools++;
        if (pool) laterPool(f, planned, plane.height, plane.width);
        else pool = planned;
        plane = { height: 1, width: 1 };
        break;
      }
      case 'flatten':
        break;
      case 'threshold':
        // The IR refuses a threshold of a 1-bit value (IMC130), so there is at most one per neuron core.
        if (threshold) throw new Error(`RTL: a second threshold '${f.name}' in one neuron core (internal: the language refuses it, IMC130)`);
        threshold = { level: f.op.level, afterPool: pool !== undefined };
        break;
      default:
        // Fusion (src/mapping/fusion.ts) gives a weight layer's core only the non-weight ops after it; each has a case.
        throw new Error(`RTL: a ${f.op.kind} fused into layer '${node.name}' (internal: src/mapping/fusion.ts)`);
    }
  });
  const out = byName.get(lm.output ?? node.name) ?? node;
  const outBits = out.activationBits;
  const satBits = node.activationBits;
  // Every fused value has the layer's width up to the threshold, 1 bit from it on.
  const thresholdAt = fused.findIndex((f) => f.op.kind === 'threshold' || (spiking !== undefined && f.op.kind === 'relu'));
  const expectedBits = (i: number): number => (thresholdAt >= 0 && i >= thresholdAt ? 1 : satBits);
  if (fused.some((f, i) => f.activationBits !== expectedBits(i)) || outBits !== expectedBits(fused.length - 1)) {
    // Ops without weights keep their input's width and an add's operands have one (IMC031): only a threshold (or a
    // spiking ReLU) changes it, to 1 bit.
    throw new Error(`RTL: different activation widths inside the neuron core of '${node.name}' (internal: the language refuses them)`);
  }
  // Exact datapath width: the sum of the parts' ADC codes, rescaled, times the batch-norm scale, plus bias and the
  // rounding constant; and room for the pool sums.
  const sumBits = adc.bits + unsignedBits(parts);
  const batchNorm = bn ? { ...bn, scaleBits: valueBits(bn.scale), biasBits: valueBits(bn.bias) } : undefined;
  let accBits = sumBits + adc.shift + 1;
  // The product of the rescaled sum and the scale, plus the bias, is exact in accBits - 1 bits.
  if (batchNorm) accBits = Math.max(accBits + Math.max(batchNorm.scaleBits, BN_SCALE_BITS + 1) + 1, batchNorm.biasBits + 2);
  accBits = Math.max(accBits, requantShift + 3, satBits + 2);
  if (pool?.kind === 'avg') accBits = Math.max(accBits, satBits + unsignedBits(pool.height * pool.width) + 3);
  for (const later of laterPools) {
    if (later.pool.kind === 'avg') accBits = Math.max(accBits, satBits + unsignedBits(later.pool.height * later.pool.width) + 3);
  }
  accBits += 1;
  // Any width is generated (Verilog widths are generic; Verilator keeps wide words), and the reference model is exact
  // at any width (src/reference/exactness.ts).
  const shortcutTap = tapped === undefined ? undefined : tapOf(tapped, node, fused, pool);
  // The membrane adds the datapath's value: it is wider (a sign extension of at least one bit).
  const membrane = threshold?.integrateAndFire;
  if (membrane) membrane.potentialBits = Math.max(membrane.potentialBits, accBits + 1);
  if (requantShift < 0) requantShift = 0;
  return {
    batchNorm,
    requantShift,
    residual,
    shortcutTap,
    reluBeforePool,
    reluBeforeAdd,
    pool,
    laterPools,
    reluAfterPool,
    threshold,
    convHeight: node.shape.height,
    convWidth: node.shape.width,
    outHeight: plane.height,
    outWidth: plane.width,
    outActivationBits: outBits,
    saturationBits: satBits,
    sumBits,
    accBits,
  };
}

/**
 * The FIFO slots a core's last queue before a residual add reads when a pool follows the add, one per pixel it sends
 * (column-major on its plane): the slot of the pixel of the add's plane that it completes through the stages between
 * (0 when it completes none), given the slots of the add's plane (`slots`), the core's pools up to the add and which of
 * them is that queue.
 */
function sentSlots(pools: readonly ChainPool[], queued: number, slots: readonly number[]): number[] {
  const queue = pools[queued];
  const sent = Int32Array.from({ length: queue.pooledHeight * queue.pooledWidth }, (_, k) => k);
  const bySent = new Array<number>(sent.length).fill(0);
  completingPixels(sent, pools.slice(queued + 1)).forEach((k, q) => {
    if (k >= 0) bySent[k] = slots[q];
  });
  return bySent;
}

/**
 * The value of `node`'s core that a residual add in another core reads when it is not the core's output: a value
 * read outside its core is that core's output or its weight layer's own value (IMC054), and a layer that a batch norm
 * follows feeds only it (IMC213), so the tap is the layer's requantized value. A core with a pool emits fewer pixels
 * than it computes: it sends a value before its pool with every pixel (a replicated core: every block) it computes,
 * on a valid of its own (the link's load is the tapped value's peak per timestep, src/dataflow/links.ts).
 */
function tapOf(value: string, node: IrNode, fused: readonly IrNode[], pool: NeuronPlan['pool']): NonNullable<NeuronPlan['shortcutTap']> {
  if (value !== node.name || fused[0]?.op.kind === 'batchnorm') {
    throw new Error(`RTL: another core's add reads '${value}' of the core of ${node.name} (internal: IMC054, IMC213)`);
  }
  return pool ? { node: value, beforePool: true } : { node: value };
}

/**
 * The membrane of an integrate-and-fire neuron reading `bits`-bit signed values: one potential per pixel and channel
 * of the conv plane (or of the pooled `plane` when the neuron follows a pool). A potential stays within
 * [T * min, threshold + T * max] (each timestep adds at most one input, a spike removes the threshold or all of it),
 * and the sum before the reset one input more.
 */
function membranePlan(
  model: { threshold: number; leak: number; reset: 'zero' | 'subtract'; steps: number },
  bits: number,
  plane: { height: number; width: number } | undefined,
  node: IrNode,
  channels: number,
): IfMembranePlan {
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const potentialBits = signedBits((model.steps + 1) * min, model.threshold + (model.steps + 1) * max) + 1;
  const { height, width } = plane ?? node.shape;
  return { leak: model.leak, reset: model.reset, steps: model.steps, potentialBits, entries: height * width * channels };
}

/** Signed bits holding every value of `values` (at least 2, so a sign bit and a magnitude bit). */
function valueBits(values: Iterable<number>): number {
  return Math.max(2, signedBits(Math.min(0, ...values), Math.max(0, ...values)));
}

/** Whether a layer's output plane is not a whole number of its blocks. */
function hasEdgeBlocks(lm: LayerMapping): boolean {
  const block = blockShape(lm.matrix.replicas);
  // A ragged block's off-plane replicas are the lattice's (its consumers skip them): its neuron core emits them all.
  if (block.ragged) return false;
  return lm.outputShape.height % block.rows !== 0 || lm.outputShape.width % block.cols !== 0;
}

/**
 * The block tables of a core on a ragged lattice (its idle replicas' positions are always the region corner the
 * controller masks: src/emit/rtl/lattice.ts). The neuron core emits every replica's pixel of a block and the consumers
 * and the testbench skip the off-plane ones; an
 * integrate-and-fire membrane or a pool takes only the in-plane replicas, placed from the block's lattice origin (the
 * controller's table, the neuron core's LATTICE). A residual add pairs in-plane pixels through a table
 * (src/emit/rtl/shortcutOrder.ts maskedShortcut). A ragged consumer of a replicated pool counts the pooled pixels'
 * arrival in the groups the pool sends (the `inBlock` of its lattice). Column parts walk the same table, each emitting
 * its own replicas' columns.
 */
function coreLattice(
  lm: LayerMapping,
  memory: CoreMemoryPlan,
  inBlock: BlockShape,
  positions: ReadonlyArray<{ dy: number; dx: number }>,
  regionWidth: number,
  node: IrNode,
): LatticeTables {
  const m = lm.matrix;
  const padding = node.op.kind === 'conv' ? node.op.padding : uniformPadding(0);
  return latticeTables({
    replicas: m.replicas,
    out: lm.outputShape,
    input: lm.inputShape,
    inBlock,
    read: readExtent(lm, padding),
    kernelHeight: m.kernelHeight,
    kernelWidth: m.kernelWidth,
    stride: m.stride,
    padding,
    positions,
    regionWidth,
    columns: memory.columns,
    deltaKernel: memory.deltaKernelBits,
    deltaPix: memory.columns > 1 ? memory.deltaPixBits[1] : memory.pixelBits,
  });
}

/** The input rows and columns some output pixel's window reaches (the controller's READ_H, READ_W). */
export function readExtent(
  lm: Pick<LayerMapping, 'inputShape' | 'outputShape'> & { matrix: Pick<LayerMapping['matrix'], 'stride' | 'kernelHeight' | 'kernelWidth'> },
  padding: Padding,
): { height: number; width: number } {
  const m = lm.matrix;
  return {
    height: Math.min(lm.inputShape.height, (lm.outputShape.height - 1) * m.stride - padding.top + m.kernelHeight),
    width: Math.min(lm.inputShape.width, (lm.outputShape.width - 1) * m.stride - padding.left + m.kernelWidth),
  };
}

/** Builds the RTL plan of a mapped design: every design the mapping accepts has one. */
export function planRtl(program: Program): RtlPlan {
  const { design, mapping, memory: memoryPlan, reference } = program;
  // FIFO depths for one image: the residual buffers of the single-image dataflow. A shortcut pixel that arrives after
  // the main path's inputs stalls the layer's cores (their controllers wait for the FIFO), as the model's cores wait.
  const residualPixels = new Map(program.singleImageDataflow.residualBuffers.map((b) => [b.layer, { pixels: b.pixels }]));
  const byName = nodeIndex(design.network);
  const inputNode = networkInput(design.network);
  // Values a residual add reads from another core that are not that core's last value: sent on the shortcut link.
  // (Only the layer's own value can be: every add of a source's value other than its output reads the same one.)
  const taps = new Map<string, string>();
  const layerNamed = layerIndex(mapping);
  for (const l of mapping.layers) {
    const source = l.residualLayer === undefined ? undefined : layerNamed.get(l.residualLayer);
    if (source && l.residualFrom !== undefined && l.residualFrom !== source.output) taps.set(source.layer, l.residualFrom);
  }
  const coreById = new Map(mapping.cores.map((c) => [c.id, c]));
  const memoryByCore = new Map(memoryPlan.cores.map((c) => [c.core, c]));
  const cores: CoreRtlPlan[] = [];
  for (const lm of mapping.layers) {
    const node = byName.get(lm.layer)!;
    const compiled = reference.layers.get(lm.layer);
    const params = reference.params.get(lm.layer);
    if (!compiled || !params) throw new Error(`RTL: no reference parameters for layer ${lm.layer}`);
    const m = lm.matrix;
    const replicas = m.replicas.length;
    const block = blockShape(m.replicas);
    if (replicas > 1) {
      // Replica r computes output (oy + r mod rows, ox + floor(r / rows)): a block filled y fastest (the mapping's
      // convention), which is also the order its pixels leave the core.
      // (a ragged block too: its last column holds the remaining replicas, from the top)
      if ((!block.ragged && !isFullBlock(m.replicas)) || m.replicas.some((r, i) => r.oy !== i % block.rows || r.ox !== Math.floor(i / block.rows))) {
        throw new Error(`RTL: the replicas of ${lm.layer} do not fill their block y fastest`);
      }
    }
    const { height: regionHeight, width: regionWidth } = blockRegion(block, m);
    const regionRows = Array.from({ length: regionHeight }, (_, dy) => dy).filter((dy) => dy % m.stride < m.kernelHeight);
    const regionCols = Array.from({ length: regionWidth }, (_, dx) => dx).filter((dx) => dx % m.stride < m.kernelWidth);
    // Patch slots: the positions some replica reads, column by column (a ragged block's short columns have fewer).
    const patch = new Set(patchPositions({ replicas: m.replicas, stride: m.stride, kernelHeight: m.kernelHeight, kernelWidth: m.kernelWidth }).map((q) => `${q.dy},${q.dx}`));
    const slotPositions = regionCols.flatMap((dx) => regionRows.filter((dy) => patch.has(`${dy},${dx}`)).map((dy) => ({ dy, dx })));
    const slotOf = new Map(slotPositions.map((q, i) => [`${q.dy},${q.dx}`, i]));
    const inChannels = m.kernelRows / (m.kernelHeight * m.kernelWidth);
    const outChannels = m.kernelCols;
    const layerCores = lm.cores.map((id) => coreById.get(id)!);
    // One core gathers the other parts' codes and runs the layer's one neuron core over all its columns.
    const gathered = replicas > 1 && lm.colParts > 1 && (pooledGroupOf(design, lm)?.gathered ?? false);
    for (const id of lm.cores) {
      const core = coreById.get(id)!;
      const memory = memoryByCore.get(id);
      if (!memory) throw new Error(`RTL: core ${id} has no memory plan`);
      // A replicated producer with a pool sends the pooled pixels of a block together: a block of the pooled plane,
      // the memory plan's arrival block (src/mapping/replicatedPool.ts).
      const producer = layerNamed.get(lm.source);
      const pooledIn = producer ? pooledGroupOf(design, producer) : undefined;
      const inBlock: BlockShape = pooledIn !== undefined ? { rows: pooledIn.rows, cols: pooledIn.cols } : (memory.params.arrivalBlock ?? { rows: 1, cols: 1 });
      const lattice = block.ragged || inBlock.ragged ? coreLattice(lm, memory, inBlock, slotPositions, regionWidth, node) : undefined;
      const { rowStart, rowEnd, colStart, colEnd } = core.part;
      for (let c = colStart; c < colEnd; c++) {
        const sink = m.columnSinks[c];
        if (sink.replica !== Math.floor(c / outChannels) || sink.outChannel !== c % outChannels) {
          throw new Error(`RTL: column ${c} of ${lm.layer} is not replica-major, output channel fastest`);
        }
      }
      for (let r = rowStart; r < rowEnd; r++) {
        const src = m.rowSources[r];
        const slot = slotOf.get(`${src.dy},${src.dx}`);
        if (slot === undefined || slot * inChannels + src.channel !== r) {
          throw new Error(`RTL: rows of ${lm.layer} are not in (dx, dy, channel) order`);
        }
      }
      const rows = rowEnd - rowStart;
      const crossbarCols = colEnd - colStart;
      const dense = matrixWeights(m, params.weights, core.part);
      const weights = new Int32Array(rows * crossbarCols);
      dense.forEach((line, r) => line.forEach((w, k) => (weights[r * crossbarCols + k] = w)));
      const slotFirst = Math.floor(rowStart / inChannels);
      const slotLast = Math.floor((rowEnd - 1) / inChannels);
      const storedChannels = memory.channels;
      const storedChannelBase = storedChannels === inChannels ? 0 : m.rowSources[rowStart].channel;
      // The memory phase stores whole pixels for a row part that spans several kernel positions (src/memory/plan.ts).
      if (storedChannels !== inChannels && slotFirst !== slotLast) throw new Error(`RTL: row part ${id} of ${lm.layer} spans kernel positions but stores ${storedChannels} of ${inChannels} channels`);
      const partialCores = core.role === 'accumulate' ? layerCores.filter((s) => s.role === 'partial' && accumulatorOf(s, layerCores) === core).map((s) => s.id) : [];
      const inBits = memory.activationBits;
      const inUnsigned = isBinaryValue(producerOf(design.network, node));
      // A gathering core's neuron core walks the layer's columns (from replica 0), as an unsplit layer's does.
      const gathers = gathered && core.role === 'accumulate';
      const neuronColumns = gathers ? { start: 0, end: m.columnSinks.length } : { start: colStart, end: colEnd };
      const cols = neuronColumns.end - neuronColumns.start;
      const firstReplica = Math.floor(neuronColumns.start / outChannels);
      const coreReplicas = Math.floor((neuronColumns.end - 1) / outChannels) - firstReplica + 1;
      cores.push({
        core,
        layer: lm,
        node,
        memory,
        adc: compiled.adc,
        weights,
        weightBits: params.weightBits,
        rows,
        crossbarCols,
        cols,
        gathers,
        channelBase: neuronColumns.start,
        inChannels,
        inActivationBits: inBits,
        inUnsigned,
        replicas,
        block,
        edgeBlocks: hasEdgeBlocks(lm),
        outChannels,
        firstReplica,
        coreReplicas,
        regionHeight,
        regionRows,
        regionCols,
        inBlock,
        inPixels: blockPixels(inBlock),
        storedChannelBase,
        storedChannels,
        slotFirst,
        slotLast,
        slotPositions,
        lattice,
        rowBitOffset: (rowStart - slotFirst * inChannels - storedChannelBase) * inBits,
        partialCores,
        neuron:
          core.role === 'partial'
            ? undefined
            : neuronPlan(design, lm, node, compiled.adc, gathers ? lm.rowParts : partialCores.length + 1, params.batchNorm, residualPixels, mapping.layers, coreReplicas, replicas > 1 ? outChannels : cols, taps.get(lm.layer), firstReplica),
        crossbarAccBits: Math.max(adcNeedBits(rows, inBits, params.weightBits), compiled.adc.bits + compiled.adc.shift) + 2,
      });
    }
  }
  // A row part waits for its accumulating sibling's shortcut FIFO: the parts compute each block together.
  for (const p of cores) {
    if (p.core.role !== 'partial') continue;
    const sibling = cores.find((q) => q.layer === p.layer && q.partialCores.includes(p.core.id));
    if (sibling?.neuron?.residual) p.shortcutGate = sibling.core.id;
  }
  for (const p of cores) {
    if (p.neuron && p.replicas > 1 && p.neuron.pool) {
      const group = pooledGroupOf(design, p.layer)!;
      // A column part sends its share of the block's pooled pixels; the layer's pixel is its parts' side by side.
      p.neuron.pooledPixels = group.partPixels?.[p.core.part.colPart] ?? group.pixels;
      p.neuron.pooledGroup = { rows: group.rows, cols: group.cols };
      // (Method-1 edge blocks with a chain of pools stream through its stages, which skip the idle pixels; the chain
      // of a method-2 block or a column part pools by position in its stages.)
      const chain = p.neuron.laterPools.length > 0;
      // A method-1 queue takes the neuron core's pixels in column order (src/emit/rtl/poolQueue.ts): its stages too.
      if (group.queued && p.block.cols === 1) continue;
      // (A gathering core sees the whole block, as an unsplit layer's.)
      const ownParts = p.layer.colParts > 1 && !p.gathers;
      if (chain && (p.block.cols > 1 || ownParts)) p.neuron.stageColumns = chainPoolColumns(p.neuron.convHeight, p.neuron.convWidth, p.block, [p.neuron.pool, ...p.neuron.laterPools.map((l) => l.pool)]);
      else if (p.block.cols > 1 || ownParts || (p.edgeBlocks && !chain)) p.neuron.pool.byPosition = true;
    }
  }
  cores.sort((a, b) => a.core.index - b.core.index);
  const outputLayer = layerSending(mapping, design.network.output);
  if (!outputLayer) throw new Error(`RTL: no layer emits the network output ${design.network.output}`);
  return { design, mapping, cores, inputNode, inputPixels: inputPixelsPerTimestep(design, mapping, inputNode.name), outputLayer };
}
