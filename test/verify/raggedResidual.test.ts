// Residual adds on blocks with idle pixels (issues 15 and 19; IMC112 before): edge blocks cut by the plane and ragged
// blocks on their lattice, on the add's side, the shortcut's side or both. The adding core keeps only the arriving
// shortcut pixels in the plane (a table of each arriving block's in-plane replicas) and uses up only its own in-plane
// pixels' (a table with one entry per pixel it computes: in the plane, FIFO slot, and what its block waits for).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { checkVerilog2005, lintRtl } from '../../src/verify/lint.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { editShortcutTable, lintTest, memLines, neuronParametersOf, prepare, type Prepared, shortcutTable, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

const FIXTURE = 'test/verify/fixtures/ragged-residual.imc';

/** The fixture with its mapping lines replaced (the same network, other blocks). */
function prepareVariant(replace: ReadonlyArray<[string, string]>): Prepared {
  const text = replace.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`fixture has no '${from}'`);
    return t.replace(from, to);
  }, readFileSync(FIXTURE, 'utf8'));
  const { design, diagnostics } = loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const program = createProgram(design);
  return { design, mapping: program.mapping, plan: program.memory, program, files: emitRtl(program) };
}

/** Rewrites line `index` of a core's $readmemh file with `edit` (a hex value in, a hex value out). */
function editMem(dir: string, path: string, index: number, edit: (value: bigint) => bigint): void {
  const lines = readFileSync(join(dir, path), 'utf8').split('\n');
  const data = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[0-9a-f]+$/.test(l));
  const { l, i } = data[index];
  lines[i] = edit(BigInt(`0x${l}`)).toString(16).padStart(l.length, '0');
  writeFileSync(join(dir, path), lines.join('\n'));
}

describe('residual adds on edge and ragged blocks (columns of 3 on 7 rows into 5 replicas dW 2 in row parts, into 1x2 blocks on 7 columns)', () => {
  const p = prepare(FIXTURE);

  it('maps both adds with idle pixels on both sides, each adding core with its tables', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.cores.length])).toEqual([
      ['c1', 3, 1, 1],
      ['c2', 5, 2, 2],
      ['c3', 2, 2, 1],
      ['f1', 1, 1, 4],
    ]);
    // c2's accumulating core (c02) and c3's core (c03) add: both keep 1 of every arriving block's pixels or more.
    expect(neuronParametersOf(p.files, 'ragged_residual_c02')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, RES_IN: 3 });
    expect(neuronParametersOf(p.files, 'ragged_residual_c03')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, RES_IN: 5, EDGE_BLOCKS: 1 });
    const file = (path: string) => p.files.find((f) => f.path === path)!.content;
    // c1's columns of 3 on 7 rows: the third block of a column keeps its first replica only.
    expect(memLines(file('rtl/ragged_residual_c02_res_masks.mem')).slice(0, 3).map((l) => parseInt(l, 16))).toEqual([7, 7, 1]);
    // c3 computes 2 pixels per block on 7 columns: 4 blocks per row pair, 28 blocks, 56 entries; c2's 5-pixel ragged
    // blocks arrive with idle replicas above or below the plane.
    expect(memLines(file('rtl/ragged_residual_c03_res_slots.mem'))).toHaveLength(56);
    expect(memLines(file('rtl/ragged_residual_c03_res_masks.mem')).some((l) => parseInt(l, 16) !== 31)).toBe(true);
  });

  it('is lint clean and Verilog-2005', async () => {
    const dir = writeFiles(p.files);
    const lint = await lintRtl(dir, 'rtl/ragged_residual.f', 'ragged_residual_top');
    expect(lint.messages).toEqual([]);
    const check = await checkVerilog2005(dir, 'rtl/ragged_residual.f', 'ragged_residual_top');
    expect(check.messages).toEqual([]);
    expect(check.ok).toBe(true);
  }, 120_000);

  it('verifies bit-exact on two images, every layer emitting each pixel once, with non-zero and saturated activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const emitted = result.coverage.filter((c) => c.activations > 0);
    // 4x7x7 activations per image in c1, c2 (its accumulating core) and c3; 5 outputs.
    expect(emitted.map((c) => [c.layer, c.activations / result.images.length])).toEqual([
      ['c1', 196],
      ['c2', 196],
      ['c3', 196],
      ['f1', 5],
    ]);
    for (const c of emitted) expect(c.nonZero).toBeGreaterThan(0);
    expect(emitted.some((c) => c.layer !== 'f1' && c.saturated > 0)).toBe(true);
  }, 300_000);

  it('fails at c2 when it keeps an idle pixel of c1\'s edge blocks (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c1's third block (rows 6..8 of column 0): keep replica 1 (row 7, off the plane) too.
    editMem(dir, 'rtl/ragged_residual_c02_res_masks.mem', 2, (v) => v | 2n);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2' });
  }, 300_000);

  it('fails at c3 when it frees a shortcut pixel for an idle pixel of its own edge blocks (fault check)', async () => {
    const ptrBits = neuronParametersOf(p.files, 'ragged_residual_c03').RES_PTR_BITS;
    // c3's 1x2 blocks on 7 columns, column by column: the last column of blocks (x 6..7, blocks 21 to 27) has its
    // second pixel (x 7) idle, so those blocks' last entries free 1 pixel (the others 2).
    const entries = shortcutTable(p.files.find((f) => f.path === 'rtl/ragged_residual_c03_res_slots.mem')!.content, ptrBits);
    expect(entries.filter((e) => e.advance === 2)).toHaveLength(21);
    const edge = entries.findIndex((e) => e.advance === 1);
    expect(edge).toBe(43);
    const result = await verifyEdited(p, 'ragged_residual_c03_res_slots.mem', (text) =>
      editShortcutTable(text, ptrBits, (entry, i) => (i === edge ? { ...entry, advance: entry.advance + 1 } : entry)),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c3' });
  }, 300_000);
});

