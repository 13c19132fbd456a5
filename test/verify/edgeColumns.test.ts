// Edge blocks in replicated layers split in column parts (issue 19, IMC112 before): each column part masks its own
// replicas past the plane, and sends every block, even one whose replicas are all idle, so the layer's parts are
// valid together and the consumer writes the shorter arriving block.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { coreModuleFile, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('edge blocks in column parts (3 replicas of 10 channels in two parts on 7 rows; 1x2 blocks of 10 channels in 2 x 2 parts on 7 columns)', () => {
  const p = prepare('test/verify/fixtures/edge-columns.imc');

  it('splits both replicated layers in two column parts, c1\'s second starting inside replica 1', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.colParts])).toEqual([
      ['c1', 3, 1, 2],
      ['c2', 2, 2, 2],
      ['c3', 1, 1, 1],
    ]);
    expect(p.mapping.cores.slice(0, 2).map((c) => [c.id, c.part.colStart, c.part.colEnd])).toEqual([
      ['c00', 0, 15],
      ['c01', 15, 30],
    ]);
    // c01 starts at replica 1 (block row 1), channel 5, and masks its replicas past the plane.
    expect(neuronParametersOf(p.files, 'edge_columns_c01')).toMatchObject({ REPLICATED: 1, REP_Y_FIRST: 1, OC_FIRST: 5, EDGE_BLOCKS: 1 });
    expect(coreModuleFile(p.files, 'edge_columns_c01', 'neuron').content).toContain('assign emit = (LATTICE != 0) || pixel_in_plane;');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/edge_columns.f', 'edge_columns_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, each column part emitting its replicas\' on-plane pixels once', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const perImage = (core: string): number => result.coverage.find((c) => c.core === core)!.activations / result.images.length;
    // c1 (rows 0..6 in columns of 3): c00 holds replica 0 (rows 0, 3, 6) and channels 0..4 of replica 1 (rows 1, 4);
    // c01 the rest of replica 1 and replica 2 (rows 2, 5), idle in every column's last block.
    expect([perImage('c00'), perImage('c01')]).toEqual([(21 * 10) + 14 * 5, 14 * 5 + 14 * 10]);
    // c2's accumulating parts (1x2 blocks on 7 columns: replica 1 idle in the last block of a row), c3's.
    expect([perImage('c04'), perImage('c05'), perImage('c07')]).toEqual([7 * 4 * 10, 7 * 3 * 10, 3 * 3 * 4]);
    for (const c of result.coverage.filter((c) => c.activations > 0)) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c2 when a part sends no pixel for a block whose replicas are all idle (fault check)', async () => {
    const dir = writeFiles(p.files);
    // The static neuron core is one module for every core: c01 (all idle in a column's last block) and c05 drop blocks.
    const path = join(dir, coreModuleFile(p.files, 'edge_columns_c01', 'neuron').path);
    const text = readFileSync(path, 'utf8');
    const sent = "assign block_valid = 1'b1;\n";
    expect(text.split(sent)).toHaveLength(2);
    // The layer's pixel is valid when both parts' are: without c01's, c2 never receives the last block of a column.
    writeFileSync(path, text.replace(sent, 'assign block_valid = emit;\n'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2' });
  }, 300_000);
});
