// referenceInference: integer inference through the mapped design exactly as the hardware computes it. For every
// block of output pixels of a weight layer, each tile multiplies its rectangle of the collective kernel matrix by the
// input rows it is wired to (padding rows read zero), the ADC converts every column, the accumulating core adds the
// row parts and rescales, and the neuron core runs the layer's fused ops. Index tables are built once per layer so
// the per-block loops touch typed arrays only.
import { IfNeurons, runTimesteps } from './spiking.js';
import type { IrDesign, IrNode, Shape } from '../ir/types.js';
import { isWeightOp } from '../ir/types.js';
import { layerIndex } from '../mapping/layerIndex.js';
import type { Core, LayerMapping, Mapping } from '../mapping/types.js';
import { blockOrigins, isRaggedBlock, type BlockOrigin } from '../mapping/block.js';
import { adcConvertExact, adcConvertRange, rescalePartialSums, resolveAdc, type AdcModel } from './arithmetic.js';
import { runColumnSums, runColumnSumsExact, runScratch, runWeightIndex, type ColumnRun } from './columnSums.js';
import { dotProductBound, layerArithmetic, partialSumBound, type LayerArithmetic } from './exactness.js';
import { layerParameters, type LayerParameters } from './network.js';
import { nodeNamed, producerOf, sentVolume } from '../ir/nodeIndex.js';
import { requantizeTensor, type Tensor } from './ops.js';
import {
  evaluateActivationOp,
  evaluateFoldedBatchNorm,
  evaluateNode,
  finishResult,
  inputTensor,
  valueOf,
  type InferenceResult,
  type NodeValues,
} from './evaluate.js';

/** One tile's part of a layer, compiled to index tables. */
interface CompiledPart {
  core: Core;
  rowCount: number;
  colStart: number;
  colCount: number;
  /** Per row: channel offset in the input tensor (c * H * W) and pixel offset (dy, dx) from the block origin. */
  rowChannelBase: Int32Array;
  rowDy: Int32Array;
  rowDx: Int32Array;
  /** Per row: rowChannelBase + dy * W + dx, the offset from the block origin when no row reads padding. */
  rowOffset: Int32Array;
  maxDy: number;
  maxDx: number;
  /**
   * The part's columns in runs of one replica each (columns are replica-major). All columns of a run read the same
   * rows (those inside the replica's patch): the run gathers them once per block, and each column is then a
   * contiguous dot product.
   */
  runs: ColumnRun[];
  /** Dense weights, built on first use by a `tileProduct` model. */
  dense?: TileWeights;
}

/** A tile's rectangle of the collective kernel matrix, dense, row-major (rows x cols). */
export interface TileWeights {
  layer: string;
  core: string;
  rows: number;
  cols: number;
  weights: Int32Array;
}

/** Replaces step 1 (the exact column sums) of every tile, e.g. by an analog crossbar model. */
export type TileProduct = (tile: TileWeights, input: Int32Array) => ArrayLike<number>;

interface CompiledLayer {
  node: IrNode;
  layer: LayerMapping;
  adc: AdcModel;
  /** Numbers where the layer's worst case stays within 2^53, BigInt where it does not (./exactness.ts). */
  arithmetic: LayerArithmetic;
  /** Shape the rows index: the input tensor, or for an fc with a 1x1 kernel its flattened (N, 1, 1) view. */
  inputShape: Shape;
  stride: number;
  /** Top and left padding: where the first window starts (the other sides only add outputs). */
  padTop: number;
  padLeft: number;
  /** Output-pixel origins of the blocks in arrival order (a grid, or a ragged block's lattice: mapping/block.ts). */
  origins: BlockOrigin[];
  /**
   * Input rows and columns some output pixel's window reaches: an edge block's idle replicas see zeros past them (the
   * memory schedule's Z: no read), which only their own columns weigh.
   */
  readHeight: number;
  readWidth: number;
  /**
   * Kernel window size: a ragged block's idle (off-plane) replicas also see zeros at the region positions no active
   * replica reads (the schedule's Z there too), whatever lies in the image.
   */
  kernelHeight: number;
  kernelWidth: number;
  parts: CompiledPart[];
  /** Per collective-matrix column: output channel and replica offset. */
  colChannel: Int32Array;
  colOy: Int32Array;
  colOx: Int32Array;
}

