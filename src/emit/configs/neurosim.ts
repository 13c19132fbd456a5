// NeuroSim inputs (DNN+NeuroSim V1.4 inference, NeuroSIM/main): the NetWork.csv layer table, one weight file and
// one input-trace file per weight layer, and the command line plus the Param.cpp values to set. Formats follow the
// framework's own trace writer (Inference_pytorch/utee/hook.py):
//  - NetWork.csv, no header, one line per weight layer: input height, input width, input channels, kernel height,
//    kernel width, output channels, pooling flag (1 when a pool follows in the layer's neuron core), stride;
//    a fully connected layer is a 1x1 layer on a 1x1 input with the flattened length as channels;
//  - weight file: rows = kernel positions in PyTorch order (c * Kh * Kw + ky * Kw + kx), columns = output channels,
//    the weight as a fraction of 2^(wb-1) (WAGE scale, (-1, 1)) printed like '%10.5f';
//  - input trace: the same rows, and for every input vector numBitInput columns (the one numBitInput of the run,
//    for every layer) holding its two's-complement bits, sign bit first (dec2bin). NeuroSim reads
//    (H-K+1)/S*(W-K+1)/S vectors, evaluated in double and truncated once (Chip.cpp), from NetWork.csv's unpadded
//    size; the vectors are the layer's own (padded, at stride S, row-major), as hook.py's stretch_input writes
//    them, of which NeuroSim reads the first.
import type { IrDesign, IrNode } from '../../ir/types.js';
import { nodeIndex } from '../../ir/nodeIndex.js';
import type { LayerMapping, Mapping } from '../../mapping/types.js';
import type { Tensor } from '../../reference/ops.js';
import { uniformPadding, windowCount, type Padding } from '../../ir/padding.js';

/** One NetWork.csv line's eight values. */
export interface NetworkRow {
  layer: string;
  inputHeight: number;
  inputWidth: number;
  inputChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  outputChannels: number;
  pooling: 0 | 1;
  stride: number;
}

const POOLS = new Set(['maxpool', 'avgpool', 'gap']);

export function networkRow(layer: LayerMapping, node: IrNode, fusedKinds: string[]): NetworkRow {
  const pooling: 0 | 1 = fusedKinds.some((k) => POOLS.has(k)) ? 1 : 0;
  const s = layer.inputShape;
  if (node.op.kind === 'fc') {
    return {
      layer: layer.layer,
      inputHeight: 1,
      inputWidth: 1,
      inputChannels: s.channels * s.height * s.width,
      kernelHeight: 1,
      kernelWidth: 1,
      outputChannels: node.op.outFeatures,
      pooling,
      stride: 1,
    };
  }
  if (node.op.kind !== 'conv') throw new Error(`neurosim: ${node.name} is not a weight layer`);
  return {
    layer: layer.layer,
    inputHeight: s.height,
    inputWidth: s.width,
    inputChannels: s.channels,
    kernelHeight: node.op.kernelHeight,
    kernelWidth: node.op.kernelWidth,
    outputChannels: node.op.outChannels,
    pooling,
    stride: node.op.stride,
  };
}

export function networkRows(design: IrDesign, mapping: Mapping): NetworkRow[] {
  const nodes = nodeIndex(design.network);
  return mapping.layers.map((l) => networkRow(l, nodes.get(l.layer)!, l.fused.map((f) => nodes.get(f)!.op.kind)));
}

export function networkLine(r: NetworkRow): string {
  return [r.inputHeight, r.inputWidth, r.inputChannels, r.kernelHeight, r.kernelWidth, r.outputChannels, r.pooling, r.stride].join(',');
}

/** Input vectors NeuroSim reads for a layer: (H-K+1)/S*(W-K+1)/S evaluated left to right in double, truncated once. */
export function neurosimVectorCount(r: NetworkRow): number {
  return Math.trunc((((r.inputHeight - r.kernelHeight + 1) / r.stride) * (r.inputWidth - r.kernelWidth + 1)) / r.stride);
}

/** The weight file's lines: kernel rows (c, ky, kx) x output channels, from OIHW integer weights. */
export function weightLines(r: NetworkRow, weights: ArrayLike<number>, weightBits: number): string[] {
  const scale = 2 ** (weightBits - 1);
  const kk = r.kernelHeight * r.kernelWidth;
  const rows = r.inputChannels * kk;
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const values: string[] = [];
    for (let o = 0; o < r.outputChannels; o++) values.push((weights[o * rows + row] / scale).toFixed(5).padStart(10));
    lines.push(values.join(','));
  }
  return lines;
}

