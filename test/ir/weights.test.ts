import { describe, expect, it } from 'vitest';
import { BN_SCALE_BITS, generateBatchNorm, mulberry32, streamFor, uniformInt, uniformWideInt } from '../../src/ir/weights.js';

describe('generateBatchNorm', () => {
  it('draws biases over the whole documented range [-2^(n-1), 2^(n-1)] for shifts past 32 (no 32-bit wrap)', () => {
    for (const shift of [33, 40, 48]) {
      const { scale, bias } = generateBatchNorm(7, 'c2', 512, shift);
      const max = 2 ** (shift - 1);
      for (const b of bias) {
        expect(Number.isSafeInteger(b)).toBe(true);
        expect(Math.abs(b)).toBeLessThanOrEqual(max);
      }
      // Spread over the range like uniform draws: about half of them past half its end, on both sides; a 32-bit
      // value (the wrap) is never past 2^31.
      const outer = bias.filter((b) => Math.abs(b) > max / 2);
      expect(outer.length).toBeGreaterThan(0.4 * 512);
      expect(outer.length).toBeLessThan(0.6 * 512);
      expect(outer.filter((b) => b > 0).length).toBeGreaterThan(0.4 * outer.length);
      expect(outer.filter((b) => b < 0).length).toBeGreaterThan(0.4 * outer.length);
      for (const s of scale) {
        expect(s).toBeGreaterThanOrEqual(2 ** (BN_SCALE_BITS - 1));
        expect(s).toBeLessThanOrEqual(2 ** BN_SCALE_BITS - 1);
      }
    }
  });

  it('keeps the one-word draws of shifts up to 31, so seeded networks keep their batch norms', () => {
    const { scale, bias } = generateBatchNorm(11, 'conv1', 16, 31);
    const next = streamFor(11, 'conv1', 'batchnorm');
    for (let c = 0; c < 16; c++) {
      expect(scale[c]).toBe(uniformInt(next, 32, 63));
      expect(bias[c]).toBe(uniformInt(next, -(2 ** 30), 2 ** 30));
    }
  });
});

describe('uniformWideInt', () => {
  it('draws one 64-bit word (two draws) modulo a range wider than 2^32', () => {
    const next = mulberry32(5);
    const check = mulberry32(5);
    const lo = -(2 ** 40);
    const hi = 2 ** 40;
    for (let i = 0; i < 100; i++) {
      const word = (BigInt(check()) << 32n) | BigInt(check());
      expect(uniformWideInt(next, lo, hi)).toBe(lo + Number(word % BigInt(hi - lo + 1)));
    }
  });

  it('reaches both ends of a range of exactly 2^53 values and refuses a wider one', () => {
    // A source that gives the largest and the smallest 64-bit words: their residues are the range's ends here.
    const words = [0xffffffff, 0xffffffff, 0, 0];
    const next = (): number => words.shift()!;
    const range = 2n ** 53n;
    expect(uniformWideInt(next, 0, 2 ** 53 - 1)).toBe(Number((2n ** 64n - 1n) % range));
    expect(uniformWideInt(next, 0, 2 ** 53 - 1)).toBe(0);
    expect(() => uniformWideInt(mulberry32(1), -(2 ** 53), 2 ** 53)).toThrow(RangeError);
    // 2^53 + 1 values, whose count a double would round to 2^53.
    expect(() => uniformWideInt(mulberry32(1), -(2 ** 52), 2 ** 52)).toThrow(RangeError);
    expect(() => generateBatchNorm(1, 'c', 1, 53)).toThrow(RangeError);
  });
});
