// Post-training quantization of an imported float graph (docs/import.md "Quantization"):
//  - weights: per output channel, symmetric: s_w[o] = max|W[o]| / (2^(wb-1)-1), Wq = round(W / s_w[o]);
//  - activations: one scale per tensor, calibrated as max|x| / (2^(a-1)-1) over the calibration images; tensors that
//    the integer hardware cannot rescale share one scale (a relu, pool or flatten and its input; a residual add and
//    both its inputs), the largest of the group; a clipped ReLU Clip(0, c) sets its group's range to c;
//  - requantization: the neuron core computes q = clamp(floor((P * m[o] + bias[o] + 2^(n-1)) / 2^n)), so the real
//    factor M[o] = s_w[o] * s_in / s_out becomes the integer multiplier m[o] = round(M[o] * 2^n) with one shift n per
//    layer, the largest that keeps every m[o] within MULTIPLIER_BITS and every bias within 32 bits;
//  - binary tensors (./spiking.ts): a step's 0/1 output has the scale 1 (one step is the value 1.0); converting to
//    integrate-and-fire, a relu's spikes have the scale lambda (its activations' percentile) and its input lambda /
//    theta, so the membrane reaches the target's threshold theta when the ReLU would output lambda;
//  - a quantized (QDQ) model brings its own s_w (its integer weights are kept) and activation scales, which replace
//    the calibrated ones for their whole group (IMC201 when the neuron core cannot keep them).
import { signedMax } from '../reference/arithmetic.js';
import { FILE_BIAS_LIMIT } from '../ir/weightsFile.js';
import type { ImportGraph } from './graph.js';
import { runFloat, type FloatValues } from './float.js';
import type { ActivationQuant } from './qdq.js';
import { ToolError } from '../diagnostics/index.js';
import { percentile, type SpikingConversion } from './spiking.js';

/** Magnitude bits of a requantization multiplier (the neuron core's multiplier is this plus a sign bit). */
export const MULTIPLIER_BITS = 15;
/** Largest requantization shift the language takes (`requant N`, 0..48). */
const MAX_SHIFT = 48;

export interface QuantizedLayer {
  weights: Int32Array;
  multiplier: Int32Array;
  bias: Int32Array;
  shift: number;
}

export interface Quantization {
  /** Real value of one step of every activation layer (input, requant, relu, pools, add, flatten). */
  scales: Map<string, number>;
  /** By weight layer name. */
  layers: Map<string, QuantizedLayer>;
  weightBits: number;
  activationBits: number;
}

/** Round half away from zero, as numpy's rint does not (half to even) but as quantizers commonly do. */
function roundHalfAway(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(0.5 - x);
}