/** Column outputs of one core for every block it computed, block-major in arrival order (for the analog model). */
export interface CoreColumnOutputs {
  core: string;
  layer: string;
  rowPart: number;
  colPart: number;
  /** Columns of this core (its part of the collective kernel matrix). */
  columns: number;
  /** Output-pixel origin (y, x) of each block, in arrival order (x outer, y inner). */
  blockOrigins: Array<{ y: number; x: number }>;
  /** blocks * columns: exact column sums before the ADC (their nearest doubles past 2^53), and the ADC codes after it. */
  preAdc: Float64Array;
  postAdc: Int32Array;
}

/** A weight layer's result in the mapped model. */
export interface LayerResult {
  layer: string;
  adc: AdcModel;
  /** Node whose values the layer's neuron core sends on: the last fused op, or the layer itself. */
  outputNode: string;
  /** Shape of the activations sent (a trailing flatten is undone: the core sends pixels). */
  shape: Shape;
  /** Activations the neuron core sends (after its fused ops), CHW. */
  activations: Int32Array;
}

export interface ReferenceResult extends InferenceResult {
  layers: LayerResult[];
  /** Present when `recordColumns` was asked for: one entry per core, layers in network order, each layer's cores in mapping order. */
  cores?: CoreColumnOutputs[];
  /**
   * Present when `recordTimesteps` was asked for on an integrate-and-fire design: each of the T timesteps' own
   * result (its output node's values, not their sum), as the RTL computes them one timestep after the other.
   */
  timesteps?: ReferenceResult[];
}

export interface ReferenceOptions {
  /** Record every core's column outputs before and after the ADC (costs memory; off by default). */
  recordColumns?: boolean;
  /** With integrate-and-fire neurons, also return every timestep's result (ReferenceResult.timesteps). */
  recordTimesteps?: boolean;
  /** Column sums of a tile for one block's input; they go through the same ADC (default: exact integer sums). */
  tileProduct?: TileProduct;
}

function denseWeights(layer: string, part: CompiledPart): TileWeights {
  if (part.dense) return part.dense;
  const weights = new Int32Array(part.rowCount * part.colCount);
  for (const run of part.runs) {
    for (let i = 0; i < run.rows.length; i++) {
      for (let k = 0; k < run.colCount; k++) weights[run.rows[i] * part.colCount + run.colOffset + k] = run.weights[runWeightIndex(i, k, run.rows.length, run.colCount)];
    }
  }
  part.dense = { layer, core: part.core.id, rows: part.rowCount, cols: part.colCount, weights };
  return part.dense;
}

/** weights[g0 * n + i * width + j] = layerWeights[bases[g0 + j] + at[i]]: one column group of a run, as runWeightIndex lays it out. */
function fillWeightGroup(weights: Float64Array, layerWeights: Int32Array, at: Int32Array, bases: Int32Array, g0: number, width: number, n: number): void {
  let out = g0 * n;
  for (let i = 0; i < n; i++) {
    const row = at[i];
    for (let j = 0; j < width; j++) weights[out++] = layerWeights[bases[g0 + j] + row];
  }
}

