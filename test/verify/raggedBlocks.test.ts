// Ragged method-2 blocks in RTL (issue 15 item 2; IMC112 before): replica counts that are not a multiple of dW, the
// blocks on a skewed lattice whose origins may lie above or left of the plane (src/mapping/block.ts). The controller
// takes a ragged layer's blocks and their readiness, and a ragged producer's arriving blocks, from tables
// (src/emit/rtl/lattice.ts); the neuron core emits every replica and the consumers and the testbench skip the
// off-plane ones.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOperationTimesteps, verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { ARRIVAL_FIELDS, BLOCK_FIELDS, packedEntry } from '../../src/emit/rtl/lattice.js';
import { controllerParametersOf, lintAndVerifyTests, prepare, TEST_CACHE, writeFiles, type Prepared } from '../emit/rtl/helpers.js';

/** Rewrites field `field` of entry `entry` of a core's table file (fields as src/emit/rtl/lattice.ts packs them). */
function corruptTable(dir: string, p: Prepared, core: string, table: 'blocks' | 'arrivals', pick: (entries: number[][], fields: readonly string[]) => { entry: number; field: string; value: number }): void {
  const cw = controllerParametersOf(p.files, core).CW;
  const fields: readonly string[] = table === 'blocks' ? BLOCK_FIELDS : ARRIVAL_FIELDS;
  const path = join(dir, 'rtl', `${core}_${table}.mem`);
  const lines = readFileSync(path, 'utf8').split('\n');
  const data = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[0-9a-f]+$/.test(l));
  const entries = data.map(({ l }) => {
    const packed = BigInt(`0x${l}`);
    return fields.map((_, k) => {
      const raw = Number((packed >> BigInt(k * cw)) & ((1n << BigInt(cw)) - 1n));
      return raw >= 2 ** (cw - 1) ? raw - 2 ** cw : raw;
    });
  });
  const { entry, field, value } = pick(entries, fields);
  const values = [...entries[entry]];
  values[fields.indexOf(field)] = value;
  lines[data[entry].i] = packedEntry(values, cw);
  writeFileSync(path, lines.join('\n'));
}

describe('ragged blocks in RTL (7 replicas dW 3; 5 replicas dW 2 at stride 2 reading them; 3 replicas dW 2 as the output)', () => {
  const p = prepare('test/verify/fixtures/ragged.imc');

  it('maps ragged blocks and gives each core a table of its lattice blocks (and of a ragged producer\'s)', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 7, 3],
      ['c2', 5, 2],
      ['c3', 3, 2],
    ]);
    const tables = p.files.filter((f) => /_(blocks|arrivals)\.mem$/.test(f.path)).map((f) => f.path);
    expect(tables).toEqual(['rtl/ragged_c00_blocks.mem', 'rtl/ragged_c01_arrivals.mem', 'rtl/ragged_c01_blocks.mem', 'rtl/ragged_c02_arrivals.mem', 'rtl/ragged_c02_blocks.mem']);
    // c1's short last column (one replica) holds region rows 0..2 of its region columns 4 (3x3 windows, stride 1).
    expect(controllerParametersOf(p.files, 'ragged_c00')).toMatchObject({ BLOCK_TABLE: 1, SHORT_DX: 4, SHORT_DY: 2, SHORT_ROWS: 3, REGION_ROWS: 5 });
    expect(controllerParametersOf(p.files, 'ragged_c01')).toMatchObject({ ARRIVAL_TABLE: 1, IN_BLOCK_H: 3, IN_BLOCK_W: 3, IN_LAST_H: 1 });
    // The output's ragged blocks: the testbench lists their origins, the first left of the plane.
    const tb = p.files.find((f) => f.path === 'tb/ragged_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_ORIGINS[][2] = {');
    expect(tb).toMatch(/\{ -?\d+, -1 \},/);
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/ragged.f', 'ragged_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, at the dataflow model\'s timesteps, every pixel emitted once', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    // The crossbar operations came at the dataflow model's timesteps (compared for every core).
    expect(modelOperationTimesteps(p.program).size).toBe(p.mapping.cores.length);
    expect(result.byKind.timing).toBe(0);
    // 4x8x8, 4x4x4 and 4x4x4 activations per image.
    const layers = result.coverage.map((c) => [c.layer, c.activations / result.images.length]);
    expect(layers).toEqual([
      ['c1', 256],
      ['c2', 64],
      ['c3', 64],
    ]);
    for (const c of result.coverage) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails on a memory address when an arriving block\'s lattice origin is wrong (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c2's table of c1's blocks: the fifth block's origin one row lower (its row and its row address).
    const deltaKernel = controllerParametersOf(p.files, 'ragged_c01').DELTA_KERNEL;
    corruptTable(dir, p, 'ragged_c01', 'arrivals', (entries, fields) => ({ entry: 4, field: 'ry', value: entries[4][fields.indexOf('ry')] + 1 }));
    corruptTable(dir, p, 'ragged_c01', 'arrivals', (entries, fields) => ({ entry: 4, field: 'row0', value: entries[4][fields.indexOf('row0')] + deltaKernel }));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c01', layer: 'c2' });
  }, 300_000);
});

describe('ragged blocks next to unreplicated layers and row parts (5 replicas dW 2 into a plain conv; 3 replicas dW 2, stride 2, three row parts, into an fc)', () => {
  const p = prepare('test/verify/fixtures/ragged-split.imc');

  it('splits the ragged layers in row parts', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.cores.length])).toEqual([
      ['c1', 5, 2],
      ['c2', 1, 2],
      ['c3', 3, 3],
      ['f1', 1, 2],
    ]);
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/ragged_split.f', 'ragged_split_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact, the row parts\' ADC outputs included', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.coverage.filter((c) => c.activations > 0).map((c) => [c.layer, c.activations])).toEqual([
      ['c1', 168],
      ['c2', 168],
      ['c3', 48],
      ['f1', 5],
    ]);
  }, 300_000);

  it('fails on a memory address when a block reads a position only its idle replicas read (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c1's first block (left of the plane): only its last column's replicas are on the plane, and the full column's
    // lowest window row (region row 4) is theirs alone; c1's second row part holds region column 2. Without the
    // corner its controller reads that position.
    const regionWidth = 4;
    corruptTable(dir, p, 'ragged_split_c01', 'blocks', (entries, fields) => {
      const entry = entries.findIndex((e) => e[fields.indexOf('lastDx')] < regionWidth);
      return { entry, field: 'lastDx', value: regionWidth };
    });
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c01', layer: 'c1' });
  }, 300_000);
});

describe('ragged blocks of other shapes (5 replicas dW 3 unpadded, 8 replicas dW 3 at stride 2, 7 replicas dW 2 with 5x5 windows)', () => {
  const p = prepare('test/verify/fixtures/ragged-shapes.imc');
  lintAndVerifyTests(p, 1500);

  it('fails on a memory address when a block above the plane reads a position only its short column reads (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c1's block whose short last column lies above the plane: that column's windows reach the image's first row right
    // of the full columns' windows (the corner starts at the box's top; ragged-split's lost corner is the other kind,
    // under a full column left of the plane). Without the corner its controller reads the image there.
    const regionWidth = 5;
    corruptTable(dir, p, 'ragged_shapes_c00', 'blocks', (entries, fields) => {
      const entry = entries.findIndex((e) => e[fields.indexOf('lastDx')] === regionWidth - 1 && e[fields.indexOf('iy0')] + e[fields.indexOf('lastDy')] + 1 === 0);
      return { entry, field: 'lastDx', value: regionWidth };
    });
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c00', layer: 'c1' });
  }, 300_000);
});
