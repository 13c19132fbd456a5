// A weight layer's integer weights (outputs x kernel rows in PyTorch (c, ky, kx) order) and input vectors taken
// from the reference model's activations of the network's seeded input image, for the simulator tests.
import type { IrDesign, IrNode } from '../../../src/ir/types.js';
import { generateInputImage } from '../../../src/ir/weights.js';
import type { Mapping } from '../../../src/mapping/types.js';
import { referenceInference } from '../../../src/reference/index.js';
import { layerParameters } from '../../../src/reference/network.js';

export interface LayerOperands {
  layer: string;
  weights: number[][];
  /** Kernel rows x vectors. */
  inputs: number[][];
}

export function layerOperands(design: IrDesign, mapping: Mapping, maxVectors: number): LayerOperands[] {
  const nodes = new Map(design.network.nodes.map((n) => [n.name, n]));
  const input = design.network.nodes.find((n) => n.op.kind === 'input') as IrNode;
  const reference = referenceInference(design, mapping, generateInputImage(design.network.weights.seed, input.shape, input.activationBits));
  const params = layerParameters(design);
  return mapping.layers.map((lm) => {
    const node = nodes.get(lm.layer) as IrNode;
    const value = reference.nodes.get(node.inputs[0]);
    if (!value) throw new Error(`no reference value for ${node.inputs[0]}`);
    const p = params.get(lm.layer)!;
    const outputs = node.op.kind === 'fc' ? node.op.outFeatures : node.op.kind === 'conv' ? node.op.outChannels : 0;
    const rows = p.weights.length / outputs;
    const weights = Array.from({ length: outputs }, (_, o) => Array.from(p.weights.subarray(o * rows, (o + 1) * rows)));
    const vectors: number[][] = [];
    if (node.op.kind === 'fc') vectors.push(Array.from(value.data));
    else if (node.op.kind === 'conv') {
      const { kernelHeight: kh, kernelWidth: kw, stride: s, padding: pad } = node.op;
      const { channels: c, height: h, width: w } = value.shape;
      const oh = Math.floor((h + pad.top + pad.bottom - kh) / s) + 1;
      const ow = Math.floor((w + pad.left + pad.right - kw) / s) + 1;
      const every = Math.max(1, Math.floor((oh * ow) / maxVectors));
      for (let pos = 0; pos < oh * ow && vectors.length < maxVectors; pos += every) {
        const y0 = Math.floor(pos / ow) * s - pad.top;
        const x0 = (pos % ow) * s - pad.left;
        const v: number[] = [];
        for (let ci = 0; ci < c; ci++) {
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const y = y0 + ky;
              const x = x0 + kx;
              v.push(y < 0 || x < 0 || y >= h || x >= w ? 0 : value.data[(ci * h + y) * w + x]);
            }
          }
        }
        vectors.push(v);
      }
    }
    const inputs = Array.from({ length: rows }, (_, r) => vectors.map((v) => v[r]));
    return { layer: lm.layer, weights, inputs };
  });
}
