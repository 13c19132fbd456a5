// Replicated layers whose output plane is not a whole number of blocks (issue 19, IMC112 before): an edge block's
// idle replicas emit nothing, integrate nothing into a membrane and read zeros (the memory schedule's Z), and the
// consumer writes the shorter arriving block.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { coreSchedule } from '../../src/memory/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { controllerParametersOf, coreModuleFile, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('edge blocks of replicated layers in RTL (columns of 3 on 8 rows, strided columns of 2 on 3 rows, 1x2 output blocks on 3 columns)', () => {
  const p = prepare('test/verify/fixtures/edge-blocks.imc');

  it('maps blocks that the planes cut, and gives zeros for the input row only an idle replica reads', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 3, 1],
      ['c2', 2, 1],
      ['c3', 2, 2],
    ]);
    // c2's last block of a column (output row 2, input rows 4..8): input row 7 is in the image but only the idle
    // replica (output row 3) reads it, so the controller reads input rows up to 6 only.
    expect(controllerParametersOf(p.files, 'edge_blocks_c01')).toMatchObject({ IN_H: 8, READ_H: 7 });
    const schedule = coreSchedule(p.plan, p.mapping.layers[1].cores[0]);
    expect(schedule.ops.some((op) => op.op === 'Z' && op.y === 7)).toBe(true);
    // c1's neuron core leaves the idle replicas' pixels out (the static neuron core's EDGE_BLOCKS).
    expect(neuronParametersOf(p.files, 'edge_blocks_c00')).toMatchObject({ REPLICATED: 1, EDGE_BLOCKS: 1, BLOCK_H: 3, OUT_H: 8 });
    expect(coreModuleFile(p.files, 'edge_blocks_c00', 'neuron').content).toContain("assign pixel_in_plane = (EDGE_BLOCKS != 0) ? ((pixel_y < PLANE_H) && (pixel_x < PLANE_W)) : 1'b1;");
    // The output's 1x2 blocks on 3 columns: the testbench skips the idle second pixel of each last block.
    const tb = p.files.find((f) => f.path === 'tb/edge_blocks_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_BLOCK_W = 2;');
    expect(tb).toContain('static const int OUT_WIDTH = 3;');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/edge_blocks.f', 'edge_blocks_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images, every layer and the output emitting each pixel once, with non-zero and saturated activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const cores = result.coverage.filter((c) => ['c1', 'c2', 'c3'].includes(c.layer));
    // 4x8x8, 4x3x3 and 4x3x3 activations per image.
    expect(cores.map((c) => c.activations / result.images.length)).toEqual([256, 36, 36]);
    for (const c of cores) expect(c.nonZero).toBeGreaterThan(0);
    expect(cores.some((c) => c.saturated > 0)).toBe(true);
  }, 300_000);

  it('fails at c2 on a memory address when its controller reads the row only an idle replica needs (fault check)', async () => {
    const dir = writeFiles(p.files);
    // c01's wrapper sets the one controller module's READ_H parameter: one row more than its windows reach.
    const path = join(dir, 'rtl', 'edge_blocks_c01.v');
    const text = readFileSync(path, 'utf8');
    const m = /\.READ_H( +)\(7\)/.exec(text)!;
    writeFileSync(path, text.replace(m[0], `.READ_H${m[1]}(8)`));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c01', layer: 'c2' });
  }, 300_000);
});

describe('edge blocks of integrate-and-fire neurons (spiking-replicated.imc on a 7x7 image: columns of 3 and 2 cut the last blocks)', () => {
  const text = readFileSync('test/verify/fixtures/spiking-replicated.imc', 'utf8')
    .replace('input image: 2x8x8', 'input image: 2x7x7')
    .replace('layer c1: replicas 4, method 1', 'layer c1: replicas 3, method 1');
  const { design, diagnostics } = loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  const program = createProgram(design!);
  const files = emitRtl(program);
  const neuronPath = files.find((f) => f.content.includes('module imcc_neuron'))!.path;

  it('maps both layers on edge blocks, the static neuron core integrating only the replicas in the plane', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(program.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.outputShape.height % l.matrix.replicas.length])).toEqual([
      ['c1', 3, 1],
      ['c2', 2, 1],
    ]);
    expect(files.find((f) => f.path === neuronPath)!.content).toContain('.fire_i  (commit && pixel_in_plane),');
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(files), `rtl/${design!.network.name}.f`, `${design!.network.name}_top`);
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images over every timestep, with spikes in both layers', async () => {
    const result = await verifyRtlDirectory(writeFiles(files), program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    // Per layer over its column parts: 10x7x7 and 6x7x7 spikes per image and timestep.
    const layer = (name: string) => result.coverage.filter((c) => c.layer === name);
    const sum = (name: string, key: 'activations' | 'nonZero') => layer(name).reduce((n, c) => n + c[key], 0);
    expect([sum('c1', 'activations'), sum('c2', 'activations')]).toEqual([2 * 3 * 490, 2 * 3 * 294]);
    expect(sum('c1', 'nonZero')).toBeGreaterThan(0);
    expect(sum('c2', 'nonZero')).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c1 when the membranes also integrate the idle replicas (fault check)', async () => {
    const dir = writeFiles(files);
    const path = join(dir, neuronPath);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace('.fire_i  (commit && pixel_in_plane),', '.fire_i  (commit),');
    expect(edited).not.toBe(text);
    writeFileSync(path, edited);
    const result = await verifyRtlDirectory(dir, program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c1' });
  }, 300_000);
});

