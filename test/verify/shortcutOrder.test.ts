// Residual adds whose shortcut arrives in another pixel order than the adding core computes (issue 19, IMC112
// before): the shortcut buffer keeps each pixel at its arrival index modulo its depth and the core reads its i-th
// pixel at the slot of its own arrival index (src/emit/rtl/shortcutOrder.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shortcutReorder } from '../../src/emit/rtl/shortcutOrder.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { coreModuleFile, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('the shortcut buffer of a reordered residual add', () => {
  it('reads 2x2 blocks arriving on a 4x4 plane in column order, with room for the reads that lag', () => {
    const { slots, depth } = shortcutReorder(4, 4, { rows: 2, cols: 2 }, { rows: 1, cols: 1 }, 10);
    // Column 0 is (0,0) (1,0) (2,0) (3,0): arrival indices 0, 1, 4, 5 of the blocks' order.
    expect(slots.slice(0, 4)).toEqual([0, 1, 4, 5]);
    // Reading (0,1), the fifth pixel (i = 4), the smallest unread arrival index is 2: two behind.
    expect(depth).toBe(10 + 2);
  });

  it('needs no more room when the orders agree', () => {
    const { slots, depth } = shortcutReorder(4, 4, { rows: 2, cols: 1 }, { rows: 4, cols: 1 }, 10);
    expect(slots).toEqual(Array.from({ length: 16 }, (_, i) => i % 10));
    expect(depth).toBe(10);
  });
});

describe('residual adds of shortcuts in another pixel order in RTL (2x2 blocks into columns of 2, and back into column parts)', () => {
  const p = prepare('test/verify/fixtures/shortcut-order.imc');

  it('reads the shortcut of c2 and of both column parts of c3 through tables of slots', () => {
    expect(p.mapping.cores.map((c) => [c.id, c.layer, c.part.colPart])).toEqual([
      ['c00', 'c1', 0],
      ['c01', 'c1', 1],
      ['c02', 'c2', 0],
      ['c03', 'c3', 0],
      ['c04', 'c3', 1],
      ['c05', 'f1', 0],
      ['c06', 'f1', 0],
      ['c07', 'f1', 0],
    ]);
    const c2 = coreModuleFile(p.files, 'shortcut_order_c02', 'neuron').content;
    // c2's third pixel, (2, 0), arrived fifth in x's 2x2 blocks.
    expect(c2).toContain("6'd2: res_slot = 7'd4;");
    // c3's parts read replicas 0-1 and 2-3 of each 2x2 block: their third pixels, (2, 0) and (2, 1), arrived third
    // and ninth in y's columns.
    const part0 = coreModuleFile(p.files, 'shortcut_order_c03', 'neuron').content;
    const part1 = coreModuleFile(p.files, 'shortcut_order_c04', 'neuron').content;
    expect(part0).toContain("5'd2: res_slot = 6'd2;");
    expect(part1).toContain("5'd2: res_slot = 6'd8;");
    expect(part1).toContain('.raddr_i (res_slot),');
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
    // c2: 4 channels of 6x6; each part of c3: 4 channels of half the pixels.
    expect(adding.map((c) => c.activations / result.images.length)).toEqual([144, 72, 72]);
    for (const c of adding) expect(c.nonZero).toBeGreaterThan(0);
    expect(adding.some((c) => c.saturated > 0)).toBe(true);
  }, 300_000);

  it('fails at c2 when two entries of its table are swapped (fault check)', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, coreModuleFile(p.files, 'shortcut_order_c02', 'neuron').path);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain("6'd2: res_slot = 7'd4;");
    expect(text).toContain("6'd3: res_slot = 7'd5;");
    writeFileSync(path, text.replace("6'd2: res_slot = 7'd4;", "6'd2: res_slot = 7'd5;").replace("6'd3: res_slot = 7'd5;", "6'd3: res_slot = 7'd4;"));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c02', layer: 'c2' });
  }, 300_000);
});
