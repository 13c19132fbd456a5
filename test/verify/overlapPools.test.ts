// Pools whose stride differs from their size in the neuron core (issue 19: ImageNet ResNet-18's 3x3 stride-2 max pool
// padded by 1): a line buffer of the last conv-output columns, each window pooled when its last real pixel arrives.
// Verified bit-exact against the reference model (max ignores padding, average counts it as zeros and divides by 9).
import { describe, expect, it } from 'vitest';
import { coreModuleFile, neuronParametersOf, poolStageParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { poolWindowEnds } from '../../src/mapping/poolWindows.js';

describe('pool windows along one dimension', () => {
  it('end at the last real row of each window, clamped at the plane, with the real rows before it', () => {
    // 7 rows, 3x3 stride 2 pad 1: windows start at -1, 1, 3, 5 and end at 1, 3, 5, 6 (the last one clamped).
    expect(poolWindowEnds(7, 3, 2, 1)).toEqual([
      { index: 0, end: 1, span: 1 },
      { index: 1, end: 3, span: 2 },
      { index: 2, end: 5, span: 2 },
      { index: 3, end: 6, span: 1 },
    ]);
    // Stride above the size leaves rows out: 2x2 stride 3 on 8 rows keeps rows 0-1, 3-4, 6-7.
    expect(poolWindowEnds(8, 2, 3, 0).map((w) => w.end)).toEqual([1, 4, 7]);
  });

  it('are refused ([]) when two windows end at the same row (padding >= stride)', () => {
    // 3x3 stride 1 pad 1 on 5 rows: windows 3 and 4 both end at row 4.
    expect(poolWindowEnds(5, 3, 1, 1)).toEqual([]);
  });
});

describe('overlapping pools (3x3/2 max pool padded by 1 on 7x7, 3x3/2 average pool padded by 1 on 4x4)', () => {
  const p = prepare('test/verify/fixtures/overlap-pool.imc');
  it('pools in a static stage the wrapper chains: a line buffer of three columns, windows counted along each axis', () => {
    expect(coreModuleFile(p.files, 'overlap_pool_c00', 'neuron').path).toBe('rtl/imcc_neuron.v');
    expect(neuronParametersOf(p.files, 'overlap_pool_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 1 });
    const [stage, ...rest] = poolStageParametersOf(p.files, 'overlap_pool_c00');
    expect(rest).toEqual([]);
    // 3x3 windows every 2 of the 7x7 plane padded by 1: 4x4 windows; the line buffer holds 3 columns of 7 rows of 4
    // channels (84 entries).
    expect(stage).toMatchObject({ KIND: 1, IN_H: 7, IN_W: 7, POOL_H: 3, STRIDE_Y: 2, PAD_TOP: 1, POOLED_H: 4, POOLED_W: 4, COLS: 4 });
    expect(stage.LINE_INDEX_BITS).toBe(7);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/overlap_pool.f', 'overlap_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact against the reference model on two images, with non-zero pooled activations from both pooling cores', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.images).toHaveLength(2);
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(100);
    // The cores that emit the pooled planes (c2's row part only sends partial sums): 4x4x4 and 4x2x2 per image.
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([64, 16]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);
});

describe('pools with a stride other than the size, unpadded (2x2/3 max pool with gaps on 8x8, 2x2/1 average pool on 3x3, ReLU)', () => {
  const p = prepare('test/verify/fixtures/stride-pool.imc');
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/stride_pool.f', 'stride_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact against the reference model, with non-zero pooled activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([36, 16]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);
});

describe("ImageNet ResNet-18's stem at 16x16 (7x7/2 conv padded by 3, batch norm, ReLU, 3x3/2 max pool padded by 1)", () => {
  const p = prepare('test/verify/fixtures/stem-pool.imc');
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/stem_pool.f', 'stem_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact against the reference model, with non-zero and saturated pooled activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const stem = result.coverage.find((c) => c.layer === 'c1')!;
    expect(stem.activations / result.images.length).toBe(8 * 4 * 4);
    expect(stem.nonZero).toBeGreaterThan(0);
    expect(stem.saturated).toBeGreaterThan(0);
  }, 300_000);
});
