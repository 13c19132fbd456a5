// Input memories whose word length is not a power of two (12 bits): pixels straddle words, and the controllers find
// a pixel's word and bit offset by a constant division and modulo; verified bit-exact.
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

describe('12-bit memory words in RTL', () => {
  const p = prepare('test/verify/fixtures/word12.imc');

  it('plans 12-bit words with pixels of 8 and 20 bits, and divides bit addresses by the word', () => {
    expect(p.plan.cores.map((c) => [c.wordBits, c.pixelBits])).toEqual([
      [12, 8],
      [12, 20],
    ]);
    for (const f of p.files.filter((x) => /_controller_[0-9a-f]{8}\.v$/.test(x.path))) {
      expect(f.content).toContain('localparam integer WORD_BITS = 12;');
      expect(f.content).toContain('wire signed [CW-1:0] mem_word_addr = mem_bit_addr / WORD;');
      expect(f.content).toContain('wire signed [CW-1:0] r_bit = r_addr % WORD;');
    }
  });

  // Every address of both cores is compared with its schedule (word addresses), with ADC columns and activations.
  lintAndVerifyTests(p, 1000);
});
