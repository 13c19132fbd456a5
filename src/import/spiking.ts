// Conversion of a trained ReLU network to integrate-and-fire (docs/import.md "Integrate-and-fire conversion"): with a
// `model if` target every relu fires spikes, so the quantizer normalizes each relu by a percentile of its calibrated
// activations (data-based normalization, Diehl et al. 2015 / Rueckauer et al. 2017), and a residual add that would
// read spikes gets an identity 1x1 conv in front, since an add of 1-bit values cannot be expressed (IMC131).
import type { ImportGraph, ImportLayer } from './graph.js';
import { imcName } from './graph.js';
import { uniformPadding } from '../ir/padding.js';

export interface SpikingConversion {
  /** The target's membrane threshold theta. */
  threshold: number;
  /** Percentile (0 < p <= 100) of a relu's positive calibration activations that makes it fire every timestep. */
  percentile: number;
}

/** The p-th percentile (nearest rank) of all values of `chunks`; 0 when there are none. */
export function percentile(chunks: readonly Float64Array[], p: number): number {
  const n = chunks.reduce((sum, c) => sum + c.length, 0);
  if (n === 0) return 0;
  const all = new Float64Array(n);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  all.sort();
  return all[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1];
}

/** Whether a layer's values are 1 bit (spikes or a step), possibly through pools and flatten (which keep the bits). */
function isBinary(layer: ImportLayer, byName: Map<string, ImportLayer>, spiking: boolean): boolean {
  if (layer.op.kind === 'threshold') return true;
  if (layer.op.kind === 'relu') return spiking;
  if (['maxpool', 'avgpool', 'gap', 'flatten'].includes(layer.op.kind)) return isBinary(byName.get(layer.inputs[0])!, byName, spiking);
  return false;
}

/**
 * The graph with an identity 1x1 conv (and its requant) before every residual-add input that is 0/1: the conv turns
 * the spikes back into a multi-bit value at the add's scale. The float model is unchanged (the conv is exact).
 */
export function withBinaryShortcuts(graph: ImportGraph, spiking: boolean): ImportGraph {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const taken = new Set(graph.layers.map((l) => l.name));
  const layers: ImportLayer[] = [];
  for (const layer of graph.layers) {
    if (layer.op.kind !== 'add') {
      layers.push(layer);
      continue;
    }
    const inputs = layer.inputs.map((name) => {
      const source = byName.get(name)!;
      if (!isBinary(source, byName, spiking)) return name;
      const c = source.shape.channels;
      const weight = new Float64Array(c * c);
      for (let o = 0; o < c; o++) weight[o * c + o] = 1;
      const conv: ImportLayer = {
        name: imcName(`${name}_identity`, taken),
        origin: [],
        op: { kind: 'conv', weight, bias: new Float64Array(c), outChannels: c, inChannels: c, kernelHeight: 1, kernelWidth: 1, stride: 1, pad: uniformPadding(0) },
        inputs: [name],
        shape: source.shape,
      };
      const requant: ImportLayer = { name: imcName(`${conv.name}_requant`, taken), origin: [], op: { kind: 'requant' }, inputs: [conv.name], shape: source.shape };
      layers.push(conv, requant);
      return requant.name;
    });
    layers.push({ ...layer, inputs });
  }
  return { ...graph, layers };
}
