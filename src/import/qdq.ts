// QuantizeLinear / DequantizeLinear (QDQ) nodes of an already-quantized model (PyTorch, ONNX Runtime's
// quantize_static, Brevitas' QDQ export). A QDQ pair on a constant is a quantized weight: the importer keeps its
// float value (q - zp) * s and its scale per output channel, so quantization takes the model's integers as they are.
// A QDQ pair on an activation leaves the value in the float graph (a fake quantization) and fixes that tensor's
// scale. What the neuron core cannot express (docs/import.md "Quantized (QDQ) models") is IMC200, naming the node.
import { ToolError } from '../diagnostics/index.js';
import type { OnnxNode, OnnxTensor } from './onnx.js';
import { INT8, UINT8 } from './onnx.js';

/** A weight the model stores quantized: its scale along `axis` (one value when per tensor). */
export interface QuantizedConstant {
  scales: Float64Array;
  axis: number;
  /** Every zero point is 0. */
  symmetric: boolean;
  /** The DequantizeLinear. */
  node: string;
}

/** The scale a QuantizeLinear fixes on an activation tensor. */
export interface ActivationQuant {
  scale: number;
  /** uint8 (0..255) rather than int8 (-128..127). */
  unsigned: boolean;
  node: string;
}

export function qdqError(node: OnnxNode, why: string): ToolError {
  return new ToolError('IMC200', { node: node.name, opType: node.opType, why });
}

function axisOf(node: OnnxNode, rank: number): number {
  const a = node.attributes.get('axis');
  const axis = typeof a === 'number' ? a : 1;
  return axis < 0 ? axis + rank : axis;
}

/** The per-element scale and zero point of a (de)quantization of a constant of shape `dims`. */
function perElement(node: OnnxNode, dims: number[], scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): { scaleAt: (i: number) => number; zeroAt: (i: number) => number; axis: number } {
  const perTensor = scale.data.length === 1;
  const axis = perTensor ? 0 : axisOf(node, dims.length);
  if (!perTensor && (scale.dims.length !== 1 || dims[axis] !== scale.data.length)) {
    throw qdqError(node, `${scale.data.length} scales for axis ${axis} of a [${dims.join(', ')}] tensor`);
  }
  if (zeroPoint && zeroPoint.data.length !== scale.data.length) throw qdqError(node, `${zeroPoint.data.length} zero points for ${scale.data.length} scales`);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channel = (i: number): number => (perTensor ? 0 : Math.floor(i / inner) % dims[axis]);
  return { scaleAt: (i) => scale.data[channel(i)], zeroAt: (i) => (zeroPoint ? zeroPoint.data[channel(i)] : 0), axis };
}

/** The integers of QuantizeLinear(constant): round half to even, clamped to the zero point's type (uint8 by default). */
export function quantizeConstant(node: OnnxNode, x: OnnxTensor, scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): OnnxTensor {
  const { scaleAt, zeroAt } = perElement(node, x.dims, scale, zeroPoint);
  const [lo, hi] = (zeroPoint?.dataType ?? UINT8) === INT8 ? [-128, 127] : [0, 255];
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = x.data[i] / scaleAt(i);
    const r = Math.round(v);
    const even = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
    data[i] = Math.min(hi, Math.max(lo, even + zeroAt(i)));
  }
  return { dims: x.dims, data, dataType: zeroPoint?.dataType ?? UINT8 };
}

/** DequantizeLinear(constant): the float weight (q - zp) * s and its scales; weights must be symmetric (zp 0). */
export function dequantizeConstant(node: OnnxNode, q: OnnxTensor, scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): { value: OnnxTensor; quantized: QuantizedConstant } {
  const { scaleAt, zeroAt, axis } = perElement(node, q.dims, scale, zeroPoint);
  const data = new Float64Array(q.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (q.data[i] - zeroAt(i)) * scaleAt(i);
  const symmetric = !zeroPoint || zeroPoint.data.every((z) => z === 0);
  return { value: { dims: q.dims, data, dataType: q.dataType }, quantized: { scales: Float64Array.from(scale.data), axis, symmetric, node: node.name } };
}

/** The weight scale of every output channel, or an IMC200 when the model's quantization is not per output channel. */
export function outputChannelScales(node: OnnxNode, given: QuantizedConstant, outputAxis: number, channels: number): Float64Array {
  if (!given.symmetric) throw qdqError(node, `its weight (from ${given.node}) has a non-zero zero point; the crossbar holds symmetric weights`);
  if (given.scales.length === 1) return new Float64Array(channels).fill(given.scales[0]);
  if (given.axis !== outputAxis) throw qdqError(node, `its weight is quantized along axis ${given.axis}, not per output channel (axis ${outputAxis})`);
  return Float64Array.from(given.scales);
}

/** The scale a QuantizeLinear on an activation fixes: one scale, zero point 0 (the neuron core is symmetric). */
export function activationQuant(node: OnnxNode, scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): ActivationQuant {
  if (scale.data.length !== 1) throw qdqError(node, `${scale.data.length} scales on an activation; the neuron core takes one scale per tensor`);
  if (!(scale.data[0] > 0) || !Number.isFinite(scale.data[0])) throw qdqError(node, `scale ${scale.data[0]} is not a positive number`);
  const zero = zeroPoint?.data[0] ?? 0;
  if (zero !== 0) throw qdqError(node, `zero point ${zero} on an activation; the neuron core's activations are symmetric (zero point 0: export with symmetric activations, e.g. int8 with zero point 0)`);
  return { scale: scale.data[0], unsigned: (zeroPoint?.dataType ?? UINT8) === UINT8, node: node.name };
}
