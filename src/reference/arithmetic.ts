// The integer arithmetic of the accelerator, in ONE place: the reference model, the analog model and (mirrored in
// Verilog) the RTL all follow these rules. docs/arithmetic.md
// describe them; a change here is a change to the hardware contract.
//
// Every number function works on JS numbers holding exact integers (|value| <= 2^53). `>>` is never used on them: it
// would truncate to 32 bits. Division by a power of two uses Math.floor, i.e. an arithmetic (flooring) shift. The
// `...Exact` forms at the end are the same rules on BigInt, for the layers whose values can pass 2^53 (./exactness.ts
// decides which); activations come back as numbers (at most 32 bits), ADC codes as BigInt (the accumulator adds them).
import type { CrossbarTarget } from '../ir/types.js';

/** Smallest value of a signed two's-complement integer of `bits` bits. */
export function signedMin(bits: number): number {
  return -(2 ** (bits - 1));
}

/** Largest value of a signed two's-complement integer of `bits` bits. */
export function signedMax(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** Saturates `value` to a signed `bits`-bit integer. */
export function clampSigned(value: number, bits: number): number {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return value < lo ? lo : value > hi ? hi : value;
}

/** Arithmetic right shift: floor(value / 2^shift) (a non-integer from an analog model is floored too). */
export function shiftRightFloor(value: number, shift: number): number {
  return Math.floor(value / 2 ** shift);
}

/** Number of bits of the unsigned integer `value` (0 for 0): ceil(log2(value + 1)), computed exactly. */
export function unsignedBitLength(value: number): number {
  let bits = 0;
  while (2 ** bits <= value) bits++;
  return bits;
}

/**
 * Signed bits an ADC needs to convert a column sum exactly: the largest magnitude of a sum over `rows` products of a
 * signed `activationBits` input (magnitude up to 2^(a-1)) and a symmetric `weightBits` weight (up to 2^(wb-1)-1),
 * plus a sign bit: ceil(log2(rows * 2^(a-1) * (2^(wb-1)-1) + 1)) + 1.
 */
export function adcNeedBits(rows: number, activationBits: number, weightBits: number): number {
  const largest = rows * 2 ** (activationBits - 1) * (2 ** (weightBits - 1) - 1);
  return unsignedBitLength(largest) + 1;
}

/** What the ADC of one weight layer does: shift right by `shift`, then saturate to `bits` signed bits. */
export interface AdcModel {
  bits: number;
  shift: number;
  /** True when no column sum of the layer can lose information (shift 0 and no saturation possible). */
  lossless: boolean;
}

/**
 * The ADC shift of a weight layer. A number in the target is used as written; `auto` takes the smallest shift that
 * cannot saturate: s = max(0, needBits - adcBits), needBits over the layer's tallest row part.
 * `activationBits` are the bits of the layer's INPUT activations.
 */
export function resolveAdc(
  crossbar: Pick<CrossbarTarget, 'adcBits' | 'adcShift'>,
  rowsInLargestPart: number,
  activationBits: number,
  weightBits: number,
): AdcModel {
  const need = adcNeedBits(rowsInLargestPart, activationBits, weightBits);
  const shift = crossbar.adcShift === 'auto' ? Math.max(0, need - crossbar.adcBits) : crossbar.adcShift;
  return { bits: crossbar.adcBits, shift, lossless: shift === 0 && need <= crossbar.adcBits };
}

/** Step 2: one column's ADC conversion, clamp(acc >> s, -2^(B-1), 2^(B-1)-1). */
export function adcConvert(acc: number, adc: AdcModel): number {
  return clampSigned(shiftRightFloor(acc, adc.shift), adc.bits);
}

/** Step 3: the accumulating neuron core scales the sum of the row parts' ADC codes back: P = (sum adc) * 2^s. */
export function rescalePartialSums(adcSum: number, adc: AdcModel): number {
  return adcSum * 2 ** adc.shift;
}

/** Step 4, batch norm folded to fixed point: y = P * scale[o] + bias[o] (accumulator units). */
export function batchNormFixed(p: number, scale: number, bias: number): number {
  return p * scale + bias;
}

/**
 * Requantization to activation bits, round half up: q = clamp(floor((y + 2^(n-1)) / 2^n)), n = requant shift;
 * n = 0 saturates only.
 */
export function requantize(y: number, shift: number, activationBits: number): number {
  if (shift === 0) return clampSigned(y, activationBits);
  return clampSigned(Math.floor((y + 2 ** (shift - 1)) / 2 ** shift), activationBits);
}

/**
 * A real number as a signed `bits`-bit activation of the given scale (real value of one step), round half up:
 * clamp(floor(x / scale + 1/2)). Used for float inputs and by the importer's calibration.
 */
export function quantizeReal(x: number, scale: number, bits: number): number {
  return clampSigned(Math.floor(x / scale + 0.5), bits);
}

/** Residual add on activation-scale integers, saturating: clamp(q + shortcut). */
export function residualAdd(q: number, shortcut: number, activationBits: number): number {
  return clampSigned(q + shortcut, activationBits);
}

export function relu(q: number): number {
  return q > 0 ? q : 0;
}

/** Step activation on the requantized signed integer: 1 when `q >= level`, else 0 (unsigned, 1 bit). */
export function threshold(q: number, level: number): number {
  return q >= level ? 1 : 0;
}

/**
 * One timestep of an integrate-and-fire neuron on an integer membrane potential `v` (docs/arithmetic.md
 * "Integrate-and-fire neurons"): integrate the input, leak `leak` toward zero, and spike when the potential reaches
 * `threshold`, resetting to zero or subtracting the threshold. Returns the new potential and the spike (0/1).
 */
export function integrateAndFire(
  v: number,
  input: number,
  model: { threshold: number; leak: number; reset: 'zero' | 'subtract' },
): { potential: number; spike: number } {
  let p = v + input;
  p = p > 0 ? Math.max(0, p - model.leak) : Math.min(0, p + model.leak);
  if (p < model.threshold) return { potential: p, spike: 0 };
  return { potential: model.reset === 'zero' ? 0 : p - model.threshold, spike: 1 };
}

/**
 * Rounded average of `count` integers (average pool, global average pool), round half up:
 * floor((sum + floor(count / 2)) / count). Padding positions of an average pool count as zeros in `sum` and in
 * `count` (the divisor is always size*size, a constant the neuron core can hard-wire).
 */
export function roundedAverage(sum: number, count: number): number {
  return Math.floor((sum + Math.floor(count / 2)) / count);
}

// Array forms of the same rules, for the models' inner loops: constants hoisted out of the loop (2^n, clamp
// bounds), division by 2^n as multiplication by 2^-n, which is exact in binary floating point. They must equal the
// scalar forms above element for element (test/reference/arithmetic.test.ts checks it).

/** dst[i] = requantize(src[i] * scale + bias, shift, bits) for i in [from, to). */
export function requantizeRange(
  src: Float64Array,
  dst: Float64Array,
  from: number,
  to: number,
  shift: number,
  bits: number,
  scale = 1,
  bias = 0,
): void {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const half = shift === 0 ? 0 : 2 ** (shift - 1);
  const inv = 2 ** -shift;
  for (let i = from; i < to; i++) {
    const q = Math.floor((src[i] * scale + bias + half) * inv);
    dst[i] = q < lo ? lo : q > hi ? hi : q;
  }
}

/** dst[i] = residualAdd(a[i], b[i], bits). */
export function residualAddRange(a: Float64Array, b: Float64Array, dst: Float64Array, bits: number): void {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  for (let i = 0; i < dst.length; i++) {
    const v = a[i] + b[i];
    dst[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** codes[k] = adcConvert(sums[k], adc) for k in [0, count). */
export function adcConvertRange(sums: Float64Array, codes: Float64Array, count: number, adc: AdcModel): void {
  const lo = -(2 ** (adc.bits - 1));
  const hi = 2 ** (adc.bits - 1) - 1;
  const inv = 2 ** -adc.shift;
  for (let k = 0; k < count; k++) {
    const v = Math.floor(sums[k] * inv);
    codes[k] = v < lo ? lo : v > hi ? hi : v;
  }
}

// BigInt forms of the same rules, for values past 2^53 (./exactness.ts). BigInt `>>` floors (an arithmetic shift),
// so it is the hardware's shift exactly.

/** clampSigned on a BigInt. */
export function clampSignedBig(value: bigint, bits: number): bigint {
  const lo = -(1n << BigInt(bits - 1));
  const hi = (1n << BigInt(bits - 1)) - 1n;
  return value < lo ? lo : value > hi ? hi : value;
}

/** clampSigned on a BigInt, the result as a number (an activation: at most 32 bits). */
export function clampSignedExact(value: bigint, bits: number): number {
  return Number(clampSignedBig(value, bits));
}

/**
 * adcConvert of an exact column sum. The code stays a BigInt: a target's ADC has at most 32 bits, but a design built
 * in code may give it more, and the accumulator adds the codes exactly.
 */
export function adcConvertExact(acc: bigint, adc: AdcModel): bigint {
  return clampSignedBig(acc >> BigInt(adc.shift), adc.bits);
}

/** requantize (after batchNormFixed when `scale` and `bias` are given) of an exact accumulator. */
export function requantizeExact(p: bigint, shift: number, activationBits: number, scale = 1, bias = 0): number {
  const y = p * BigInt(scale) + BigInt(bias);
  if (shift === 0) return clampSignedExact(y, activationBits);
  const n = BigInt(shift);
  return clampSignedExact((y + (1n << (n - 1n))) >> n, activationBits);
}

/** roundedAverage of an exact sum. */
export function roundedAverageExact(sum: bigint, count: number): number {
  const c = BigInt(count);
  const q = (sum + c / 2n) / c;
  // BigInt division truncates toward zero; the rule floors.
  return Number((sum + c / 2n) % c < 0n ? q - 1n : q);
}
