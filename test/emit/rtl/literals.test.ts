import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsignedBits, hexDigits, signedBits, slit, ulit, zeroLiteral } from '../../../src/emit/rtl/literals.js';
import { lintRtl } from '../../../src/verify/lint.js';

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

  it('writes zeros wider than 8,192 bits as a concatenation, lint clean (a 10,528-bit partial-sum port warned WIDTHCONCAT)', async () => {
    expect(zeroLiteral(12)).toBe("{12{1'b0}}");
    expect(zeroLiteral(8192)).toBe("{8192{1'b0}}");
    expect(zeroLiteral(10_528)).toBe("{ {8192{1'b0}}, {2336{1'b0}} }");
    expect(() => zeroLiteral(0)).toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'imcc-zero-'));
    writeFileSync(
      join(dir, 'wide_zero.v'),
      `module wide_zero (output wire [10527:0] zero_o, output wire [16384:0] wider_o);\n  assign zero_o = ${zeroLiteral(10_528)};\n  assign wider_o = ${zeroLiteral(16_385)};\nendmodule\n`,
    );
    writeFileSync(join(dir, 'wide_zero.f'), 'wide_zero.v\n');
    const lint = await lintRtl(dir, 'wide_zero.f', 'wide_zero');
    expect(lint.messages).toEqual([]);
    expect(lint.ok).toBe(true);
  }, 60_000);
});
