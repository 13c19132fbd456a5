import { describe, expect, it } from 'vitest';
import { unsignedBits, hexDigits, signedBits, slit, ulit } from '../../../src/emit/rtl/literals.js';

describe('sized Verilog literals', () => {
  it('sizes every literal and rejects values that do not fit', () => {
    expect(ulit(8, 5)).toBe("8'd5");
    expect(slit(16, -3)).toBe("-16'sd3");
    expect(() => ulit(3, 8)).toThrow();
    expect(() => slit(4, 8)).toThrow();
  });

  it('writes two\'s complement hex for $readmemh files', () => {
    expect(hexDigits(4, -1)).toBe('f');
    expect(hexDigits(8, -128)).toBe('80');
    expect(hexDigits(12, 5)).toBe('005');
  });

  it('computes widths from the largest value a signal holds (issue 19: "64 does not fit 6 unsigned bits")', () => {
    expect(unsignedBits(0)).toBe(1);
    expect(unsignedBits(1)).toBe(1);
    expect(unsignedBits(63)).toBe(6);
    expect(unsignedBits(64)).toBe(7);
    expect(unsignedBits(255)).toBe(8);
    expect(unsignedBits(256)).toBe(9);
    for (let v = 0; v < 600; v++) expect(() => ulit(unsignedBits(v), v)).not.toThrow();
    expect(() => unsignedBits(-1)).toThrow(RangeError);
    expect(() => unsignedBits(1.5)).toThrow(RangeError);
    expect(signedBits(-8, 7)).toBe(4);
    expect(signedBits(-9, 7)).toBe(5);
  });
});
