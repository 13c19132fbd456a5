// Method-2 blocks whose output plane ends inside their rows (issue 19; IMC056 and IMC112 before): the last block of
// each block column has idle bottom rows, and the block's pixels arrive y fastest, so the idle ones of a column sit
// between the in-plane ones of the next. The consumer's controller walks each arriving column whole and writes only
// its rows in the plane (IN_ROWS_IDLE); a residual add keeps only the in-plane shortcut pixels, and the testbench skips
// the output's idle pixels.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { controllerParametersOf, coreModuleFile, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('method-2 blocks with idle bottom rows (2x2 and 3x2 blocks on a 7-row plane, read by method-2 blocks, a plain layer, a residual add and the testbench)', () => {
  const p = prepare('test/verify/fixtures/edge-rows.imc');

  it('maps the blocks the bottom of the plane cuts, and each consumer of them walks whole columns', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 4, 2],
      ['c2', 6, 2],
      ['c3', 1, 1],
      ['c4', 4, 2],
    ]);
    expect(neuronParametersOf(p.files, 'edge_rows_c00')).toMatchObject({ EDGE_BLOCKS: 1, BLOCK_H: 2, BLOCK_W: 2, OUT_H: 7 });
    // c2 reads c1's 2x2 blocks, c3 c2's 3x2 ones: 7 rows are no whole number of either.
    expect(controllerParametersOf(p.files, 'edge_rows_c01')).toMatchObject({ IN_H: 7, IN_BLOCK_H: 2, IN_BLOCK_W: 2 });
    expect(controllerParametersOf(p.files, 'edge_rows_c02')).toMatchObject({ IN_H: 7, IN_BLOCK_H: 3, IN_BLOCK_W: 2 });
    expect(coreModuleFile(p.files, 'edge_rows_c01', 'controller').content).toContain(
      'localparam integer IN_ROWS_IDLE = ((ARRIVAL_TABLE == 0) && (IN_BLOCK_W > 1) && (IN_BLOCK_H > 1) && ((IN_H % IN_BLOCK_H) != 0)) ? 1 : 0;',
    );
    // c3 adds c1's blocks: it keeps only their in-plane pixels.
    expect(neuronParametersOf(p.files, 'edge_rows_c02')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, RES_IN: 4 });
    const tb = p.files.find((f) => f.path === 'tb/edge_rows_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_BLOCK_H = 2;');
    expect(tb).toContain('static const int OUT_HEIGHT = 7;');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/edge_rows.f', 'edge_rows_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, every layer emitting each pixel of its plane once', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.byKind.timing).toBe(0);
    // 4x7x8 activations per layer and image.
    expect(result.coverage.map((c) => [c.layer, c.activations / result.images.length])).toEqual([
      ['c1', 224],
      ['c2', 224],
      ['c3', 224],
      ['c4', 224],
    ]);
    for (const c of result.coverage) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c2 when its controller writes an arriving block\'s idle pixels as the next column\'s (fault check)', async () => {
    const dir = writeFiles(p.files);
    // The old rule in the shared controller module: an arriving column ends at the plane's last row.
    const path = join(dir, coreModuleFile(p.files, 'edge_rows_c01', 'controller').path);
    const text = readFileSync(path, 'utf8');
    const rule = 'localparam integer IN_ROWS_IDLE = ((ARRIVAL_TABLE == 0) && (IN_BLOCK_W > 1) && (IN_BLOCK_H > 1) && ((IN_H % IN_BLOCK_H) != 0)) ? 1 : 0;';
    expect(text).toContain(rule);
    writeFileSync(path, text.replace(rule, 'localparam integer IN_ROWS_IDLE = 0;'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c2' });
  }, 300_000);
});
