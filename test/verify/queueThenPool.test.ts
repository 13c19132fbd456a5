// Pools after a pool whose windows end together (issue 19, IMC112 before): the queue (templates/rtl/imcc_pool_queue.v.hbs,
// AFTER 1) holds the pooled values and sends each leaving pixel, one channel per cycle, through the stages of the pools
// after it (templates/rtl/imcc_pool.v.hbs), whose pixels it collects as the core's; the dataflow model times those
// pools on the queued pixels as they leave, one per timestep (src/dataflow/simulate.ts, serialize). Verified
// bit-exact, with the consumers' crossbar timesteps, in Verilator.
import { describe, expect, it } from 'vitest';
import { poolQueueParametersOf, poolStageParametersOf, prepare, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

describe('pools after a queued pool (3x3/1 max padded by 1, ReLU, 2x2/2 average; 2x2/1 average padded by 1, ReLU, 2x2/1 max)', () => {
  const p = prepare('test/verify/fixtures/queue-then-pool.imc');
  it('chains the stages after the queue, which sends them its pooled values and collects their pixels', () => {
    // c1: the queue pools 6x6 windows and sends them to a 2x2/2 stage (running values) with the ReLU at its input.
    expect(poolQueueParametersOf(p.files, 'queue_then_pool_c00')).toMatchObject({ KIND: 1, POOL_H: 3, STRIDE: 1, PAD_TOP: 1, POOLED_H: 6, AFTER: 1, OUT_H: 3, RELU_AFTER_POOL: 0 });
    expect(poolStageParametersOf(p.files, 'queue_then_pool_c00')).toMatchObject([{ KIND: 2, IN_H: 6, IN_W: 6, POOL_H: 2, STRIDE_Y: 2, POOLED_H: 3, RELU_IN: 1 }]);
    const wrapper = p.files.find((f) => f.path === 'rtl/queue_then_pool_c00.v')!.content;
    expect(wrapper).toMatch(/\) u_pool1 \([^;]*\.stream_i\s+\(queue_stream_0\),\s*\.stream_o\s+\(queue_stream_1\)/);
    expect(wrapper).toMatch(/\) u_queue \([^;]*\.pooled_i\s+\(queue_stream_1\)/);
    // While the queue sends, the core is busy: the timestep waits for the stages.
    expect(wrapper).toContain('assign busy_o = controller_busy || queue_busy;');
    // c2 (row parts c01 and c02, c02 accumulating): a 2x2/1 stage over the queue's 4x4 pixels (overlapping: a line buffer).
    expect(poolStageParametersOf(p.files, 'queue_then_pool_c02')).toMatchObject([{ KIND: 1, IN_H: 4, POOL_H: 2, STRIDE_Y: 1, POOLED_H: 3, RELU_IN: 1 }]);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/queue_then_pool.f', 'queue_then_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact on two images, the consumers computing in the model\'s timesteps, with non-zero activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([4 * 3 * 3, 4 * 3 * 3]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
  }, 300_000);
  it('fails at c00 when the queue sends its pooled values zero-extended (a negative maximum reaches the ReLU positive)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('{ {(ACC_BITS-VALUE_BITS){send_value[VALUE_BITS-1]}}, send_value }', '{ {(ACC_BITS-VALUE_BITS){1\'b0}}, send_value }'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});
