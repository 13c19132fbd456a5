// NeuroSim inputs (DNN+NeuroSim V1.4 inference, NeuroSIM/main): the NetWork.csv layer table, one weight file and
// one input-trace file per weight layer, and the command line plus the Param.cpp values to set. Formats follow the
// framework's own trace writer (Inference_pytorch/utee/hook.py):
//  - NetWork.csv, no header, one line per weight layer: input height, input width, input channels, kernel height,
//    kernel width, output channels, pooling flag (1 when a pool follows in the layer's neuron core), stride;
//    a fully connected layer is a 1x1 layer on a 1x1 input with the flattened length as channels;
//  - weight file: rows = kernel positions in PyTorch order (c * Kh * Kw + ky * Kw + kx), columns = output channels,
//    the weight as a fraction of 2^(wb-1) (WAGE scale, (-1, 1)) printed like '%10.5f';
//  - input trace: the same rows, and for every input vector numBitInput columns holding its two's-complement bits,
//    sign bit first (dec2bin); NeuroSim reads ((H-K+1)/S) * (W-K+1) / S vectors (C integer arithmetic), taken
//    without padding at stride S, as hook.py's stretch_input writes them.
import type { IrDesign, IrNode } from '../../ir/types.js';
import type { LayerMapping, Mapping } from '../../mapping/types.js';
import type { Tensor } from '../../reference/ops.js';

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
  const nodes = new Map(design.network.nodes.map((n) => [n.name, n]));
  return mapping.layers.map((l) => networkRow(l, nodes.get(l.layer)!, l.fused.map((f) => nodes.get(f)!.op.kind)));
}

export function networkLine(r: NetworkRow): string {
  return [r.inputHeight, r.inputWidth, r.inputChannels, r.kernelHeight, r.kernelWidth, r.outputChannels, r.pooling, r.stride].join(',');
}

/** Input vectors NeuroSim reads for a layer: (H-K+1)/S*(W-K+1)/S evaluated left to right in C int arithmetic. */
export function neurosimVectorCount(r: NetworkRow): number {
  return Math.floor((Math.floor((r.inputHeight - r.kernelHeight + 1) / r.stride) * (r.inputWidth - r.kernelWidth + 1)) / r.stride);
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
 * one line per kernel row, numBitInput columns per vector, vectors at stride S over the unpadded input.
 */
export function inputTraceLines(r: NetworkRow, input: Tensor, activationBits: number): string[] {
  const count = neurosimVectorCount(r);
  const { height: h, width: w } = r.inputHeight === 1 && r.inputWidth === 1 ? { height: 1, width: 1 } : input.shape;
  const perRow = Math.max(1, Math.floor((r.inputWidth - r.kernelWidth) / r.stride) + 1);
  const positions = Math.max(1, (Math.floor((r.inputHeight - r.kernelHeight) / r.stride) + 1) * perRow);
  const kk = r.kernelHeight * r.kernelWidth;
  // Every activation value's bits, joined once: the traces repeat each value up to Kh * Kw times.
  const offset = 2 ** (activationBits - 1);
  const bitText = Array.from({ length: 2 * offset }, (_, i) => twosComplementBits(i - offset, activationBits).join(','));
  const lines: string[][] = Array.from({ length: r.inputChannels * kk }, () => new Array<string>(count));
  for (let v = 0; v < count; v++) {
    // Row-major positions; a count beyond the positions (odd sizes) wraps around.
    const p = v % positions;
    const y0 = Math.floor(p / perRow) * r.stride;
    const x0 = (p % perRow) * r.stride;
    for (let c = 0; c < r.inputChannels; c++) {
      for (let ky = 0; ky < r.kernelHeight; ky++) {
        for (let kx = 0; kx < r.kernelWidth; kx++) {
          lines[c * kk + ky * r.kernelWidth + kx][v] = bitText[input.data[(c * h + y0 + ky) * w + x0 + kx] + offset];
        }
      }
    }
  }
  return lines.map((l) => l.join(','));
}

/** File-name-safe layer name (layer names may contain dots from block instances). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
