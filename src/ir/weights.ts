// Deterministic parameters from a seed. Documented in the docs/language.md ("Weights"):
//  - generator: mulberry32 (32-bit state, integer arithmetic only, identical on every machine),
//    seeded per layer with fnv1a32(`${seed}:${layerName}:${tensor}`), so adding a layer never changes another's weights;
//  - conv / fc weights: uniform integers in [-(2^(b-1)-1), 2^(b-1)-1] (symmetric, so a differential pair is exact),
//    laid out OIHW: index ((o * Cin + c) * Fh + ky) * Fw + kx; an fc layer is OIHW with H = W = 1 over its
//    flattened input (channel-major: c * H * W + y * W + x);
//  - batch norm, folded to fixed point: scale uniform in [2^(BN_SCALE_BITS-1), 2^BN_SCALE_BITS - 1],
//    bias uniform in [-2^(shift-1), 2^(shift-1)] in accumulator units (shift = the layer's requant shift; a range
//    wider than 2^32 draws two words, uniformWideInt);
//  - input image: uniform integers in [0, 2^(bits-1) - 1] per channel, CHW order.
import type { IrNode } from './types.js';

/** Bits of the folded batch-norm multiplier. */
export const BN_SCALE_BITS = 6;

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: returns a function giving uniform uint32 values. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform integer in [lo, hi] (inclusive) from a uint32 source; rejection-free modulo is fine for ranges << 2^32. */
export function uniformInt(next: () => number, lo: number, hi: number): number {
  return lo + (next() % (hi - lo + 1));
}

/**
 * Uniform integer in [lo, hi] for ranges up to 2^53 (both ends exact doubles). A range of at most 2^32 values draws
 * one word, as uniformInt (so every seeded value drawn before wide ranges existed stays the same); a wider one draws
 * two words as one 64-bit value modulo the range (a modulo bias below range / 2^64).
 */
export function uniformWideInt(next: () => number, lo: number, hi: number): number {
  // Counted in BigInt: hi - lo + 1 in doubles rounds 2^53 + 1 down to 2^53.
  const range = Number.isSafeInteger(lo) && Number.isSafeInteger(hi) ? BigInt(hi) - BigInt(lo) + 1n : 0n;
  if (range < 1n || range > 2n ** 53n) throw new RangeError(`uniformWideInt: [${lo}, ${hi}] is not a range of at most 2^53 integers`);
  if (range <= 2n ** 32n) return uniformInt(next, lo, hi);
  const word = (BigInt(next()) << 32n) | BigInt(next());
  return lo + Number(word % range);
}

export function streamFor(seed: number, layer: string, tensor: string): () => number {
  return mulberry32(fnv1a32(`${seed}:${layer}:${tensor}`));
}

/** Shape of a weight tensor in OIHW order. */
export interface WeightShape {
  outChannels: number;
  inChannels: number;
  kernelHeight: number;
  kernelWidth: number;
}

export function weightShape(node: IrNode, inputShape: { channels: number; height: number; width: number }): WeightShape {
  if (node.op.kind === 'conv') {
    return {
      outChannels: node.op.outChannels,
      inChannels: inputShape.channels,
      kernelHeight: node.op.kernelHeight,
      kernelWidth: node.op.kernelWidth,
    };
  }
  if (node.op.kind === 'fc') {
    return {
      outChannels: node.op.outFeatures,
      inChannels: inputShape.channels * inputShape.height * inputShape.width,
      kernelHeight: 1,
      kernelWidth: 1,
    };
  }
  throw new Error(`weightShape: ${node.name} is not a weight layer`);
}

export function generateWeights(seed: number, layer: string, shape: WeightShape, bits: number): Int32Array {
  const n = shape.outChannels * shape.inChannels * shape.kernelHeight * shape.kernelWidth;
  const next = streamFor(seed, layer, 'weights');
  const max = 2 ** (bits - 1) - 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = uniformInt(next, -max, max);
  return out;
}

export interface FoldedBatchNorm {
  scale: Int32Array;
  /**
   * Exact integers: a seeded bias reaches 2^(shift-1), past 32 bits for shifts above 32. The language caps a shift
   * at 48 (NETWORK_LIMITS.requant, and the per-layer weight limit keeps `auto` below it), so doubles hold them.
   */
  bias: Float64Array;
}

export function generateBatchNorm(seed: number, layer: string, channels: number, requantShift: number): FoldedBatchNorm {
  const next = streamFor(seed, layer, 'batchnorm');
  const scale = new Int32Array(channels);
  const bias = new Float64Array(channels);
  const biasMax = requantShift > 0 ? 2 ** (requantShift - 1) : 0;
  for (let c = 0; c < channels; c++) {
    scale[c] = uniformInt(next, 2 ** (BN_SCALE_BITS - 1), 2 ** BN_SCALE_BITS - 1);
    bias[c] = uniformWideInt(next, -biasMax, biasMax);
  }
  return { scale, bias };
}

export function generateInputImage(seed: number, shape: { channels: number; height: number; width: number }, bits: number): Int32Array {
  const next = streamFor(seed, 'input', 'image');
  const n = shape.channels * shape.height * shape.width;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = uniformInt(next, 0, 2 ** (bits - 1) - 1);
  return out;
}

/**
 * Default requantization shift: round(log2(sqrt(fanIn)) + weightBits + scaleBits - 3), scaleBits 0 when no batch
 * norm follows. It puts the typical seeded output near half the activation range, so every layer of a seeded network
 * stays alive and its tails saturate. With 1.5 instead of 3 (a quarter of the range), ReLU and max pool shrank
 * LeNet's activations layer by layer until its logits were almost all zero and nothing saturated, so verification
 * could not catch a wrong saturation bound or a flipped weight bit of the last layer (issue 19).
 */
export function defaultRequantShift(fanIn: number, weightBits: number, hasBatchNorm: boolean): number {
  const scaleBits = hasBatchNorm ? BN_SCALE_BITS : 0;
  return Math.max(0, Math.round(0.5 * Math.log2(fanIn) + weightBits + scaleBits - 3));
}
