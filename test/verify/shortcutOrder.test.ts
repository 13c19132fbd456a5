// Residual adds whose shortcut arrives in another pixel order than the adding core computes (issue 19, IMC112
// before): the shortcut buffer keeps each pixel at its arrival index modulo its depth and the core reads its i-th
// pixel at the slot of its own arrival index, through a table (src/emit/rtl/shortcutOrder.ts; its unit tests are in
// test/emit/rtl/shortcutOrder.test.ts).
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { coreModuleFile, editShortcutTable, neuronParametersOf, prepare, shortcutTable, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

describe('residual adds of shortcuts in another pixel order in RTL (2x2 blocks into columns of 2, and back into column parts)', () => {
  const p = prepare('test/verify/fixtures/shortcut-order.imc');
  const file = (path: string): string => p.files.find((f) => f.path === path)!.content;
  const ptrBits = (core: string): number => neuronParametersOf(p.files, `shortcut_order_${core}`).RES_PTR_BITS;
  /** The entries of a core's table, from its wrapper's ROM file. */
  const entriesOf = (core: string) => shortcutTable(file(`rtl/shortcut_order_${core}_res_slots.mem`), ptrBits(core));
  /** The FIFO slot of each of a core's pixels. */
  const slotsOf = (core: string): number[] => entriesOf(core).map((e) => e.slot);
  /** The shortcut pixels each of a table's pixels frees. */
  const advancesOf = (core: string): number[] => entriesOf(core).map((e) => e.advance);

  it('reads the shortcut of c2 and of both column parts of c3 through tables of slots', () => {
    expect(p.mapping.cores.map((c) => [c.id, c.layer, c.part.colPart])).toEqual([
      ['c00', 'c1', 0],
      ['c01', 'c1', 1],
      ['c02', 'c2', 0],
      ['c03', 'c3', 0],
      ['c04', 'c3', 1],
    ]);
    // The static neuron core reads each table from its wrapper's ROM (one entry per line, the core's pixel order).
    for (const core of ['c02', 'c03', 'c04']) {
      expect(neuronParametersOf(p.files, `shortcut_order_${core}`)).toMatchObject({ HAS_RES: 1, RES_TABLE: 1 });
      expect(file(`rtl/shortcut_order_${core}.v`)).toContain(`$readmemh("rtl/shortcut_order_${core}_res_slots.mem", res_slot_rom);`);
    }
    // The tables also say what each block waits for (its last pixel's arrival) and frees: in c3's parts, which take
    // every arriving pixel, all the block's pixels, so each part's count stays in step with its writes.
    expect(['c02', 'c03', 'c04'].map((core) => neuronParametersOf(p.files, `shortcut_order_${core}`).RES_TABLE)).toEqual([1, 1, 1]);
    // Each part frees 4 pixels after each block's last of its pixels: the whole 16x16 plane.
    for (const core of ['c03', 'c04']) {
      expect(advancesOf(core).filter((a) => a !== 0)).toEqual(Array(64).fill(4));
    }
    // c2's third pixel, (2, 0), arrived fifth in x's 2x2 blocks.
    expect(slotsOf('c02')[2]).toBe(4);
    // c3's parts read replicas 0-1 and 2-3 of each 2x2 block: their third pixels, (2, 0) and (2, 1), arrived third
    // and 19th in y's columns.
    expect(slotsOf('c03')[2]).toBe(2);
    expect(slotsOf('c04')[2]).toBe(18);
    expect(coreModuleFile(p.files, 'shortcut_order_c04', 'neuron').content).toContain('.raddr_i (res_raddr),');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/shortcut_order.f', 'shortcut_order_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, with non-zero and saturated activations of both adding cores', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const adding = result.coverage.filter((c) => c.layer === 'c2' || c.layer === 'c3');
    // c2: 4 channels of 16x16; each part of c3: 4 channels of half the pixels.
    expect(adding.map((c) => c.activations / result.images.length)).toEqual([1024, 512, 512]);
    for (const c of adding) expect(c.nonZero).toBeGreaterThan(0);
    expect(adding.some((c) => c.saturated > 0)).toBe(true);
  }, 300_000);

  it('fails at c2 when the slots of two of its pixels are swapped (fault check)', async () => {
    // The table is a ROM file read at run time: the clean build is reused. c2's third and fourth pixels, (2, 0) and
    // (3, 0), arrived fifth and sixth.
    expect(slotsOf('c02').slice(2, 4)).toEqual([4, 5]);
    const result = await verifyEdited(p, 'shortcut_order_c02_res_slots.mem', (text) =>
      editShortcutTable(text, ptrBits('c02'), (entry, i) => (i === 2 ? { ...entry, slot: 5 } : i === 3 ? { ...entry, slot: 4 } : entry)),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c02', layer: 'c2' });
  }, 300_000);

  it('fails at c3 when its first part frees only its own replicas\' pixels after each block (fault check)', async () => {
    // Advance 4 -> 2 in each block's last entry: the part's count then grows by the other part's 2 pixels a block.
    const result = await verifyEdited(p, 'shortcut_order_c03_res_slots.mem', (text) =>
      editShortcutTable(text, ptrBits('c03'), (entry) => (entry.advance === 4 ? { ...entry, advance: 2 } : entry)),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c03', layer: 'c3' });
  }, 300_000);
});