/** Two's-complement bits of a signed `bits`-bit integer, sign bit first (hook.py dec2bin). */
export function twosComplementBits(value: number, bits: number): string[] {
  const unsigned = value < 0 ? value + 2 ** bits : value;
  const out: string[] = [];
  for (let b = bits - 1; b >= 0; b--) out.push(Math.floor(unsigned / 2 ** b) % 2 === 1 ? '1' : '0');
  return out;
}

/**
 * The input trace's lines for a layer whose input activations are `input` (CHW; for an fc the flattened vector):
 * one line per kernel row, `bitsPerVector` columns per vector (the run's numBitInput; values sign-extended), the
 * layer's own vectors (zero padding `padding` per side, stride S, row-major), the first neurosimVectorCount of them.
 */
export function inputTraceLines(r: NetworkRow, input: Tensor, bitsPerVector: number, padding: Padding = uniformPadding(0)): string[] {
  const count = neurosimVectorCount(r);
  const fc = r.inputHeight === 1 && r.inputWidth === 1;
  const { height: h, width: w } = fc ? { height: 1, width: 1 } : input.shape;
  const perRow = Math.max(1, windowCount(w, padding.left, padding.right, r.kernelWidth, r.stride));
  const positions = Math.max(1, windowCount(h, padding.top, padding.bottom, r.kernelHeight, r.stride) * perRow);
  const kk = r.kernelHeight * r.kernelWidth;
  // Every activation value's bits, joined once: the traces repeat each value up to Kh * Kw times. A threshold's
  // unsigned 0/1 needs the value 1 even when the run has 1 input bit (-1 and 1 then share the bit pattern '1').
  const offset = 2 ** (bitsPerVector - 1);
  const largest = Math.max(offset - 1, 1);
  const bitText = Array.from({ length: offset + largest + 1 }, (_, i) => twosComplementBits(i - offset, bitsPerVector).join(','));
  const lines: string[][] = Array.from({ length: r.inputChannels * kk }, () => new Array<string>(count));
  for (let v = 0; v < count; v++) {
    // NeuroSim never reads more vectors than the layer has (H-K+1 <= H+2P-K+1); the modulo only guards.
    const p = v % positions;
    const y0 = Math.floor(p / perRow) * r.stride - padding.top;
    const x0 = (p % perRow) * r.stride - padding.left;
    for (let c = 0; c < r.inputChannels; c++) {
      for (let ky = 0; ky < r.kernelHeight; ky++) {
        for (let kx = 0; kx < r.kernelWidth; kx++) {
          const y = y0 + ky;
          const x = x0 + kx;
          const value = y < 0 || x < 0 || y >= h || x >= w ? 0 : input.data[(c * h + y) * w + x];
          lines[c * kk + ky * r.kernelWidth + kx][v] = bitText[value + offset];
        }
      }
    }
  }
  return lines.map((l) => l.join(','));
}

/** The parameters of one NeuroSim run: the command line's and the Param.cpp values imcc sets. */
export interface NeuroSimSetup {
  synapseBit: number;
  numBitInput: number;
  numRowSubArray: number;
  numColSubArray: number;
  numRowParallel: number;
  cellBit: number;
  levelOutput: number;
  novelMapping: boolean;
  /** Ohms; absent (NeuroSim's defaults) without a device block. */
  resistanceOn?: number;
  resistanceOff?: number;
  /** Why the target could not be expressed as given (the compile warnings). */
  subArrayReduced: boolean;
  unexpressed: string[];
}

/**
 * NeuroSim's chip hierarchy (Chip.cpp ChipDesignInitialize and ChipFloorPlan): with novelMapping, the layers whose
 * kernel area is the most common one (not 1) and whose Cin x K x K reaches numRowSubArray get a PE of
 * 2^ceil(log2(Cout x cells per weight)), which must be at least 2 x numRowSubArray; without novelMapping every
 * layer gets a tile of that size, which must be at least 4 x numRowSubArray.
 */
