// Ragged method-2 blocks in layers split in column parts (issue 19, IMC112 before): every column part walks the
// layer's block table and emits its own replicas' columns; the layer's pixel is the parts' vectors side by side, and
// each part's wrapper counts the replicas it traces from the one its first column is in.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { controllerParametersOf, memLines, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('ragged blocks in column parts (3 replicas dW 2 of 10 channels in two parts; the output, 3 replicas dW 2 of 6 channels in two parts, reading them)', () => {
  const p = prepare('test/verify/fixtures/ragged-columns.imc');
  const file = (path: string): string => p.files.find((f) => f.path === path)!.content;

  it('splits both ragged layers in two column parts that start inside replica 1, each with the layer\'s block table', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.colParts])).toEqual([
      ['c1', 3, 2, 2],
      ['c2', 3, 2, 2],
    ]);
    expect(p.mapping.cores.map((c) => [c.id, c.part.colStart, c.part.colEnd])).toEqual([
      ['c00', 0, 15],
      ['c01', 15, 30],
      ['c02', 0, 9],
      ['c03', 9, 18],
    ]);
    const data = (path: string): string[] => memLines(file(path));
    expect(data('rtl/ragged_columns_c01_blocks.mem')).toEqual(data('rtl/ragged_columns_c00_blocks.mem'));
    expect(controllerParametersOf(p.files, 'ragged_columns_c03')).toMatchObject({ BLOCK_TABLE: 1, ARRIVAL_TABLE: 1 });
    // The second parts trace replica 1 first.
    expect(file('rtl/ragged_columns_c00.v')).toContain('if (neuron_start) trace_replica <= 0;');
    expect(file('rtl/ragged_columns_c01.v')).toContain('if (neuron_start) trace_replica <= 1;');
    expect(file('rtl/ragged_columns_c03.v')).toContain('if (neuron_start) trace_replica <= 1;');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/ragged_columns.f', 'ragged_columns_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, every on-plane pixel of every channel emitted once', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const layer = (name: string): number =>
      result.coverage.filter((c) => c.layer === name).reduce((sum, c) => sum + c.activations, 0) / result.images.length;
    // 10x7x6 and 6x7x6 activations per image, split between the parts.
    expect([layer('c1'), layer('c2')]).toEqual([420, 252]);
    for (const c of result.coverage) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c01 on a memory read when its block table takes two blocks in another order than its sibling\'s (fault check)', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl', 'ragged_columns_c01_blocks.mem');
    const lines = readFileSync(path, 'utf8').split('\n');
    const data = lines.flatMap((l, i) => (/^[0-9a-f]+$/.test(l) ? [i] : []));
    // Blocks 2 and 3: block 3 needs more of the input than block 2, so taken first it reads a word not yet written.
    [lines[data[2]], lines[data[3]]] = [lines[data[3]], lines[data[2]]];
    writeFileSync(path, lines.join('\n'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c01', layer: 'c1' });
  }, 300_000);
});
