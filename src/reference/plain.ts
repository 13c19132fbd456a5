// plainInference: the network evaluated layer by layer with direct convolution, no mapping and no ADC. With a
// lossless ADC the mapped model (./mapped.ts) must equal it exactly; it is the ground truth of the property tests.
import type { IrDesign, IrNode } from '../ir/types.js';
import { isWeightOp } from '../ir/types.js';
import { producerOf } from '../ir/nodeIndex.js';
import { hasFoldedBatchNorm, layerParameters, type LayerParameters } from './network.js';
import { requantizeTensor, type Tensor } from './ops.js';
import { dotProductBound, layerArithmetic } from './exactness.js';
import { IfNeurons, runTimesteps } from './spiking.js';
import { evaluateNode, finishResult, inputTensor, valueOf, type InferenceResult, type NodeValues } from './evaluate.js';

/**
 * Exact accumulator P of a conv (direct, padded, strided) or fc (over the flattened CHW input) layer whose input
 * activations have `inputBits` bits. When its worst case passes 2^53 (./exactness.ts) P is computed in BigInt.
 */
export function directWeightLayer(node: IrNode, input: Tensor, params: LayerParameters, inputBits: number): Tensor {
  const { weights, shape } = params;
  const bound = dotProductBound(shape.inChannels * shape.kernelHeight * shape.kernelWidth, inputBits, params.weightBits);
  const arithmetic = layerArithmetic({ columnSum: bound, accumulator: bound, requantShift: params.requantShift, batchNorm: params.batchNorm });
  if (arithmetic.neuron === 'bigint') return directWeightLayerExact(node, input, params);
  const out = new Float64Array(node.shape.channels * node.shape.height * node.shape.width);
  if (node.op.kind === 'fc') {
    const n = input.data.length;
    for (let o = 0; o < node.op.outFeatures; o++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += weights[o * n + i] * input.data[i];
      out[o] = acc;
    }
    return { shape: node.shape, data: out };
  }
  if (node.op.kind !== 'conv') throw new Error(`reference: ${node.name} is not a weight layer`);
  const { kernelHeight: fh, kernelWidth: fw, stride, padding } = node.op;
  const { channels: cin, height: h, width: w } = input.shape;
  const { channels: cout, height: oh, width: ow } = node.shape;
  for (let o = 0; o < cout; o++) {
    for (let c = 0; c < cin; c++) {
      for (let ky = 0; ky < fh; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          const wv = weights[((o * cin + c) * fh + ky) * fw + kx];
          if (wv === 0) continue;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * stride - padding.top + ky;
            if (iy < 0 || iy >= h) continue;
            const inRow = (c * h + iy) * w;
            const outRow = (o * oh + oy) * ow;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * stride - padding.left + kx;
              if (ix < 0 || ix >= w) continue;
              out[outRow + ox] += wv * input.data[inRow + ix];
            }
          }
        }
      }
    }
  }
  return { shape: node.shape, data: out };
}

/** directWeightLayer in BigInt: `exact` holds P, `data` its nearest doubles (exported for the tests of both paths). */
export function directWeightLayerExact(node: IrNode, input: Tensor, params: LayerParameters): Tensor {
  const { weights } = params;
  const exact = new Array<bigint>(node.shape.channels * node.shape.height * node.shape.width).fill(0n);
  const x = Array.from(input.data, (v) => BigInt(v));
  if (node.op.kind === 'fc') {
    const n = x.length;
    for (let o = 0; o < node.op.outFeatures; o++) {
      let acc = 0n;
      for (let i = 0; i < n; i++) if (weights[o * n + i] !== 0) acc += BigInt(weights[o * n + i]) * x[i];
      exact[o] = acc;
    }
  } else if (node.op.kind === 'conv') {
    const { kernelHeight: fh, kernelWidth: fw, stride, padding } = node.op;
    const { channels: cin, height: h, width: w } = input.shape;
    const { channels: cout, height: oh, width: ow } = node.shape;
    for (let o = 0; o < cout; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let acc = 0n;
          for (let c = 0; c < cin; c++) {
            for (let ky = 0; ky < fh; ky++) {
              const iy = oy * stride - padding.top + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < fw; kx++) {
                const ix = ox * stride - padding.left + kx;
                const wv = weights[((o * cin + c) * fh + ky) * fw + kx];
                if (ix < 0 || ix >= w || wv === 0) continue;
                acc += BigInt(wv) * x[(c * h + iy) * w + ix];
              }
            }
          }
          exact[(o * oh + oy) * ow + ox] = acc;
        }
      }
    }
  } else {
    throw new Error(`reference: ${node.name} is not a weight layer`);
  }
  return { shape: node.shape, data: Float64Array.from(exact, (v) => Number(v)), exact };
}

/**
 * Layer-by-layer integer inference of `design` on `image` (CHW, the input node's shape). An integrate-and-fire design
 * runs T timesteps (./spiking.ts).
 */
export function plainInference(design: IrDesign, image: Int32Array): InferenceResult {
  const params = layerParameters(design);
  const spiking = design.target.neuronCore.spiking;
  const pass = (neurons?: IfNeurons): NodeValues => {
    const values: NodeValues = new Map();
    for (const node of design.network.nodes) {
      if (node.op.kind === 'input') {
        values.set(node.name, inputTensor(design, image));
      } else if (isWeightOp(node.op)) {
        const p = params.get(node.name)!;
        const acc = directWeightLayer(node, valueOf(values, node.inputs[0]), p, producerOf(design.network, node).activationBits);
        // Requantization follows a folded batch norm; otherwise it follows the accumulator directly.
        values.set(node.name, hasFoldedBatchNorm(design.network, node) ? acc : requantizeTensor(acc, p.requantShift, node.activationBits));
      } else {
        values.set(node.name, evaluateNode(node, values, design.network, params, neurons));
      }
    }
    return values;
  };
  const values = spiking ? runTimesteps(design, spiking, pass) : pass();
  return finishResult(design, image, values);
}
