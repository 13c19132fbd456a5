// Input memories whose word length is not a power of two (12 bits): pixels straddle words, and the controllers find
// a pixel's word and bit offset by a constant division and modulo; verified bit-exact.
import { describe, expect, it } from 'vitest';
import { controllerParametersOf, lintAndVerifyTests, prepare } from '../rtl/helpers.js';

describe('12-bit memory words in RTL', () => {
  const p = prepare('test/verify/fixtures/word12.imc');

  it('plans 12-bit words with pixels of 8 and 20 bits, and divides bit addresses by the word', () => {
    expect(p.plan.cores.map((c) => [c.wordBits, c.pixelBits])).toEqual([
      [12, 8],
      [12, 20],
    ]);
    // Both cores set the controller's 12-bit word; a word that is not a power of two selects its division branch.
    for (const core of p.mapping.cores) expect(controllerParametersOf(p.files, `word12_${core.id}`).WORD_BITS).toBe(12);
    const controller = p.files.find((f) => f.path === 'rtl/imcc_controller.v')!.content;
    const division = controller.slice(controller.indexOf('begin : g_word_mod'));
    expect(division).toMatch(/^begin : g_word_mod\n\s+assign w_bit = addr_w_q % WORD;\n\s+assign r_bit = r_addr % WORD;\n\s+assign mem_word_addr = mem_bit_addr \/ WORD;/);
  });

  // Every address of both cores is compared with its schedule (word addresses), with ADC columns and activations.
  lintAndVerifyTests(p, 1000);
});