function compileLayer(
  node: IrNode,
  layer: LayerMapping,
  mapping: Mapping,
  params: LayerParameters,
  inputNode: IrNode,
  design: IrDesign,
): CompiledLayer {
  const m = layer.matrix;
  const op = node.op;
  if (op.kind !== 'conv' && op.kind !== 'fc') throw new Error(`reference: ${node.name} is not a weight layer`);
  // The rows index the volume the layer's cores receive (the mapping's inputShape; for an fc that is the volume
  // before any flatten, whose CHW data is the flattened vector unchanged). An fc's OIHW weights over the flattened
  // input are also OIHW with a kernel covering that whole volume: a 1x1 collective kernel addresses the flattened
  // vector, a full-volume one the CHW volume.
  const inShape = layer.inputShape;
  const flatFc = op.kind === 'fc' && m.kernelHeight * m.kernelWidth === 1;
  const inputShape: Shape = flatFc
    ? { channels: inShape.channels * inShape.height * inShape.width, height: 1, width: 1 }
    : inShape;
  const cin = inputShape.channels;
  const fh = op.kind === 'conv' ? op.kernelHeight : m.kernelHeight;
  const fw = op.kind === 'conv' ? op.kernelWidth : m.kernelWidth;
  if (op.kind === 'fc' && !flatFc && (fh !== inShape.height || fw !== inShape.width)) {
    throw new Error(`reference: ${node.name}: an fc kernel must cover its whole ${inShape.height}x${inShape.width} input`);
  }
  const received = inShape.channels * inShape.height * inShape.width;
  const produced = inputNode.shape.channels * inputNode.shape.height * inputNode.shape.width;
  if (received !== produced) {
    throw new Error(`reference: ${node.name}: the mapping's input shape has ${received} values, ${inputNode.name} gives ${produced}`);
  }
  const stride = op.kind === 'conv' ? op.stride : 1;
  const padTop = op.kind === 'conv' ? op.padding.top : 0;
  const padLeft = op.kind === 'conv' ? op.padding.left : 0;
  const cout = params.shape.outChannels;
  if (m.kernelRows !== fh * fw * cin || m.kernelCols !== cout) {
    throw new Error(`reference: ${node.name}: kernel matrix ${m.kernelRows}x${m.kernelCols} does not match ${fh}x${fw}x${cin} -> ${cout}`);
  }

  const nCols = m.columnSinks.length;
  const colChannel = new Int32Array(nCols);
  const colOy = new Int32Array(nCols);
  const colOx = new Int32Array(nCols);
  for (let j = 0; j < nCols; j++) {
    const sink = m.columnSinks[j];
    const rep = m.replicas[sink.replica];
    colChannel[j] = sink.outChannel;
    colOy[j] = rep.oy;
    colOx[j] = rep.ox;
  }
  const origins = blockOrigins(m.replicas, { height: node.shape.height, width: node.shape.width });

  const coresById = new Map(mapping.cores.map((c) => [c.id, c]));
  const layerWeights = params.weights;
  const parts: CompiledPart[] = [];
  let largestRows = 0;
  for (const id of layer.cores) {
    const core = coresById.get(id);
    if (!core) throw new Error(`reference: ${node.name}: core ${id} is not in the mapping`);
    const { rowStart, rowEnd, colStart, colEnd } = core.part;
    const rowCount = rowEnd - rowStart;
    const colCount = colEnd - colStart;
    largestRows = Math.max(largestRows, rowCount);
    const rowChannelBase = new Int32Array(rowCount);
    const rowDy = new Int32Array(rowCount);
    const rowDx = new Int32Array(rowCount);
    const rowOffset = new Int32Array(rowCount);
    let maxDy = 0;
    let maxDx = 0;
    for (let r = 0; r < rowCount; r++) {
      const src = m.rowSources[rowStart + r];
      rowChannelBase[r] = src.channel * inputShape.height * inputShape.width;
      rowDy[r] = src.dy;
      rowDx[r] = src.dx;
      rowOffset[r] = rowChannelBase[r] + src.dy * inputShape.width + src.dx;
      maxDy = Math.max(maxDy, src.dy);
      maxDx = Math.max(maxDx, src.dx);
    }
    const runs: ColumnRun[] = [];
    for (let k = 0; k < colCount; ) {
      const replica = m.columnSinks[colStart + k].replica;
      let end = k + 1;
      while (end < colCount && m.columnSinks[colStart + end].replica === replica) end++;
      const { oy, ox } = m.replicas[replica];
      const rows: number[] = [];
      const positions: number[] = [];
      for (let r = 0; r < rowCount; r++) {
        const src = m.rowSources[rowStart + r];
        // The device at (row, column) holds the weight of the kernel position this input pixel has in the
        // column's replica, if it lies inside the kernel (otherwise it is unmapped: zero).
        const ky = src.dy - oy * stride;
        const kx = src.dx - ox * stride;
        if (ky < 0 || ky >= fh || kx < 0 || kx >= fw) continue;
        rows.push(r);
        positions.push((src.channel * fh + ky) * fw + kx);
      }
      const runCols = end - k;
      const n = rows.length;
      const at = Int32Array.from(positions);
      const weights = new Float64Array(n * runCols);
      const bases = Int32Array.from({ length: runCols }, (_, c) => m.columnSinks[colStart + k + c].outChannel * cin * fh * fw);
      // runWeightIndex's groups of 8, then 4, then single columns, each filled in storage order (compiling a ResNet-18
      // copies 11 M weights here; column by column, the writes strode a cache line apart).
      const full8 = runCols - (runCols % 8);
      const quadEnd = runCols - full8 >= 4 ? full8 + 4 : full8;
      for (let g0 = 0; g0 < runCols; ) {
        const width = g0 < full8 ? 8 : g0 < quadEnd ? 4 : 1;
        fillWeightGroup(weights, layerWeights, at, bases, g0, width, n);
        g0 += width;
      }
      runs.push({ colOffset: k, colCount: runCols, rows: Int32Array.from(rows), weights });
      k = end;
    }
    parts.push({
      core,
      rowCount,
      colStart,
      colCount,
      rowChannelBase,
      rowDy,
      rowDx,
      rowOffset,
      maxDy,
      maxDx,
      runs,
    });
  }
  const adc = resolveAdc(design.target.crossbar, largestRows, inputNode.activationBits, params.weightBits);
  const rowParts = new Set(parts.map((p) => p.core.part.rowPart)).size;
  const columnSum = dotProductBound(largestRows, inputNode.activationBits, params.weightBits);
  const arithmetic = layerArithmetic({
    columnSum,
    accumulator: partialSumBound(rowParts, adc.bits, adc.shift, columnSum),
    requantShift: params.requantShift,
    batchNorm: params.batchNorm,
  });
  const readHeight = Math.min(inputShape.height, (node.shape.height - 1) * stride - padTop + fh);
  const readWidth = Math.min(inputShape.width, (node.shape.width - 1) * stride - padLeft + fw);
  return { node, layer, adc, arithmetic, inputShape, stride, padTop, padLeft, origins, readHeight, readWidth, kernelHeight: fh, kernelWidth: fw, parts, colChannel, colOy, colOx };
}

