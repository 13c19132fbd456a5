// Pools after a pool whose windows end together (issue 19, IMC112 before): the queue (templates/rtl/imcc_pool_queue.v.hbs,
// AFTER 1) holds the pooled values and sends each leaving pixel, one channel per cycle, through the stages of the pools
// after it (templates/rtl/imcc_pool.v.hbs), whose pixels it collects as the core's; the dataflow model times those
// pools on the queued pixels as they leave, one per timestep (src/dataflow/simulate.ts, serialize). Verified
// bit-exact, with the consumers' crossbar timesteps, in Verilator.
import { describe, expect, it } from 'vitest';
import { lintTest, poolQueueParametersOf, poolStageParametersOf, prepare, prepareVariant, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

describe('pools after a queued pool (3x3/1 max padded by 1, ReLU, 2x2/2 average; 2x2/1 average padded by 1, ReLU, 2x2/1 max; two queues and a GAP)', () => {
  const p = prepare('test/verify/fixtures/queue-then-pool.imc');
  it('chains the stages after the queue, which sends them its pooled values and collects their pixels', () => {
    // c1: the queue pools 6x6 windows and sends them to a 2x2/2 stage (running values) with the ReLU at its input.
    expect(poolQueueParametersOf(p.files, 'queue_then_pool_c00')).toMatchObject({ KIND: 1, POOL_H: 3, STRIDE: 1, PAD_TOP: 1, POOLED_H: 6, AFTER: 1, OUT_H: 3, RELU_AFTER_POOL: 0 });
    expect(poolStageParametersOf(p.files, 'queue_then_pool_c00')).toMatchObject([{ KIND: 2, IN_H: 6, IN_W: 6, POOL_H: 2, STRIDE_Y: 2, POOLED_H: 3, RELU_IN: 1 }]);
    const wrapper = p.files.find((f) => f.path === 'rtl/queue_then_pool_c00.v')!.content;
    expect(wrapper).toMatch(/\) u_pool1 \([^;]*\.stream_i\s+\(queue_stream_0\),\s*\.shortcut_i\s+\(\{\d+\{1'b0\}\}\),\s*\.stream_o\s+\(queue_stream_1\)/);
    expect(wrapper).toMatch(/\) u_queue \([^;]*\.pooled_i\s+\(queue_stream_1\)/);
    // While the queue sends, the core is busy: the timestep waits for the stages.
    expect(wrapper).toContain('assign busy_o = controller_busy || queue_busy;');
    // c2 (row parts c01 and c02, c02 accumulating): a 2x2/1 stage over the queue's 4x4 pixels (overlapping: a line buffer).
    expect(poolStageParametersOf(p.files, 'queue_then_pool_c02')).toMatchObject([{ KIND: 1, IN_H: 4, POOL_H: 2, STRIDE_Y: 1, POOLED_H: 3, RELU_IN: 1 }]);
    // c3 (c03, c04): a queue (2x2/1 average padded by 1 on 3x3) sends its pixels to a second queue (2x2/1 max padded by
    // 1 on 4x4, the ReLU at its input), which sends its own to the global average stage and collects the core's pixel.
    const queues = p.files.find((f) => f.path === 'rtl/queue_then_pool_c04.v')!.content;
    expect(poolQueueParametersOf(p.files, 'queue_then_pool_c04')).toMatchObject({ KIND: 2, IN_H: 3, POOLED_H: 4, AFTER: 1, THRESHOLD: 0 });
    expect(poolQueueParametersOf(p.files, 'queue_then_pool_c04', 2)).toMatchObject({ KIND: 1, IN_H: 4, POOLED_H: 5, RELU_IN: 1, AFTER: 1, OUT_H: 1 });
    expect(queues).toMatch(/\) u_queue2 \([^;]*\.stream_i\s+\(queue_stream_0\)[^;]*\.done_o\s+\(unused_queue2_done\)[^;]*\.pooled_i\s+\(queue2_stream_1\)/);
    expect(queues).toContain('assign queue_busy = queue1_busy || queue2_busy;');
    expect(poolStageParametersOf(p.files, 'queue_then_pool_c04')).toMatchObject([{ KIND: 2, IN_H: 5, POOL_H: 5, POOLED_H: 1 }]);
  });
  lintTest(p);
  it('verifies bit-exact on two images, the consumers computing in the model\'s timesteps, with non-zero activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([4 * 3 * 3, 4 * 3 * 3]);
    expect(result.coverage.find((c) => c.layer === 'c3' && c.activations > 0)!.activations / result.images.length).toBe(4);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when the queue sends its pooled values zero-extended (a negative maximum reaches the ReLU positive)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('{ {(ACC_BITS-VALUE_BITS){send_value[VALUE_BITS-1]}}, send_value }', '{ {(ACC_BITS-VALUE_BITS){1\'b0}}, send_value }'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
  it('fails at c04 when the second queue averages instead of taking the maximum of the first queue\'s pixels', async () => {
    const result = await verifyEdited(p, 'queue_then_pool_c04.v', (t) => t.replace('.KIND               (1)', '.KIND               (2)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c04', layer: 'c3' });
  }, 300_000);
  it('fails when the core does not wait for its second queue (the timestep ends before its walk and sends: the fc layer misses its input)', async () => {
    const result = await verifyEdited(p, 'queue_then_pool_c04.v', (t) => t.replace('assign queue_busy = queue1_busy || queue2_busy;', 'assign queue_busy = queue1_busy;'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c05', layer: 'f1' });
  }, 300_000);
});

/** Verifies `p` bit-exact on `images` images with non-zero and zero activations at c1 (0/1 or spikes). */
async function verifiesWithBothValues(p: ReturnType<typeof prepare>, images: number): Promise<void> {
  const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images });
  expect(result.firstMismatch).toBeNull();
  expect(result.pass).toBe(true);
  const c1 = result.coverage.find((c) => c.layer === 'c1' && c.activations > 0)!;
  expect(c1.nonZero).toBeGreaterThan(0);
  expect(c1.nonZero).toBeLessThan(c1.activations);
}

describe('a threshold around the global average pool after a queued pool (2x2/1 max padded by 1, GAP over 6x6)', () => {
  const thresholdOps = ['ops psum, batchnorm, relu, pool', 'ops psum, batchnorm, relu, pool, threshold'] as const;
  const before = prepareVariant('test/verify/fixtures/queue-gap.imc', 'queue-gap-threshold-before', [thresholdOps, ['g1 = gap(relu(maxpool(c1, size 2, stride 1, pad 1)))', 'g1 = gap(threshold(maxpool(c1, size 2, stride 1, pad 1), level 1))']]);
  const after = prepareVariant('test/verify/fixtures/queue-gap.imc', 'queue-gap-threshold-after', [thresholdOps, ['g1 = gap(relu(maxpool(c1, size 2, stride 1, pad 1)))', 'g1 = threshold(gap(relu(maxpool(c1, size 2, stride 1, pad 1))), level 1)']]);
  it('compares the queued pixels in the global-average stage, or the average in the queue, verified bit-exact', async () => {
    expect(poolStageParametersOf(before.files, 'queue_gap_c00')).toMatchObject([{ THRESHOLD_IN: 1, LEVEL_MAGNITUDE: 1, IN_BITS: 2, POOL_H: 6 }]);
    expect(poolQueueParametersOf(before.files, 'queue_gap_c00')).toMatchObject({ AFTER: 1, THRESHOLD: 0, OUT_BITS: 1, OUT_UNSIGNED: 1 });
    expect(poolStageParametersOf(after.files, 'queue_gap_c00')).toMatchObject([{ THRESHOLD_IN: 0, RELU_IN: 1, POOL_H: 6 }]);
    expect(poolQueueParametersOf(after.files, 'queue_gap_c00')).toMatchObject({ AFTER: 1, THRESHOLD: 1, LEVEL_MAGNITUDE: 1, OUT_BITS: 1, OUT_UNSIGNED: 1 });
    // The 4 channels' averages of 0/1 (before) or compared with 1 (after), over three images: both values.
    await verifiesWithBothValues(before, 3);
    await verifiesWithBothValues(after, 3);
  }, 300_000);
  it('fails at c00 when the queue\'s compare after the global average pool is inverted', async () => {
    const result = await verifyEdited(after, 'imcc_pool_queue.v', (t) => t.replace('(pooled_rectified >= LEVEL)', '(pooled_rectified < LEVEL)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('an integrate-and-fire neuron around the global average pool after a queued pool (3x3/1 average padded by 1; 4 timesteps)', () => {
  const before = prepareVariant('test/verify/fixtures/spiking-queue.imc', 'spiking-queue-gap-before', [
    ['p1 = relu(avgpool(c1, size 3, stride 1, pad 1))', 'p1 = gap(relu(avgpool(c1, size 3, stride 1, pad 1)))'],
    ['f1 = fc(flatten(p1), out 5, requant 0)', 'f1 = fc(p1, out 5, requant 0)'],
  ]);
  const after = prepareVariant('test/verify/fixtures/spiking-queue.imc', 'spiking-queue-gap-after', [
    ['p1 = relu(avgpool(c1, size 3, stride 1, pad 1))', 'p1 = relu(gap(avgpool(c1, size 3, stride 1, pad 1)))'],
    ['f1 = fc(flatten(p1), out 5, requant 0)', 'f1 = fc(p1, out 5, requant 0)'],
  ]);
  it('integrates the queued pixels in the global-average stage, or the average in the queue, verified bit-exact every timestep', async () => {
    // Before: a potential per pixel and channel of the 4x4 queued plane, in the stage; after: one per channel.
    expect(poolStageParametersOf(before.files, 'spiking_queue_c00')).toMatchObject([{ THRESHOLD_IN: 2, IF_ENTRIES: 64, IN_H: 4, POOL_H: 4 }]);
    expect(poolQueueParametersOf(before.files, 'spiking_queue_c00')).toMatchObject({ AFTER: 1, THRESHOLD: 0 });
    expect(poolQueueParametersOf(after.files, 'spiking_queue_c00')).toMatchObject({ AFTER: 1, THRESHOLD: 2, IF_ENTRIES: 4, OUT_H: 1 });
    await verifiesWithBothValues(before, 1);
    await verifiesWithBothValues(after, 2);
  }, 300_000);
  it('fails at c00 when the queue\'s membranes after the global average pool share one potential across channels', async () => {
    const result = await verifyEdited(after, 'imcc_pool_queue.v', (t) => t.replace("+ { {(32-CH_BITS){1'b0}}, membrane_ch };", "+ 32'd0;"), { images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00' });
  }, 300_000);
});
