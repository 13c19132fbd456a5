// Sized Verilog literals and bit widths: every number that goes into generated RTL goes through here, so widths are
// explicit (Verilator -Wall rejects unsized or mismatched constants).
import { unsignedBitLength } from '../../reference/arithmetic.js';

/**
 * Bits of an unsigned register or literal that must hold every value 0..maxValue (at least 1). The one width helper
 * of the RTL: callers name the largest value the signal takes (an index into n entries: n - 1; a counter or literal
 * that reaches n: n), never log2 of a count.
 */
export function unsignedBits(maxValue: number): number {
  if (!Number.isSafeInteger(maxValue) || maxValue < 0) throw new RangeError(`no unsigned width holds ${maxValue}`);
  return Math.max(1, unsignedBitLength(maxValue));
}

/** Bits of a signed two's-complement number holding every value in [lo, hi]. */
export function signedBits(lo: number, hi: number): number {
  let bits = 1;
  while (-(2 ** (bits - 1)) > lo || 2 ** (bits - 1) - 1 < hi) bits++;
  return bits;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Verilator -Wall warns of a replication of more than 8,192 bits (WIDTHCONCAT: "probably wrong"). */
const MAX_REPLICATION = 8192;

/** A zero of `bits` bits, e.g. {12{1'b0}}; wider than 8,192 bits, a concatenation of such replications. */
export function zeroLiteral(bits: number): string {
  if (!Number.isSafeInteger(bits) || bits < 1) throw new RangeError(`no zero literal has ${bits} bits`);
  const parts: string[] = [];
  for (let left = bits; left > 0; left -= MAX_REPLICATION) parts.push(`{${Math.min(left, MAX_REPLICATION)}{1'b0}}`);
  return parts.length === 1 ? parts[0] : `{ ${parts.join(', ')} }`;
}

/** Unsigned decimal literal, e.g. 8'd5. */
export function ulit(bits: number, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** bits) throw new RangeError(`${value} does not fit ${bits} unsigned bits`);
  return `${bits}'d${value}`;
}

/** Signed decimal literal, e.g. 16'sd5 or -16'sd3. */
export function slit(bits: number, value: number): string {
  if (!Number.isSafeInteger(value) || value < -(2 ** (bits - 1)) || value > 2 ** (bits - 1) - 1) {
    throw new RangeError(`${value} does not fit ${bits} signed bits`);
  }
  return value < 0 ? `-${bits}'sd${-value}` : `${bits}'sd${value}`;
}

/** Two's-complement hex digits of `value` in `bits` bits (no prefix), e.g. for $readmemh files. */
export function hexDigits(bits: number, value: number): string {
  const modulus = 1n << BigInt(bits);
  const v = ((BigInt(value) % modulus) + modulus) % modulus;
  return v.toString(16).padStart(Math.ceil(bits / 4), '0');
}
