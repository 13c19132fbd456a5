import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adcConvert,
  adcNeedBits,
  clampSigned,
  requantize,
  rescalePartialSums,
  residualAdd,
  resolveAdc,
  roundedAverage,
  shiftRightFloor,
  unsignedBitLength,
  requantizeRange,
  adcConvertRange,
  residualAddRange,
  batchNormFixed,
} from '../../src/reference/arithmetic.js';

describe('arithmetic rules', () => {
  it('saturates to signed bit widths', () => {
    expect(clampSigned(200, 8)).toBe(127);
    expect(clampSigned(-200, 8)).toBe(-128);
    expect(clampSigned(-128, 8)).toBe(-128);
    expect(clampSigned(5, 3)).toBe(3);
    expect(clampSigned(-5, 3)).toBe(-4);
  });

  it('shifts right by flooring, also above 2^31 where JS >> would wrap', () => {
    expect(shiftRightFloor(-7, 1)).toBe(-4);
    expect(shiftRightFloor(7, 1)).toBe(3);
    expect(shiftRightFloor(2 ** 40 + 3, 2)).toBe(2 ** 38);
    expect(shiftRightFloor(-(2 ** 40) - 1, 4)).toBe(-(2 ** 36) - 1);
  });

  it('needBits: ceil(log2(rows * 2^(a-1) * (2^(wb-1)-1) + 1)) + 1', () => {
    expect(unsignedBitLength(0)).toBe(0);
    expect(unsignedBitLength(1)).toBe(1);
    expect(unsignedBitLength(255)).toBe(8);
    expect(unsignedBitLength(256)).toBe(9);
    // 144 rows of 8-bit x 8-bit: 144 * 128 * 127 = 2,340,864 < 2^22.
    expect(adcNeedBits(144, 8, 8)).toBe(23);
    // 256 rows: 256 * 128 * 127 = 4,161,536 < 2^22 -> 23 bits; the dazzi2021 target's 24-bit ADC is lossless.
    expect(adcNeedBits(256, 8, 8)).toBe(23);
    expect(adcNeedBits(1, 2, 2)).toBe(3);
  });

  it('resolves the ADC shift: a number as written, auto = max(0, needBits - B)', () => {
    expect(resolveAdc({ adcBits: 24, adcShift: 'auto' }, 256, 8, 8)).toEqual({ bits: 24, shift: 0, lossless: true });
    expect(resolveAdc({ adcBits: 8, adcShift: 'auto' }, 256, 8, 8)).toEqual({ bits: 8, shift: 15, lossless: false });
    expect(resolveAdc({ adcBits: 8, adcShift: 3 }, 256, 8, 8)).toEqual({ bits: 8, shift: 3, lossless: false });
  });

  it('auto ADC shift never saturates: every reachable column sum converts within range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 2, max: 16 }),
        (rows, a, wb, bits) => {
          const adc = resolveAdc({ adcBits: bits, adcShift: 'auto' }, rows, a, wb);
          const extreme = rows * 2 ** (a - 1) * (2 ** (wb - 1) - 1);
          for (const acc of [extreme, -extreme]) {
            const code = shiftRightFloor(acc, adc.shift);
            expect(adcConvert(acc, adc)).toBe(code);
          }
          if (adc.lossless) expect(rescalePartialSums(adcConvert(-extreme, adc), adc)).toBe(-extreme);
        },
      ),
    );
  });

  it('ADC: clamp(acc >> s, -2^(B-1), 2^(B-1)-1), and the neuron core rescales by 2^s', () => {
    const adc = { bits: 3, shift: 1, lossless: false };
    expect(adcConvert(-7, adc)).toBe(-4);
    expect(adcConvert(5, adc)).toBe(2);
    expect(adcConvert(100, adc)).toBe(3);
    expect(adcConvert(-100, adc)).toBe(-4);
    expect(rescalePartialSums(2 + 3, adc)).toBe(10);
  });

  it('requantizes with round half up and saturation', () => {
    expect(requantize(5, 1, 8)).toBe(3);
    expect(requantize(-5, 1, 8)).toBe(-2);
    expect(requantize(-6, 2, 8)).toBe(-1);
    expect(requantize(-7, 2, 8)).toBe(-2);
    expect(requantize(1000, 2, 8)).toBe(127);
    expect(requantize(-1000, 0, 8)).toBe(-128);
    expect(requantize(17, 0, 8)).toBe(17);
  });

  it('adds residuals with saturation and averages with round half up', () => {
    expect(residualAdd(100, 100, 8)).toBe(127);
    expect(residualAdd(-100, -100, 8)).toBe(-128);
    expect(roundedAverage(5, 2)).toBe(3);
    expect(roundedAverage(-5, 2)).toBe(-2);
    expect(roundedAverage(10, 4)).toBe(3);
    expect(roundedAverage(9, 4)).toBe(2);
    expect(roundedAverage(-9, 4)).toBe(-2);
    expect(roundedAverage(-10, 4)).toBe(-2);
  });
});

describe('array forms equal the scalar rules', () => {
  it('requantizeRange (with batch norm scale and bias), adcConvertRange and residualAddRange', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 1, max: 63 }),
        fc.integer({ min: -5000, max: 5000 }),
        (values, shift, bits, scale, bias) => {
          const src = Float64Array.from(values);
          const dst = new Float64Array(src.length);
          requantizeRange(src, dst, 0, src.length, shift, bits, scale, bias);
          expect(Array.from(dst)).toEqual(values.map((v) => requantize(batchNormFixed(v, scale, bias), shift, bits)));
          requantizeRange(src, dst, 0, src.length, shift, bits);
          expect(Array.from(dst)).toEqual(values.map((v) => requantize(v, shift, bits)));
          const other = Float64Array.from(values.map((v) => clampSigned(v, bits)));
          const mine = Float64Array.from(values.map((v) => clampSigned(-v, bits)));
          const adc = { bits, shift: shift % 12, lossless: false };
          adcConvertRange(src, dst, src.length, adc);
          expect(Array.from(dst)).toEqual(values.map((v) => adcConvert(v, adc)));
          residualAddRange(mine, other, dst, bits);
          expect(Array.from(dst)).toEqual(values.map((_, i) => residualAdd(mine[i], other[i], bits)));
        },
      ),
    );
  });
});