export function hierarchyHolds(rows: NetworkRow[], numRowSubArray: number, cellsPerWeight: number, novelMapping: boolean): boolean {
  const cube = (r: NetworkRow): number => 2 ** Math.ceil(Math.log2(r.outputChannels * cellsPerWeight));
  if (!novelMapping) return Math.max(...rows.map(cube)) >= 4 * numRowSubArray;
  let most = 0;
  let numPE = 0;
  for (const a of rows) {
    const area = a.kernelHeight * a.kernelWidth;
    let count = 1;
    for (const b of rows) {
      if (area === b.kernelHeight * b.kernelWidth && area !== 1) count++;
      if (most < count) {
        most = count;
        numPE = area;
      }
    }
  }
  const novel = rows.filter((r) => r.kernelHeight * r.kernelWidth === numPE && r.inputChannels * r.kernelHeight * r.kernelWidth >= numRowSubArray);
  return novel.length > 0 && Math.max(...novel.map(cube)) >= 2 * numRowSubArray;
}

export interface NeuroSimTarget {
  rows: number;
  cols: number;
  adcBits: number;
  /** Device levels (imcc's default for the weights when the target has no device block). */
  levels: number;
  differential: boolean;
  resistanceOn?: number;
  resistanceOff?: number;
}

/**
 * The setup: the largest power-of-two subarray up to the target's crossbar (novelMapping first) for which the
 * hierarchy holds; every row read at once (numRowParallel = subarray rows, as imcc reads a
 * tile); cellBit = floor(log2(levels)); levelOutput = the lossless level count of one read,
 * numRowParallel x (2^cellBit - 1) + 1, rounded up to a power of two as NeuroSim requires, or 2^ADC bits when
 * that is smaller.
 */
export function neurosimSetup(rows: NetworkRow[], target: NeuroSimTarget, weightBits: number[], activationBits: number[]): NeuroSimSetup {
  const synapseBit = Math.max(...weightBits);
  const numBitInput = Math.max(...activationBits);
  const unexpressed: string[] = [];
  const cellBit = Math.min(Math.max(1, Math.floor(Math.log2(target.levels))), synapseBit);
  if (2 ** cellBit !== target.levels) unexpressed.push(`${target.levels} device levels: NeuroSim's cellBit ${cellBit} stores ${2 ** cellBit} levels per cell`);
  if (target.differential) unexpressed.push('differential pairs: NeuroSim stores a weight in offset binary over cells of cellBit bits, with no G+ - G- pair');
  if (new Set(weightBits).size > 1 || new Set(activationBits).size > 1) {
    unexpressed.push(`mixed bit widths: NeuroSim runs every layer with synapseBit ${synapseBit} and numBitInput ${numBitInput}`);
  }
  const cellsPerWeight = Math.ceil(synapseBit / cellBit);
  // Powers of two, as NeuroSim's PE and tile sizes are.
  const candidates: number[] = [];
  for (let n = 2 ** Math.floor(Math.log2(target.rows)); n >= 2; n /= 2) candidates.push(n);
  let chosen: { size: number; novelMapping: boolean } | undefined;
  for (const novelMapping of [true, false]) {
    const size = candidates.find((n) => hierarchyHolds(rows, n, cellsPerWeight, novelMapping));
    if (size !== undefined && (!chosen || size > chosen.size)) chosen = { size, novelMapping };
  }
  if (!chosen) {
    unexpressed.push("a chip hierarchy for these layers: no subarray of 2 rows or more fits (too few output columns); NeuroSim will stop with 'SubArray Size is too large'");
    chosen = { size: 2, novelMapping: false };
  }
  const numRowSubArray = chosen.size;
  const lossless = numRowSubArray * (2 ** cellBit - 1) + 1;
  const levelOutput = Math.min(2 ** Math.ceil(Math.log2(lossless)), 2 ** target.adcBits);
  return {
    synapseBit,
    numBitInput,
    numRowSubArray,
    numColSubArray: numRowSubArray,
    numRowParallel: numRowSubArray,
    cellBit,
    levelOutput,
    novelMapping: chosen.novelMapping,
    resistanceOn: target.resistanceOn,
    resistanceOff: target.resistanceOff,
    subArrayReduced: numRowSubArray < target.rows,
    unexpressed,
  };
}

/** File-name-safe layer name (layer names may contain dots from block instances). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
