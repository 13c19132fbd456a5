// The neuron core's operations on whole CHW tensors (Float64Array holding exact integers), shared by the plain and
// the mapped model so both apply the same arithmetic (./arithmetic.ts) in the same order.
import type { PoolOp, Shape } from '../ir/types.js';
import {
  clampSigned,
  relu,
  requantizeExact,
  requantizeRange,
  residualAddRange,
  roundedAverage,
  roundedAverageExact,
  threshold,
} from './arithmetic.js';
import { sumFitsDoubles } from './exactness.js';
import type { FoldedBatchNorm } from '../ir/weights.js';

/** An activation (or accumulator-scale) tensor in CHW order. */
export interface Tensor {
  shape: Shape;
  data: Float64Array;
  /**
   * The exact values, present on the accumulator of a weight layer whose arithmetic is BigInt (./exactness.ts):
   * `data` then holds their nearest doubles, and the requantization reads these.
   */
  exact?: bigint[];
}

export function requantizeTensor(t: Tensor, shift: number, bits: number): Tensor {
  const out = new Float64Array(t.data.length);
  const { exact } = t;
  if (exact) for (let i = 0; i < out.length; i++) out[i] = requantizeExact(exact[i], shift, bits);
  else requantizeRange(t.data, out, 0, out.length, shift, bits);
  return { shape: t.shape, data: out };
}

/** Folded batch norm then requantization (requantization follows a batch norm that is a layer's first fused op). */
export function batchNormRequantTensor(t: Tensor, bn: FoldedBatchNorm, shift: number, bits: number): Tensor {
  const plane = t.shape.height * t.shape.width;
  const out = new Float64Array(t.data.length);
  const { exact } = t;
  for (let c = 0; c < t.shape.channels; c++) {
    if (exact) {
      for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = requantizeExact(exact[i], shift, bits, bn.scale[c], bn.bias[c]);
    } else {
      requantizeRange(t.data, out, c * plane, (c + 1) * plane, shift, bits, bn.scale[c], bn.bias[c]);
    }
  }
  return { shape: t.shape, data: out };
}

export function addTensors(main: Tensor, shortcut: Tensor, bits: number): Tensor {
  if (main.data.length !== shortcut.data.length) throw new Error('reference: residual add of tensors of different sizes');
  const out = new Float64Array(main.data.length);
  residualAddRange(main.data, shortcut.data, out, bits);
  return { shape: main.shape, data: out };
}

export function reluTensor(t: Tensor): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = relu(t.data[i]);
  return { shape: t.shape, data: out };
}

export function thresholdTensor(t: Tensor, level: number): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = threshold(t.data[i], level);
  return { shape: t.shape, data: out };
}

export function clampTensor(t: Tensor, bits: number): Tensor {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clampSigned(t.data[i], bits);
  return { shape: t.shape, data: out };
}

/**
 * Max pool ignores padding positions (a window always holds at least one real pixel); average pool counts padding
 * as zeros and always divides by size*size (arithmetic.ts roundedAverage). A window holds at most 64x64 activations
 * of at most 32 bits, so its sum stays below 2^44: numbers are exact.
 */
export function poolTensor(t: Tensor, op: PoolOp, outShape: Shape): Tensor {
  const { channels, height, width } = t.shape;
  const out = new Float64Array(outShape.channels * outShape.height * outShape.width);
  const count = op.size * op.size;
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < outShape.height; oy++) {
      for (let ox = 0; ox < outShape.width; ox++) {
        let best = -Infinity;
        let sum = 0;
        for (let ky = 0; ky < op.size; ky++) {
          const iy = oy * op.stride - op.padding.top + ky;
          if (iy < 0 || iy >= height) continue;
          for (let kx = 0; kx < op.size; kx++) {
            const ix = ox * op.stride - op.padding.left + kx;
            if (ix < 0 || ix >= width) continue;
            const v = t.data[(c * height + iy) * width + ix];
            if (v > best) best = v;
            sum += v;
          }
        }
        const o = (c * outShape.height + oy) * outShape.width + ox;
        if (op.kind === 'maxpool') {
          if (best === -Infinity) throw new Error('reference: max pool window entirely in padding');
          out[o] = best;
        } else {
          out[o] = roundedAverage(sum, count);
        }
      }
    }
  }
  return { shape: outShape, data: out };
}

/** A plane of up to 8192x8192 activations of 32 bits can sum past 2^53: then the sums are BigInt. */
export function globalAvgPoolTensor(t: Tensor, outShape: Shape): Tensor {
  const plane = t.shape.height * t.shape.width;
  const out = new Float64Array(t.shape.channels);
  let largest = 0;
  for (let i = 0; i < t.data.length; i++) largest = Math.max(largest, Math.abs(t.data[i]));
  const exact = !sumFitsDoubles(plane, largest);
  for (let c = 0; c < t.shape.channels; c++) {
    if (exact) {
      let sum = 0n;
      for (let i = c * plane; i < (c + 1) * plane; i++) sum += BigInt(t.data[i]);
      out[c] = roundedAverageExact(sum, plane);
      continue;
    }
    let sum = 0;
    for (let i = c * plane; i < (c + 1) * plane; i++) sum += t.data[i];
    out[c] = roundedAverage(sum, plane);
  }
  return { shape: outShape, data: out };
}

/** Flatten keeps CHW order: element c*H*W + y*W + x becomes channel c*H*W + y*W + x of a (N, 1, 1) vector. */
export function flattenTensor(t: Tensor, outShape: Shape): Tensor {
  return { shape: outShape, data: t.data };
}

/** Integer view of an activation tensor (activations always fit 32 bits). */
export function toInt32(t: Tensor): Int32Array {
  return new Int32Array(t.data);
}
