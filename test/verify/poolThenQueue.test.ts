// A pool whose windows end together after another pool of its core (issue 19, IMC112 before): the core's chain of
// pool stages pools first and the last pool's queue (templates/rtl/imcc_pool_queue.v.hbs) pools the last stage's
// pixels, with the ReLU between the two, and sends them one per timestep; the dataflow model times the queued pool's
// windows by the conv pixels that complete them through the earlier pool (src/emit/rtl/poolWindows.ts). A global
// average pool after a queued pool is a stage reading the pixels the queue sends (test/verify/queueThenPool.test.ts).
import { describe, expect, it } from 'vitest';
import { neuronParametersOf, poolQueueParametersOf, poolStageParametersOf, prepare, prepareVariant, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { poolQueueSlots } from '../../src/emit/rtl/poolWindows.js';

describe('a queued pool after a pool stage (2x2/2 max, ReLU, 3x3/1 average padded by 1; 3x3/2 max padded by 1, 2x2/1 max padded by 1)', () => {
  const p = prepare('test/verify/fixtures/pool-then-queue.imc');
  it('chains the stages into the queue, which sends the core\'s pixels', () => {
    // c1: the neuron core sends its stream to the 2x2/2 stage, whose pooled pixels the queue pools after a ReLU.
    expect(neuronParametersOf(p.files, 'pool_then_queue_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0, RELU_AFTER_POOL: 0 });
    expect(poolStageParametersOf(p.files, 'pool_then_queue_c00').map((s) => [s.KIND, s.IN_H, s.POOL_H, s.STRIDE_Y])).toEqual([[1, 8, 2, 2]]);
    expect(poolQueueParametersOf(p.files, 'pool_then_queue_c00')).toMatchObject({ KIND: 2, IN_H: 4, IN_W: 4, POOL_H: 3, STRIDE: 1, PAD_TOP: 1, POOLED_H: 4, POOLED_W: 4, RELU_IN: 1 });
    const wrapper = p.files.find((f) => f.path === 'rtl/pool_then_queue_c00.v')!.content;
    expect(wrapper).toMatch(/\) u_queue \([^;]*\.stream_i\s+\(pool_stream_1\)/);
    expect(wrapper).toMatch(/\.pooled_i\s+\(\{28\{1'b0\}\}\)/);
    // c2: a 3x3/2 stage, then the 2x2/1 queue on its 2x2 plane and a ReLU after it.
    expect(poolQueueParametersOf(p.files, 'pool_then_queue_c02')).toMatchObject({ KIND: 1, IN_H: 2, POOL_H: 2, PAD_TOP: 1, POOLED_H: 3, RELU_IN: 0, RELU_AFTER_POOL: 1 });
  });
  it('sizes the queue by the conv pixels that complete its windows through the earlier pool', () => {
    const pad = (n: number) => ({ top: n, bottom: n, left: n, right: n });
    const stage = { inHeight: 8, inWidth: 8, height: 2, width: 2, strideY: 2, strideX: 2, padding: pad(0) };
    // The earlier pool spreads the queue's input pixels over the conv plane: fewer pixels wait than on a 4x4 plane
    // of conv pixels one per timestep.
    expect(poolQueueSlots(4, 4, 3, 1, pad(1), [stage])).toBeLessThanOrEqual(poolQueueSlots(4, 4, 3, 1, pad(1)));
    expect(poolQueueSlots(4, 4, 3, 1, pad(1), [stage])).toBeGreaterThanOrEqual(2);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/pool_then_queue.f', 'pool_then_queue_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact on two images, every queued pixel emitted once, with non-zero activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([4 * 4 * 4, 4 * 3 * 3]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when the queue skips the ReLU between the pools (the stage\'s pixels reach it unrectified)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('((RELU_IN != 0) && in_added[ACC_BITS-1])', '1\'b0'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a global average pool after a queued pool (2x2/1 max padded by 1, ReLU, GAP over 6x6)', () => {
  const p = prepare('test/verify/fixtures/queue-gap.imc');
  it('sends the queue\'s pixels through a global-average stage, one average pixel per image', () => {
    expect(neuronParametersOf(p.files, 'queue_gap_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0 });
    expect(poolQueueParametersOf(p.files, 'queue_gap_c00')).toMatchObject({ KIND: 1, POOL_H: 2, STRIDE: 1, PAD_TOP: 1, POOLED_H: 6, POOLED_W: 6, AFTER: 1, OUT_H: 1, RELU_AFTER_POOL: 0 });
    expect(poolStageParametersOf(p.files, 'queue_gap_c00')).toMatchObject([{ KIND: 2, IN_H: 6, IN_W: 6, POOL_H: 6, STRIDE_Y: 6, POOLED_H: 1, RELU_IN: 1 }]);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/queue_gap.f', 'queue_gap_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact on two images, one pixel of 4 channels per image', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c1 = result.coverage.find((c) => c.layer === 'c1' && c.activations > 0)!;
    expect(c1.activations / result.images.length).toBe(4);
    expect(c1.nonZero).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when the sum does not restart at an image\'s first window', async () => {
    const result = await verifyEdited(p, 'imcc_pool.v', (t) => t.replace('assign window = first ? in_extended : old + in_extended;', 'assign window = old + in_extended;'), { images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a threshold before a queued pool and its global average pool (0/1 pooled: unsigned activations)', () => {
  const p = prepareVariant('test/verify/fixtures/queue-gap.imc', 'queue-threshold', [
    ['ops psum, batchnorm, relu, pool', 'ops psum, batchnorm, relu, pool, threshold'],
    ['g1 = gap(relu(maxpool(c1, size 2, stride 1, pad 1)))', 'g1 = gap(avgpool(threshold(c1, level 1), size 2, stride 1, pad 1))'],
  ]);
  it('reports the 0/1 pooled activations unsigned and verifies bit-exact', async () => {
    expect(poolQueueParametersOf(p.files, 'queue_gap_c00')).toMatchObject({ KIND: 2, IN_BITS: 2, OUT_BITS: 1, OUT_UNSIGNED: 1, THRESHOLD: 0, AFTER: 1 });
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.coverage.find((c) => c.layer === 'c1' && c.activations > 0)!.nonZero).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when a pooled 1 is reported sign-extended (-1)', async () => {
    const files = p.files.map((f) => (f.path === 'rtl/imcc_pool_queue.v' ? { ...f, content: f.content.replace('(OUT_UNSIGNED != 0) ?', '(THRESHOLD != 0) ?') } : f));
    expect(files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!.content).not.toContain('(OUT_UNSIGNED != 0) ?');
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a threshold between a pool stage and a queued pool (2x2/2 max, threshold at 2, 3x3/1 average padded by 1)', () => {
  const p = prepareVariant('test/verify/fixtures/pool-then-queue.imc', 'threshold-queue', [
    ['ops psum, batchnorm, relu, pool', 'ops psum, batchnorm, relu, pool, threshold'],
    ['avgpool(relu(maxpool(c1, size 2)), size 3, stride 1, pad 1)', 'avgpool(threshold(maxpool(c1, size 2), level 2), size 3, stride 1, pad 1)'],
  ]);
  it('compares the stage\'s pixels in the queue and pools the 0/1 values, verified bit-exact', async () => {
    expect(poolQueueParametersOf(p.files, 'pool_then_queue_c00')).toMatchObject({ IN_BITS: 2, THRESHOLD_IN: 1, LEVEL_IN_MAGNITUDE: 2, THRESHOLD: 0, OUT_UNSIGNED: 1, OUT_BITS: 1 });
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c1 = result.coverage.find((c) => c.layer === 'c1' && c.activations > 0)!;
    expect(c1.nonZero).toBeGreaterThan(0);
    expect(c1.nonZero).toBeLessThan(c1.activations);
  }, 300_000);
  it('fails at c00 when the queue\'s input compare is inverted', async () => {
    const files = p.files.map((f) => (f.path === 'rtl/imcc_pool_queue.v' ? { ...f, content: f.content.replace('(in_rectified >= LEVEL_IN)', '(in_rectified < LEVEL_IN)') } : f));
    expect(files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!.content).toContain('(in_rectified < LEVEL_IN)');
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});
