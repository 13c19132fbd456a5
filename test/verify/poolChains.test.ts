// Pool chains in one neuron core (issue 19, IMC112 before): every pool is a static stage (templates/rtl/imcc_pool.v.hbs)
// over the pixels the pool before it emits, chained by the core's wrapper, with the ReLU and threshold fused between two pools applied to
// the stage's input. Three pools in one core (two of them overlapping and padded, a second pool after a pool whose
// stride differs from its size), ReLUs in a row, a threshold between two pools; verified bit-exact against the
// reference model.
import { describe, expect, it } from 'vitest';
import { neuronParametersOf, poolStageParametersOf, prepare, spikesOfBothValuesTest, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

describe('pool chains (3x3/2 max padded, ReLUs, 3x3/2 average padded, ReLU, 2x2/1 max; ReLUs, 2x2/1 max, threshold, global average)', () => {
  const p = prepare('test/verify/fixtures/pool-chains.imc');
  it('chains the stages: each reads the emit flag, position and value of the pool before it', () => {
    const wrapper = p.files.find((f) => f.path === 'rtl/pool_chains_c00.v')!.content;
    // The neuron core's pixels into the first stage, each stage's pixels into the next, the last one's back.
    expect(wrapper).toMatch(/\) u_pool1 \([^;]*\.stream_i\s+\(pool_stream_0\)/);
    expect(wrapper).toMatch(/\) u_pool3 \([^;]*\.stream_i\s+\(pool_stream_2\)[^;]*\.stream_o\s+\(pool_stream_3\)/);
    expect(wrapper).toMatch(/\.pooled_i\s+\(pool_stream_3\)/);
    expect(neuronParametersOf(p.files, 'pool_chains_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 1 });
    const [first, second, third] = poolStageParametersOf(p.files, 'pool_chains_c00');
    expect(first).toMatchObject({ KIND: 1, IN_H: 9, POOL_H: 3, STRIDE_Y: 2, PAD_TOP: 1, POOLED_H: 5, RELU_IN: 0 });
    // The 3x3/2 average pool padded by 1 over the 5x5 plane (3 windows a side), after the ReLUs between the pools.
    expect(second).toMatchObject({ KIND: 2, IN_H: 5, IN_W: 5, POOL_H: 3, STRIDE_Y: 2, PAD_TOP: 1, POOLED_H: 3, POOLED_W: 3, RELU_IN: 1 });
    // The ReLU between the second and third pools rectifies the third stage's input.
    expect(third).toMatchObject({ KIND: 1, IN_H: 3, POOL_H: 2, STRIDE_Y: 1, POOLED_H: 2, RELU_IN: 1 });
    // c2's threshold between its max pool and the global average pool: the second stage's input is 0/1.
    expect(neuronParametersOf(p.files, 'pool_chains_c02')).toMatchObject({ THRESHOLD: 1, THRESHOLD_AFTER_POOL: 2 });
    const [, global] = poolStageParametersOf(p.files, 'pool_chains_c02');
    expect(global).toMatchObject({ KIND: 2, IN_H: 3, POOL_H: 3, STRIDE_Y: 3, POOLED_H: 1, THRESHOLD_IN: 1, LEVEL_NEGATIVE: 0, LEVEL_MAGNITUDE: 2, IN_BITS: 2 });
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
  it('fails at c00 when its max-pool stages take the minimum instead of the maximum (a stage cannot hide an error)', async () => {
    // The overlapping stages pool their windows in the shared line-buffer taps.
    const result = await verifyEdited(p, 'imcc_pool_taps.v', (t) => t.replace('(tap_value > window_value)', '(tap_value < window_value)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('an integrate-and-fire neuron between two pools (2x2 average, spikes, 2x2/1 max of the spikes; 4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-pools.imc');
  it('integrates the first pool\'s pixels when it emits them and pools the spikes in the second stage', () => {
    // The neuron core leaves the membrane to the second stage, whose input is the spikes.
    expect(neuronParametersOf(p.files, 'spiking_pools_c00')).toMatchObject({ THRESHOLD: 2, THRESHOLD_AFTER_POOL: 2, POOL_CHAIN: 1 });
    const [first, second] = poolStageParametersOf(p.files, 'spiking_pools_c00');
    expect(first).toMatchObject({ KIND: 2, IN_H: 6, POOL_H: 2, THRESHOLD_IN: 0 });
    // One potential per pixel and channel of the first pool's 3x3 plane.
    expect(second).toMatchObject({ KIND: 1, IN_H: 3, THRESHOLD_IN: 2, IN_BITS: 2, IF_ENTRIES: 36, IF_THRESHOLD: 3, IF_LEAK: 1 });
    // The stage fires the membrane of each pixel the first pool emits.
    expect(p.files.find((f) => f.path === 'rtl/imcc_pool.v')!.content).toMatch(/\.fire_i\s+\(busy && in_emit && !hold_o\)/);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/spiking_pools.f', 'spiking_pools_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  spikesOfBothValuesTest(p);
});
