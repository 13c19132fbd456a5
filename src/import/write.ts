// The files `imcc import` writes: NAME.imc (from templates/import/network.imc.hbs, in `imcc fmt` form) and its
// weights file NAME.npz (src/ir/weightsFile.ts describes the arrays).
import type { NpyDtype, NpyOutput } from '../support/npy.js';
import { renderTemplate } from '../support/templates.js';
import { formatText } from '../dsl/fmt-file.js';
import type { ImportGraph, ImportLayer } from './graph.js';
import type { Quantization } from './quantize.js';
import { symmetricPad, type Padding } from '../ir/padding.js';

export interface ImportNames {
  /** Network name. */
  name: string;
  /** Model file name as shown in the header comment (a base name: no machine paths in the output). */
  model: string;
  opset: number;
  calibration: string;
  /** Target file, relative to the written .imc. */
  targetImport: string;
  target: string;
  weightsFile: string;
  /** Integrate-and-fire conversion, for the header comment. */
  conversion?: { threshold: number; steps: number; percentile: number };
}

/** `pad N` when every side is N, else the sides that pad (`pad_bottom 1, pad_right 1` for TensorFlow's SAME at stride 2). */
function padArgs(pad: Padding): string[] {
  const all = symmetricPad(pad);
  if (all !== undefined) return all === 0 ? [] : [`pad ${all}`];
  return (['top', 'left', 'bottom', 'right'] as const).filter((side) => pad[side] !== 0).map((side) => `pad_${side} ${pad[side]}`);
}

function callText(layer: ImportLayer, shifts: Quantization): string {
  const op = layer.op;
  const [x, y] = layer.inputs;
  switch (op.kind) {
    case 'conv': {
      const args = [x, `out ${op.outChannels}`, `kernel ${op.kernelHeight}x${op.kernelWidth}`];
      if (op.stride !== 1) args.push(`stride ${op.stride}`);
      args.push(...padArgs(op.pad));
      args.push(`requant ${shifts.layers.get(layer.name)!.shift}`);
      return `conv(${args.join(', ')})`;
    }
    case 'fc':
      return `fc(${x}, out ${op.outFeatures}, requant ${shifts.layers.get(layer.name)!.shift})`;
    case 'requant':
      return `batchnorm(${x})`;
    case 'maxpool':
    case 'avgpool': {
      const args = [x, `size ${op.size}`];
      if (op.stride !== op.size) args.push(`stride ${op.stride}`);
      args.push(...padArgs(op.pad));
      return `${op.kind}(${args.join(', ')})`;
    }
    case 'add':
      return `add(${x}, ${y})`;
    case 'threshold':
      return `threshold(${x}, level ${stepLevel(op, shifts.scales.get(x)!)})`;
    case 'input':
      throw new Error('callText: the input is not a layer statement');
    default:
      return `${op.kind}(${x})`;
  }
}

/**
 * The integer level of a step on values of scale `s`: x >= c is q >= c / s, so the level is ceil(c / s); x > c is
 * q > c / s, so floor(c / s) + 1. (A tiny tolerance keeps an exact quotient from rounding up across float error.)
 */
export function stepLevel(op: { level: number; strict: boolean }, s: number): number {
  const ratio = op.level / s;
  const nearest = Math.round(ratio);
  const exact = Math.abs(ratio - nearest) < 1e-9 * Math.max(1, Math.abs(ratio));
  if (op.strict) return (exact ? nearest : Math.floor(ratio)) + 1;
  return exact ? nearest : Math.ceil(ratio);
}

/** A comment that stays one printable line whatever the ONNX names hold. */
function commentText(layer: ImportLayer): string {
  const text = layer.origin.join(', ').replace(/[^\x20-\x7e]+/g, '?').replace(/\*\//g, '*?/');
  if (layer.op.kind === 'relu' && layer.op.clip !== undefined) return `ONNX ${text} (clipped at ${layer.op.clip} by the requantization's saturation)`;
  if (layer.op.kind === 'conv' && text === '') return 'identity 1x1 conv: a residual add reads these 0/1 values as a multi-bit value';
  if (layer.op.kind === 'requant') return text === '' ? 'requantization (multiplier and bias per channel)' : `ONNX ${text} (folded; multiplier and bias per channel)`;
  return text === '' ? '' : `ONNX ${text}`;
}

/** The .imc text, canonical for `imcc fmt`. */
export function networkText(graph: ImportGraph, q: Quantization, names: ImportNames, file: string): string {
  const input = graph.layers.find((l) => l.op.kind === 'input')!;
  const text = renderTemplate('import/network.imc.hbs', {
    ...names,
    input: input.name,
    inputDims: `${input.shape.channels}x${input.shape.height}x${input.shape.width}`,
    weightBits: q.weightBits,
    activationBits: q.activationBits,
    layers: graph.layers.filter((l) => l.op.kind !== 'input').map((l) => ({ name: l.name, call: callText(l, q), comment: commentText(l) })),
    output: graph.output,
  });
  const formatted = formatText(text, file);
  if (formatted.formatted === null) throw new Error(`import: the written network does not parse: ${formatted.diagnostics.map((d) => d.message).join('; ')}`);
  return formatted.formatted;
}

function intDtype(values: Int32Array): NpyDtype {
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > high) high = v;
    else if (v < low) low = v;
  }
  const max = Math.max(high, -low);
  return max <= 127 ? 'i1' : max <= 32767 ? 'i2' : 'i4';
}

/** The weights-file arrays: weights (int8 when they fit), multipliers and biases (int32), input and output scales. */
export function weightArrays(graph: ImportGraph, q: Quantization, timesteps = 1): Map<string, NpyOutput> {
  const arrays = new Map<string, NpyOutput>();
  for (const layer of graph.layers) {
    const p = q.layers.get(layer.name);
    if (!p || (layer.op.kind !== 'conv' && layer.op.kind !== 'fc')) continue;
    const shape = layer.op.kind === 'conv' ? [layer.op.outChannels, layer.op.inChannels, layer.op.kernelHeight, layer.op.kernelWidth] : [layer.op.outFeatures, layer.op.inFeatures];
    arrays.set(`${layer.name}.weight`, { dtype: intDtype(p.weights), shape, data: p.weights });
    arrays.set(`${layer.name}.scale`, { dtype: 'i4', shape: [p.multiplier.length], data: p.multiplier });
    arrays.set(`${layer.name}.bias`, { dtype: 'i4', shape: [p.bias.length], data: p.bias });
  }
  const input = graph.layers.find((l) => l.op.kind === 'input')!;
  arrays.set('input.scale', { dtype: 'f8', shape: [1], data: Float64Array.of(q.scales.get(input.name)!) });
  arrays.set('output.scale', { dtype: 'f8', shape: [1], data: Float64Array.of(q.scales.get(graph.output)! / timesteps) });
  return arrays;
}