/** Runs every block of one layer through its tiles; returns the accumulator P (CHW) of the accumulating cores. */
function runLayer(compiled: CompiledLayer, input: Tensor, record: CoreColumnOutputs[] | null, tileProduct?: TileProduct): Tensor {
  const { node, adc, arithmetic, inputShape, stride, padTop, padLeft, origins, readHeight, readWidth, parts, colChannel, colOy, colOx } = compiled;
  const { width: iw } = inputShape;
  const { channels: oc, height: oh, width: ow } = node.shape;
  const x = input.data;
  const out = new Float64Array(oc * oh * ow);
  const written = new Uint8Array(out.length);
  const nCols = colChannel.length;
  const psum = new Float64Array(nCols);
  const maxRows = parts.reduce((a, p) => Math.max(a, p.rowCount), 0);
  const xvec = new Float64Array(maxRows);
  const scratch = runScratch(maxRows);
  const sums = new Float64Array(parts.reduce((a, p) => Math.max(a, p.colCount), 0));
  const codes = new Float64Array(sums.length);
  // The BigInt path of a layer whose worst case passes 2^53: exact column sums and accumulators. A tileProduct's
  // (analog) sums are doubles, not exact integers: they take the number ADC, and the accumulator follows the layer's
  // decision, made for exact sums.
  const exactSums = arithmetic.columnSums === 'bigint' && !tileProduct ? new Array<bigint>(sums.length).fill(0n) : null;
  const exactPsum = arithmetic.neuron === 'bigint' ? new Array<bigint>(nCols).fill(0n) : null;
  const exactOut = exactPsum ? new Array<bigint>(out.length).fill(0n) : null;
  const nBlocks = origins.length;
  const records = record
    ? parts.map((p) => {
        const r: CoreColumnOutputs = {
          core: p.core.id,
          layer: node.name,
          rowPart: p.core.part.rowPart,
          colPart: p.core.part.colPart,
          columns: p.colCount,
          blockOrigins: [],
          preAdc: new Float64Array(nBlocks * p.colCount),
          postAdc: new Int32Array(nBlocks * p.colCount),
        };
        record.push(r);
        return r;
      })
    : null;
  // Blocks arrive column by column (x outer, y inner), like the pixels they are computed from.
  const replicas = compiled.layer.matrix.replicas;
  const ragged = isRaggedBlock(replicas);
  for (let block = 0; block < nBlocks; block++) {
    const { y: y0, x: x0 } = origins[block];
    const iy0 = y0 * stride - padTop;
    const ix0 = x0 * stride - padLeft;
    // A ragged block with off-plane replicas: the region positions only they read are zeros.
    const active = ragged ? replicas.filter((r) => y0 + r.oy >= 0 && y0 + r.oy < oh && x0 + r.ox >= 0 && x0 + r.ox < ow) : replicas;
    const read =
      active.length === replicas.length
        ? null
        : (dy: number, dx: number): boolean =>
            active.some((r) => dy >= r.oy * stride && dy < r.oy * stride + compiled.kernelHeight && dx >= r.ox * stride && dx < r.ox * stride + compiled.kernelWidth);
    psum.fill(0);
    exactPsum?.fill(0n);
    for (let pi = 0; pi < parts.length; pi++) {
      const part = parts[pi];
      const { rowChannelBase, rowDy, rowDx, runs, colStart, colCount } = part;
      if (read !== null) {
        for (let r = 0; r < part.rowCount; r++) {
          const iy = iy0 + rowDy[r];
          const ix = ix0 + rowDx[r];
          xvec[r] = iy >= 0 && iy < readHeight && ix >= 0 && ix < readWidth && read(rowDy[r], rowDx[r]) ? x[rowChannelBase[r] + iy * iw + ix] : 0;
        }
      } else if (iy0 >= 0 && ix0 >= 0 && iy0 + part.maxDy < readHeight && ix0 + part.maxDx < readWidth) {
        // Interior block: no row reads padding.
        const base = iy0 * iw + ix0;
        const { rowOffset } = part;
        for (let r = 0; r < part.rowCount; r++) xvec[r] = x[base + rowOffset[r]];
      } else {
        for (let r = 0; r < part.rowCount; r++) {
          const iy = iy0 + rowDy[r];
          const ix = ix0 + rowDx[r];
          xvec[r] = iy >= 0 && iy < readHeight && ix >= 0 && ix < readWidth ? x[rowChannelBase[r] + iy * iw + ix] : 0;
        }
      }
      const rec = records ? records[pi] : null;
      if (rec) rec.blockOrigins.push({ y: y0, x: x0 });
      const modelled = tileProduct ? tileProduct(denseWeights(node.name, part), new Int32Array(xvec.subarray(0, part.rowCount))) : null;
      if (modelled && modelled.length !== colCount) {
        throw new Error(`reference: tileProduct gave ${modelled.length} columns for core ${part.core.id}, which has ${colCount}`);
      }
      if (modelled) for (let k = 0; k < colCount; k++) sums[k] = modelled[k];
      else if (exactSums) {
        for (let ri = 0; ri < runs.length; ri++) runColumnSumsExact(runs[ri], xvec, exactSums);
      } else {
        for (let ri = 0; ri < runs.length; ri++) runColumnSums(runs[ri], xvec, scratch, sums);
      }
      if (exactSums) {
        for (let k = 0; k < colCount; k++) {
          const code = adcConvertExact(exactSums[k], adc);
          if (exactPsum) exactPsum[colStart + k] += code;
          codes[k] = Number(code);
          sums[k] = Number(exactSums[k]);
        }
      } else {
        adcConvertRange(sums, codes, colCount, adc);
        if (exactPsum) for (let k = 0; k < colCount; k++) exactPsum[colStart + k] += BigInt(codes[k]);
      }
      if (!exactPsum) for (let k = 0; k < colCount; k++) psum[colStart + k] += codes[k];
      if (rec) {
        rec.preAdc.set(sums.subarray(0, colCount), block * colCount);
        rec.postAdc.set(codes.subarray(0, colCount), block * colCount);
      }
    }
    for (let j = 0; j < nCols; j++) {
      const y = y0 + colOy[j];
      const xo = x0 + colOx[j];
      if (y < 0 || y >= oh || xo < 0 || xo >= ow) continue;
      const at = (colChannel[j] * oh + y) * ow + xo;
      if (exactPsum && exactOut) {
        exactOut[at] = exactPsum[j] << BigInt(adc.shift);
        out[at] = Number(exactOut[at]);
      } else {
        out[at] = rescalePartialSums(psum[j], adc);
      }
      written[at] = 1;
    }
  }
  const missing = written.indexOf(0);
  if (missing >= 0) {
    throw new Error(`reference: ${node.name}: the mapping computes no value for output element ${missing}`);
  }
  return exactOut ? { shape: node.shape, data: out, exact: exactOut } : { shape: node.shape, data: out };
}