describe('residual adds with idle pixels on one side (5 replicas dW 2 adding an unreplicated shortcut; an unreplicated layer adding their ragged blocks)', () => {
  const p = prepareVariant([
    ['layer c1: replicas 3, method 1', 'layer c1: replicas 1, method 1'],
    ['layer c3: replicas 2, method 2, dw 2', 'layer c3: replicas 1, method 1'],
  ]);

  it('masks only the side with idle pixels', () => {
    const name = p.design.network.name;
    const adders = p.mapping.layers.filter((l) => l.layer === 'c2' || l.layer === 'c3').map((l) => l.cores.at(-1)!);
    const cores = adders.map((id) => `${name}_${id}`);
    expect(cores.map((c) => neuronParametersOf(p.files, c)).map((v) => [v.RES_TABLE, v.RES_IN])).toEqual([
      [1, 1],
      [1, 5],
    ]);
    // c2's shortcut (unreplicated x) has no idle pixels: no table of arriving blocks; c3's (c2's ragged y) has.
    expect(p.files.some((f) => f.path === `rtl/${cores[0]}_res_masks.mem`)).toBe(false);
    expect(p.files.some((f) => f.path === `rtl/${cores[1]}_res_masks.mem`)).toBe(true);
  });

  it('verifies bit-exact on two images', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(1000);
  }, 300_000);
});

describe('residual adds with idle pixels in column parts (128x6 tiles: c2\'s 5 replicas of 4 channels in four 5-column parts, c3\'s 2 in two)', () => {
  const p = prepareVariant([
    ['size 64x32', 'size 128x6'],
    ['grid 3x3', 'grid 4x4'],
  ]);
  const name = p.design.network.name;
  const parts = (layer: string) => p.mapping.layers.find((l) => l.layer === layer)!.cores.map((id) => neuronParametersOf(p.files, `${name}_${id}`));

  it('splits the adding layers in column parts, each keeping every arriving pixel and reading its own replicas\'', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.cores.length])).toEqual([
      ['c1', 2],
      ['c2', 4],
      ['c3', 2],
      ['f1', 2],
    ]);
    // c2's parts start inside a replica (5 columns of 4-channel replicas): the first holds replica 0 and a channel of
    // replica 1, ...; each takes c1's 3 pixels and has one entry per replica it touches in each of its blocks.
    const c2 = parts('c2');
    expect(c2.map((v) => [v.RES_TABLE, v.RES_IN, v.REP_Y_FIRST + v.REP_X_FIRST * 3, v.OC_FIRST, v.LAST_REPLICA_PARTIAL])).toEqual([
      [1, 3, 0, 0, 1],
      [1, 3, 1, 1, 1],
      [1, 3, 2, 2, 1],
      [1, 3, 3, 3, 0],
    ]);
    const blocks = c2[0].RES_PIXELS / 2;
    expect(c2.map((v) => v.RES_PIXELS / blocks)).toEqual([2, 2, 2, 2]);
    // c3's parts: one replica each, c2's 5 pixels arriving.
    expect(parts('c3').map((v) => [v.RES_TABLE, v.RES_IN, v.RES_PIXELS])).toEqual([
      [1, 5, 28],
      [1, 5, 28],
    ]);
  });

  lintTest(p);

  it('verifies bit-exact on two images', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const sum = (layer: string) => result.coverage.filter((c) => c.layer === layer).reduce((n, c) => n + c.activations, 0);
    expect([sum('c2'), sum('c3')]).toEqual([2 * 196, 2 * 196]);
  }, 300_000);
});

describe('a residual add of ragged blocks followed by a pool in the adding core', () => {
  it('generates a pool after such an add (IMC112 before): the table counts the pixels the core computes, pooled or not', () => {
    const text = readFileSync(FIXTURE, 'utf8')
      .replace('neuron_core { ops psum, batchnorm, relu, residual }', 'neuron_core { ops psum, batchnorm, relu, residual, pool }')
      .replace('z = relu(add(batchnorm(c3), y))', 'z = maxpool(relu(add(batchnorm(c3), y)), size 2)')
      .replace('layer c3: replicas 2, method 2, dw 2', 'layer c3: replicas 1, method 1');
    const { design, diagnostics } = loadDesign('main.imc', (file) => {
      if (file === 'main.imc') return text;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const program = createProgram(design!);
    const files = emitRtl(program);
    const adding = program.mapping.cores.filter((c) => c.layer === 'c3' && c.role !== 'partial');
    expect(adding).toHaveLength(1);
    expect(neuronParametersOf(files, `${design!.network.name}_${adding[0].id}`)).toMatchObject({ HAS_RES: 1, RES_TABLE: 1, POOL: 1 });
  });
});
