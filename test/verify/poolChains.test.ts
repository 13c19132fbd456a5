// Pool chains in one neuron core (issue 19, IMC112 before): every pool after the first is a stage over the pixels the
// pool before it emits (templates/rtl/pool_stage.v.hbs), with the ReLU and threshold fused between two pools applied to
// the stage's input. Three pools in one core (two of them overlapping and padded, a second pool after a pool whose
// stride differs from its size), ReLUs in a row, a threshold between two pools; verified bit-exact against the
// reference model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreModuleFile, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { poolWindowRows } from '../../src/emit/rtl/poolWindows.js';

describe('pool window rows of non-overlapping windows', () => {
  it('give each row its window and whether it is the window\'s first and last real row', () => {
    // 2x2 windows every 2 rows padded by 1 on 5 rows: windows -1..0, 1..2, 3..4.
    expect(poolWindowRows(5, 2, 2, 1).map((r) => [r.at, r.index, r.first, r.last])).toEqual([
      [0, 0, true, true],
      [1, 1, true, false],
      [2, 1, false, true],
      [3, 2, true, false],
      [4, 2, false, true],
    ]);
    // Stride 3 leaves a gap row; the floor drops the rows past the last window (7 rows: windows 0..1, 3..4).
    expect(poolWindowRows(7, 2, 3, 0).map((r) => r.at)).toEqual([0, 1, 3, 4]);
    expect(() => poolWindowRows(5, 3, 2, 0)).toThrow(RangeError);
  });
});

describe('pool chains (3x3/2 max padded, ReLUs, 3x3/2 average padded, ReLU, 2x2/1 max; ReLUs, 2x2/1 max, threshold, global average)', () => {
  const p = prepare('test/verify/fixtures/pool-chains.imc');
  it('chains the stages: each reads the emit flag, position and value of the pool before it', () => {
    const c00 = coreModuleFile(p.files, 'pool_chains_c00', 'neuron').content;
    expect(c00).toContain('wire pool2_in_emit = pool1_emit;');
    expect(c00).toContain('wire [5-1:0] pool2_in_y = win_py;');
    expect(c00).toContain('wire pool3_in_emit = pool2_emit;');
    // The ReLU between the second and third pools rectifies the third stage's input.
    expect(c00).toContain("wire signed [ACC_BITS-1:0] pool3_in_rectified = pool2_value[ACC_BITS-1] ? {ACC_BITS{1'b0}} : pool2_value;");
    // The 3x3/2 average pool padded by 1 over the 5x5 plane: windows end at rows 1, 3 and 4 (the last one clamped).
    expect(c00).toContain("5'd4: begin pool2_row_ends = 1'b1; pool2_py = 5'd2; pool2_row_span = 5'd1; end");
    expect(c00).toContain('wire emit = pool3_emit;');
    // c2's threshold between its max pool and the global average pool: the second stage's input is 0/1.
    const c02 = coreModuleFile(p.files, 'pool_chains_c02', 'neuron').content;
    expect(c02).toContain('wire signed [ACC_BITS-1:0] pool2_in_full = (pool2_in_rectified >= LEVEL) ? BIT_ONE : BIT_ZERO;');
    expect(c02).toContain('wire signed [2-1:0] pool2_in = pool2_in_full[2-1:0];');
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/pool_chains.f', 'pool_chains_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact against the reference model on two images, with non-zero and saturated activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(100);
    // Both pooling cores (c2's row part c01 only sends partial sums): 4x2x2 and 4x1x1 pixels per image.
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([16, 4]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
    expect(pooling[0].saturated).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when the last stage takes the minimum instead of the maximum (a stage cannot hide an error)', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, coreModuleFile(p.files, 'pool_chains_c00', 'neuron').path);
    const text = readFileSync(path, 'utf8');
    const mutated = text.replace(/\((pool3_tap_\d+_\d+) > pool3_window\)/g, '($1 < pool3_window)');
    expect(mutated).not.toBe(text);
    writeFileSync(path, mutated);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('an integrate-and-fire neuron between two pools (2x2 average, spikes, 2x2/1 max of the spikes; 4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-pools.imc');
  it('integrates the first pool\'s pixels when it emits them and pools the spikes in the second stage', () => {
    const c00 = coreModuleFile(p.files, 'spiking_pools_c00', 'neuron').content;
    expect(c00).toMatch(/\.fire_i\s+\(busy_q && pool2_in_emit\)/);
    // One potential per pixel and channel of the first pool's 3x3 plane.
    expect(c00).toMatch(/\.ENTRIES\s+\(36\)/);
    expect(c00).toContain('wire signed [ACC_BITS-1:0] pool2_in_full = spike ? BIT_ONE : BIT_ZERO;');
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/spiking_pools.f', 'spiking_pools_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact every timestep, with pooled spikes of both values', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c00 = result.coverage.find((c) => c.core === 'c00')!;
    expect(c00.nonZero).toBeGreaterThan(0);
    expect(c00.nonZero).toBeLessThan(c00.activations);
  }, 300_000);
});