// The per-channel loops over 11 M weights are functions of their own so that V8 optimizes them once for every
// channel and layer (inside quantize's loop they ran unoptimized until an on-stack replacement).
function absMax(values: Float64Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

function quantizeRange(values: Float64Array, out: Int32Array, from: number, to: number, step: number): void {
  for (let i = from; i < to; i++) out[i] = roundHalfAway(values[i] / step);
}

class Groups {
  private readonly parent = new Map<string, string>();
  find(a: string): string {
    let p = this.parent.get(a) ?? a;
    if (p !== a) {
      p = this.find(p);
      this.parent.set(a, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** The activation scale groups and each activation layer's calibrated max |x|. */
export function calibrate(
  graph: ImportGraph,
  images: readonly Float64Array[],
  activationBits: number,
  onImage?: (values: FloatValues, index: number) => void,
  spiking?: SpikingConversion,
): Map<string, number> {
  const groups = new Groups();
  const scaled = graph.layers.filter((l) => l.op.kind !== 'conv' && l.op.kind !== 'fc');
  // A spiking relu's 0/1 output, like a step's, has its own scale: it does not join its input's group.
  const joining = spiking ? ['maxpool', 'avgpool', 'gap', 'flatten', 'add'] : ['relu', 'maxpool', 'avgpool', 'gap', 'flatten', 'add'];
  for (const l of scaled) {
    if (joining.includes(l.op.kind)) for (const i of l.inputs) groups.union(l.name, i);
  }
  const spikingRelus = spiking ? scaled.filter((l) => l.op.kind === 'relu') : [];
  const positives = new Map(spikingRelus.map((l) => [l.name, [] as Float64Array[]]));
  const absMax = new Map<string, number>(scaled.map((l) => [groups.find(l.name), 0]));
  for (const [index, image] of images.entries()) {
    const values = runFloat(graph, image);
    onImage?.(values, index);
    for (const l of scaled) {
      const v = values.get(l.name)!;
      let m = absMax.get(groups.find(l.name))!;
      for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
      absMax.set(groups.find(l.name), m);
    }
    for (const l of spikingRelus) positives.get(l.name)!.push(values.get(l.name)!.filter((a) => a > 0));
  }
  // A clipped ReLU fixes its group's range at its clip, so the requantization's saturation performs the clip.
  for (const l of scaled) if (l.op.kind === 'relu' && l.op.clip !== undefined) absMax.set(groups.find(l.name), l.op.clip);
  const top = signedMax(activationBits);
  const scales = new Map(scaled.map((l) => [l.name, (absMax.get(groups.find(l.name)) || 1) / top]));
  const setGroup = (name: string, scale: number): void => {
    for (const l of scaled) if (groups.find(l.name) === groups.find(name)) scales.set(l.name, scale);
  };
  // A step's 1 is the value 1.0 (Whetstone's step outputs 0 or 1).
  for (const l of scaled) if (l.op.kind === 'threshold') setGroup(l.name, 1);
  if (spiking) {
    for (const l of spikingRelus) {
      if (l.op.kind === 'relu' && l.op.clip !== undefined) throw new ToolError('IMC135', { name: l.name });
      const lambda = percentile(positives.get(l.name)!, spiking.percentile) || 1;
      setGroup(l.name, lambda);
      setGroup(l.inputs[0], lambda / spiking.threshold);
    }
  }
  // A quantized (QDQ) model's own scales replace the calibrated ones, for the whole group of each.
  const given = new Map<string, ActivationQuant>();
  for (const l of scaled) {
    const quant = graph.activationScales.get(l.name);
    if (!quant) continue;
    if (quant.unsigned && top < 255) {
      throw new ToolError('IMC264', { node: quant.node, bits: activationBits });
    }
    const group = groups.find(l.name);
    const other = given.get(group);
    if (other && other.scale !== quant.scale) {
      throw new ToolError('IMC265', { node: quant.node, scale: quant.scale, other: other.node, otherScale: other.scale });
    }
    given.set(group, quant);
  }
  for (const l of scaled) {
    const quant = given.get(groups.find(l.name));
    if (!quant) continue;
    const clip = scaled.find((c) => groups.find(c.name) === groups.find(l.name) && c.op.kind === 'relu' && c.op.clip !== undefined);
    if (clip && clip.op.kind === 'relu' && Math.abs(quant.scale * top - clip.op.clip!) > 1e-6 * clip.op.clip!) {
      throw new ToolError('IMC266', { node: quant.node, scale: quant.scale, relu: clip.name, clip: clip.op.clip!, needed: clip.op.clip! / top });
    }
    scales.set(l.name, quant.scale);
  }
  return scales;
}

/** `onImage` sees every calibration image's float values (the import keeps them to measure the quantization error). */
export function quantize(
  graph: ImportGraph,
  calibration: readonly Float64Array[],
  weightBits: number,
  activationBits: number,
  onImage?: (values: FloatValues, index: number) => void,
  spiking?: SpikingConversion,
): Quantization {
  const scales = calibrate(graph, calibration, activationBits, onImage, spiking);
  const layers = new Map<string, QuantizedLayer>();
  const wMax = signedMax(weightBits);
  for (const layer of graph.layers) {
    if (layer.op.kind !== 'conv' && layer.op.kind !== 'fc') continue;
    const requant = graph.layers.find((l) => l.op.kind === 'requant' && l.inputs[0] === layer.name);
    if (!requant) throw new Error(`quantize: ${layer.name} has no requant layer`);
    const sIn = scales.get(layer.inputs[0])!;
    const sOut = scales.get(requant.name)!;
    const { weight, bias } = layer.op;
    const channels = bias.length;
    const per = weight.length / channels;
    const weights = new Int32Array(weight.length);
    const factor = new Float64Array(channels);
    for (let o = 0; o < channels; o++) {
      const m = absMax(weight, o * per, (o + 1) * per);
      // A quantized model's weight scale, or symmetric per-channel quantization of a float weight.
      const sw = layer.op.weightScales?.[o] ?? (m > 0 ? m / wMax : 1);
      quantizeRange(weight, weights, o * per, (o + 1) * per, sw);
      if (layer.op.weightScales && m / sw > wMax + 1e-6) {
        throw new ToolError('IMC201', { layer: layer.name, steps: Math.round(m / sw), bits: weightBits, max: wMax });
      }
      factor[o] = (sw * sIn) / sOut;
    }
    const biasSteps = Array.from(bias, (b) => b / sOut);
    const largest = Math.max(...factor);
    let shift = Math.min(MAX_SHIFT, Math.max(0, Math.floor(Math.log2((2 ** MULTIPLIER_BITS - 1) / largest))));
    const fits = (n: number): boolean =>
      factor.every((f) => Math.abs(roundHalfAway(f * 2 ** n)) <= 2 ** MULTIPLIER_BITS - 1) && biasSteps.every((b) => Math.abs(roundHalfAway(b * 2 ** n)) <= FILE_BIAS_LIMIT);
    while (shift > 0 && !fits(shift)) shift--;
    layers.set(layer.name, {
      weights,
      multiplier: Int32Array.from(factor, (f) => roundHalfAway(f * 2 ** shift)),
      bias: Int32Array.from(biasSteps, (b) => roundHalfAway(b * 2 ** shift)),
      shift,
    });
  }
  return { scales, layers, weightBits, activationBits };
}
