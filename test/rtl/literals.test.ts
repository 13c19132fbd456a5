import { describe, expect, it } from 'vitest';
import { clog2, hexDigits, signedBits, slit, ulit } from '../../src/emit/rtl/literals.js';

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

  it('computes widths', () => {
    expect(clog2(1)).toBe(1);
    expect(clog2(256)).toBe(8);
    expect(clog2(257)).toBe(9);
    expect(signedBits(-8, 7)).toBe(4);
    expect(signedBits(-9, 7)).toBe(5);
  });
});
