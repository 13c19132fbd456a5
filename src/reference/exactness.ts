// Which arithmetic a weight layer's values need. JS numbers hold every integer of magnitude up to 2^53, so number
// arithmetic is exact when every intermediate value stays within that; past it a sum or product can round. The
// reference model keeps numbers (its fast loops) for a layer whose worst case fits and switches that layer to BigInt
// otherwise. The worst cases are computed here, in BigInt, from the layer's widths and its batch-norm constants:
// values that leave a layer are saturated activations (at most 32 bits), so only the weight layer's own arithmetic
// (column sums, partial sums, batch norm, requantization) can need BigInt. docs/arithmetic.md "Exactness".
import type { FoldedBatchNorm } from '../ir/weights.js';

/** Every integer of magnitude up to 2^53 is a double; 2^53 + 1 is not. */
export const DOUBLE_EXACT_LIMIT = 2n ** 53n;

/** True when number arithmetic whose every intermediate has magnitude at most `bound` is exact. */
export function doublesHold(bound: bigint): boolean {
  return bound <= DOUBLE_EXACT_LIMIT;
}

/**
 * Largest magnitude of a sum (and of every partial sum) of `terms` products of a signed `activationBits` value and a
 * signed `weightBits` weight: terms * 2^(a-1) * 2^(wb-1).
 */
export function dotProductBound(terms: number, activationBits: number, weightBits: number): bigint {
  return BigInt(terms) << BigInt(activationBits - 1 + weightBits - 1);
}

/**
 * Largest magnitude of the accumulator P of the mapped model, the sum of `rowParts` rescaled ADC codes: each is at
 * most 2^(B-1) * 2^s (the ADC saturates), and at most its column sum plus 2^s (floor(x / 2^s) * 2^s moves x by less
 * than 2^s), whichever is smaller.
 */
export function partialSumBound(rowParts: number, adcBits: number, adcShift: number, columnSum: bigint): bigint {
  const saturated = 1n << BigInt(adcBits - 1 + adcShift);
  const floored = columnSum + (1n << BigInt(adcShift));
  return BigInt(rowParts) * (saturated < floored ? saturated : floored);
}

function largestMagnitude(values: ArrayLike<number>): bigint {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return BigInt(m);
}

/**
 * Largest magnitude of any value of the requantization of accumulators up to `accumulator`: with a folded batch norm,
 * |P| * max|scale|, then + max|bias|, then + the rounding constant 2^(shift-1).
 */
export function requantizeBound(accumulator: bigint, shift: number, batchNorm?: FoldedBatchNorm): bigint {
  let y = accumulator;
  if (batchNorm) y = y * largestMagnitude(batchNorm.scale) + largestMagnitude(batchNorm.bias);
  return y + (shift > 0 ? 1n << BigInt(shift - 1) : 0n);
}

export type Arithmetic = 'number' | 'bigint';

/** How one weight layer computes: its column sums (step 1), and its accumulator through the requantization. */
export interface LayerArithmetic {
  columnSums: Arithmetic;
  neuron: Arithmetic;
}

/**
 * The arithmetic of a weight layer whose column sums reach at most `columnSum` in magnitude and whose accumulator P
 * reaches at most `accumulator` (for the plain model the same dot product; for the mapped one partialSumBound).
 */
export function layerArithmetic(bounds: {
  columnSum: bigint;
  accumulator: bigint;
  requantShift: number;
  batchNorm?: FoldedBatchNorm;
}): LayerArithmetic {
  const neuronFits = doublesHold(bounds.accumulator) && doublesHold(requantizeBound(bounds.accumulator, bounds.requantShift, bounds.batchNorm));
  return {
    columnSums: doublesHold(bounds.columnSum) ? 'number' : 'bigint',
    neuron: neuronFits ? 'number' : 'bigint',
  };
}

/** True when summing `count` values of magnitude at most `largest` stays exact in numbers (a pool's sums). */
export function sumFitsDoubles(count: number, largest: number): boolean {
  return doublesHold(BigInt(count) * BigInt(Math.ceil(largest)));
}
