// Residual adds with idle pixels around pools (issue 19; IMC112 before). An adding layer with a fused pool reads its
// shortcut through the table of the pixels it computes (src/emit/rtl/shortcutOrder.ts maskedShortcut), so the pool
// after the add changes nothing there; a replicated pool's pooled pixels arrive as blocks of their own, `pooledPixels`
// down a column of the pooled plane, which the adding core's table counts in.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { lintAndVerifyTests, memLines, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

/** Rewrites data line `index` of a $readmemh file with `edit` (a hex value in, a hex value out). */
function editMem(dir: string, path: string, index: number, edit: (value: bigint) => bigint): void {
  const lines = readFileSync(join(dir, path), 'utf8').split('\n');
  const data = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[0-9a-f]+$/.test(l));
  const { l, i } = data[index];
  lines[i] = edit(BigInt(`0x${l}`)).toString(16).padStart(l.length, '0');
  writeFileSync(join(dir, path), lines.join('\n'));
}

describe('residual adds with idle pixels around pools (ragged blocks into an add before a replicated pool, its pooled pixels into a ragged add)', () => {
  const p = prepare('test/verify/fixtures/pooled-residual.imc');

  it('plans both adds with tables of the in-plane shortcut pixels', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 7, 3],
      ['c2', 2, 1],
      ['c3', 3, 2],
    ]);
    // c2 adds c1's 7-replica ragged blocks (masks of their in-plane replicas) and max-pools after the add.
    expect(neuronParametersOf(p.files, 'pooled_residual_c01')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, RES_IN: 7, POOL: 1 });
    expect(p.files.some((f) => f.path === 'rtl/pooled_residual_c01_res_masks.mem')).toBe(true);
    // c3's ragged blocks add c2's pooled pixels, which arrive one at a time (its 2-pixel columns complete one window
    // row every second block): no arriving pixel is idle, so no masks.
    expect(neuronParametersOf(p.files, 'pooled_residual_c01')).toMatchObject({ EMIT_BITS: 1, OUT_WIDTH: 4 });
    expect(neuronParametersOf(p.files, 'pooled_residual_c02')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, RES_IN: 1 });
    expect(p.files.some((f) => f.path === 'rtl/pooled_residual_c02_res_masks.mem')).toBe(false);
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/pooled_residual.f', 'pooled_residual_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.byKind.timing).toBe(0);
    // 4x8x8, 4x4x4 (pooled) and 4x4x4 activations per image.
    expect(result.coverage.map((c) => [c.layer, c.activations / result.images.length])).toEqual([
      ['c1', 256],
      ['c2', 64],
      ['c3', 64],
    ]);
    for (const c of result.coverage) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c2 when it keeps an idle pixel of c1\'s ragged blocks (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c1's first block lies left of the plane: only replica 6 (its last column) is in it. Keep replica 0 too.
    const first = readFileSync(join(dir, 'rtl/pooled_residual_c01_res_masks.mem'), 'utf8').split('\n').find((l) => /^[0-9a-f]+$/.test(l));
    expect(first).toBe('40');
    editMem(dir, 'rtl/pooled_residual_c01_res_masks.mem', 0, (v) => v | 1n);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2' });
  }, 300_000);

  it('fails at c3 when its pixels read the neighbouring pooled shortcut pixels (fault check)', async () => {
    const dir = writeFiles(p.files);
    // An entry's slot is its lowest RES_PTR_BITS bits: every pixel reads the slot next to its own (bit 0 flipped).
    const path = join(dir, 'rtl/pooled_residual_c02_res_slots.mem');
    const entries = memLines(readFileSync(path, 'utf8')).length;
    expect(entries).toBeGreaterThanOrEqual(16);
    for (let i = 0; i < entries; i++) editMem(dir, 'rtl/pooled_residual_c02_res_slots.mem', i, (v) => v ^ 1n);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c3' });
  }, 300_000);
});

describe('a residual add of a replicated pool\'s pixels without idle pixels (c1 unreplicated, c3 in columns of 2)', () => {
  // Before, the adding core took the pool's replicas for the pixels sent together (2, not the 1 pooled pixel of each
  // valid): the top sliced the sent vector past its end and the RTL did not build.
  const dir = mkdtempSync(join(tmpdir(), 'imcc-pooled-residual-'));
  const path = join(dir, 'pooled-residual-plain.imc');
  writeFileSync(
    path,
    readFileSync('test/verify/fixtures/pooled-residual.imc', 'utf8')
      .replace('layer c1: replicas 7, method 2, dw 3', 'layer c1: replicas 1, method 1')
      .replace('layer c3: replicas 3, method 2, dw 2', 'layer c3: replicas 2, method 1'),
  );
  const q = prepare(path);

  it('takes the pooled pixels of each valid as the arriving shortcut pixels', () => {
    expect(neuronParametersOf(q.files, 'pooled_residual_c01')).toMatchObject({ POOL: 1, OUT_WIDTH: 4 });
    expect(neuronParametersOf(q.files, 'pooled_residual_c02')).toMatchObject({ HAS_RES: 1, RES_TABLE: 0, RES_IN: 1 });
  });

  lintAndVerifyTests(q, 1000);
});