/** Where each fused node sits: its weight layer and position in the layer's fused chain. */
interface FusedPlace {
  layer: LayerMapping;
  position: number;
}

/** A mapped design compiled once for many images (index tables per layer). */
export interface CompiledReference {
  design: IrDesign;
  mapping: Mapping;
  params: Map<string, LayerParameters>;
  layers: Map<string, CompiledLayer>;
  fused: Map<string, FusedPlace>;
}

export function compileReference(design: IrDesign, mapping: Mapping): CompiledReference {
  const params = layerParameters(design);
  const layers = new Map<string, CompiledLayer>();
  const fused = new Map<string, FusedPlace>();
  const byLayer = layerIndex(mapping);
  for (const node of design.network.nodes) {
    if (!isWeightOp(node.op)) continue;
    const lm = byLayer.get(node.name);
    if (!lm) throw new Error(`reference: weight layer ${node.name} is not in the mapping`);
    const inputNode = producerOf(design.network, node);
    layers.set(node.name, compileLayer(node, lm, mapping, params.get(node.name)!, inputNode, design));
    lm.fused.forEach((name, position) => fused.set(name, { layer: lm, position }));
  }
  return { design, mapping, params, layers, fused };
}

/** One fused op of a layer's neuron core, applied to the chain's previous value. */
function runFused(ref: CompiledReference, node: IrNode, place: FusedPlace, values: NodeValues, neurons?: IfNeurons): void {
  const { layer, position } = place;
  const previous = position === 0 ? layer.layer : layer.fused[position - 1];
  if (!node.inputs.includes(previous)) {
    throw new Error(`reference: fused op ${node.name} does not consume ${previous}`);
  }
  if (node.op.kind === 'batchnorm') {
    if (position !== 0) throw new Error(`reference: batch norm ${node.name} is not the first fused op of ${layer.layer}`);
    values.set(node.name, evaluateFoldedBatchNorm(node, valueOf(values, layer.layer), ref.params.get(layer.layer)!));
    return;
  }
  const main = valueOf(values, previous);
  if (node.op.kind === 'add') {
    const other = node.inputs[0] === previous ? node.inputs[1] : node.inputs[0];
    if (layer.residualFrom !== undefined && layer.residualFrom !== other) {
      throw new Error(`reference: ${node.name}: mapping says the shortcut comes from ${layer.residualFrom}, the network from ${other}`);
    }
    values.set(node.name, evaluateActivationOp(node, [main, valueOf(values, other)], node.shape));
    return;
  }
  values.set(node.name, evaluateActivationOp(node, [main], node.shape, neurons));
}

