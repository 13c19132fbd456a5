// A ragged layer reading a replicated pool's pixels (issue 19; IMC112 before). A method-1 layer with a fused pool
// sends the pooled pixels of a block together (src/emit/rtl/plan.ts replicatedPoolPixels), so its ragged consumer's
// block table (src/emit/rtl/lattice.ts) counts their arrival in those groups, a column of the pooled plane at a time,
// as an unreplicated consumer's controller does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_FIELDS, packedEntry } from '../../src/emit/rtl/lattice.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { controllerParametersOf, lintAndVerifyTests, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const p = prepare('test/verify/fixtures/ragged-after-pool.imc');
const NETWORK = 'ragged_after_pool';

/** The entries of a core's block table, each field a signed `cw`-bit number (as lattice.ts packs them). */
function blockEntries(text: string, cw: number): { line: number; values: number[] }[] {
  return text.split('\n').flatMap((l, line) => {
    if (!/^[0-9a-f]+$/.test(l)) return [];
    const packed = BigInt(`0x${l}`);
    const values = BLOCK_FIELDS.map((_, k) => {
      const raw = Number((packed >> BigInt(k * cw)) & ((1n << BigInt(cw)) - 1n));
      return raw >= 2 ** (cw - 1) ? raw - 2 ** cw : raw;
    });
    return [{ line, values }];
  });
}

describe('a ragged layer (3 replicas, dW 2) reading the pooled pixels of a replicated layer (4 replicas, 2x2 max pool)', () => {
  it('maps the layers as written and counts the producer\'s arrivals in pairs of pooled pixels', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 4, 1],
      ['c2', 3, 2],
      ['c3', 5, 2],
    ]);
    // c2 (core c01) takes its blocks from a table; c1's blocks of 4 conv rows bring 2 pooled rows.
    expect(controllerParametersOf(p.files, `${NETWORK}_c01`)).toMatchObject({ BLOCK_TABLE: 1, IN_BLOCK_H: 2, IN_BLOCK_W: 1 });
    const cw = controllerParametersOf(p.files, `${NETWORK}_c01`).CW;
    const needs = blockEntries(p.files.find((f) => f.path === `rtl/${NETWORK}_c01_blocks.mem`)!.content, cw).map((e) => e.values[0]);
    // 4x5 pooled pixels arrive in 10 pairs (2 per pooled column); the blocks of the last columns wait for all of them.
    expect(needs).toEqual([4, 5, 6, 8, 7, 10, 10, 10, 10]);
  });

  lintAndVerifyTests(p, 1000);

  it('verifies on two images, one reset mid-stream', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.coverage.filter((c) => c.layer === 'c2').every((c) => c.nonZero > 0)).toBe(true);
  }, 300_000);

  it('fails when a block no longer waits for its last pair of pooled pixels (fault check)', async () => {
    const dir = writeFiles(p.files);
    const cw = controllerParametersOf(p.files, `${NETWORK}_c01`).CW;
    const path = join(dir, 'rtl', `${NETWORK}_c01_blocks.mem`);
    const lines = readFileSync(path, 'utf8').split('\n');
    // The first block that reads the last pooled column (need 10): it waits for it, the blocks after it no longer do.
    const entries = blockEntries(lines.join('\n'), cw);
    const first = entries.find((e) => e.values[0] === 10)!;
    const values = [...first.values];
    values[0] -= 1;
    lines[first.line] = packedEntry(values, cw);
    writeFileSync(path, lines.join('\n'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c2' });
  }, 300_000);
});

describe('a ragged layer (7 replicas, dW 3) in row and column parts reading a replicated average pool (2 replicas, one pooled pixel every second block)', () => {
  const s = prepare('test/verify/fixtures/ragged-after-pool-split.imc');

  it('splits the ragged layer in two row parts and two column parts, each counting single pooled pixels', () => {
    expect(s.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.rowParts, l.colParts])).toEqual([
      ['c1', 2, 1, 1],
      ['c2', 7, 2, 2],
      ['c3', 5, 2, 2],
    ]);
    for (const core of ['c01', 'c02', 'c03', 'c04']) {
      expect(controllerParametersOf(s.files, `ragged_after_pool_split_${core}`)).toMatchObject({ BLOCK_TABLE: 1, IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    }
  });

  lintAndVerifyTests(s, 1500);
});