/** Inference of one image through a compiled mapped design. */
export function runReference(ref: CompiledReference, image: Int32Array, options: ReferenceOptions = {}): ReferenceResult {
  const { design, params } = ref;
  const spiking = design.target.neuronCore.spiking;
  // Column outputs are recorded for the last timestep only: each pass records the cores afresh.
  let cores: CoreColumnOutputs[] | null = null;
  const timesteps: ReferenceResult[] | null = spiking && options.recordTimesteps ? [] : null;
  const pass = (neurons?: IfNeurons): NodeValues => {
    const values: NodeValues = new Map();
    cores = options.recordColumns ? [] : null;
    // Network order: a fused residual add may wait for a shortcut computed after its own layer.
    for (const node of design.network.nodes) {
      if (node.op.kind === 'input') {
        values.set(node.name, inputTensor(design, image));
        continue;
      }
      const compiled = ref.layers.get(node.name);
      if (compiled) {
        const p = params.get(node.name)!;
        const acc = runLayer(compiled, valueOf(values, node.inputs[0]), cores, options.tileProduct);
        const first = compiled.layer.fused[0];
        const bnFirst = first !== undefined && nodeNamed(design.network, first).op.kind === 'batchnorm';
        // Requantization follows the batch norm when it is the first fused op, otherwise the accumulator.
        values.set(node.name, bnFirst ? acc : requantizeTensor(acc, p.requantShift, node.activationBits));
        continue;
      }
      const place = ref.fused.get(node.name);
      if (place) runFused(ref, node, place, values, neurons);
      else values.set(node.name, evaluateNode(node, values, design.network, params, neurons));
    }
    // Recorded now: runTimesteps replaces the last timestep's output by the sum over all of them.
    if (timesteps) timesteps.push(resultOf(ref, image, new Map(values), cores));
    return values;
  };
  const values = spiking ? runTimesteps(design, spiking, pass) : pass();
  const result = resultOf(ref, image, values, cores as CoreColumnOutputs[] | null);
  return timesteps ? { ...result, timesteps } : result;
}

/** The reference result of one image's node values (and the cores' columns, when recorded). */
function resultOf(ref: CompiledReference, image: Int32Array, values: NodeValues, recorded: CoreColumnOutputs[] | null): ReferenceResult {
  const { design } = ref;
  const result = finishResult(design, image, values);
  const layers: LayerResult[] = [];
  for (const compiled of ref.layers.values()) {
    const lm = compiled.layer;
    const outputNode = lm.output ?? (lm.fused.length > 0 ? lm.fused[lm.fused.length - 1] : lm.layer);
    const v = valueOf(values, outputNode);
    // A flatten changes no data; the core still sends pixels, so report the volume it sends.
    layers.push({
      layer: lm.layer,
      adc: compiled.adc,
      outputNode,
      shape: sentVolume(design.network, nodeNamed(design.network, outputNode)),
      activations: new Int32Array(v.data),
    });
  }
  return recorded ? { ...result, layers, cores: recorded } : { ...result, layers };
}

/** Integer inference of `image` (CHW) through `mapping` of `design`, exactly as the hardware computes it. */
export function referenceInference(
  design: IrDesign,
  mapping: Mapping,
  image: Int32Array,
  options: ReferenceOptions = {},
): ReferenceResult {
  return runReference(compileReference(design, mapping), image, options);
}
