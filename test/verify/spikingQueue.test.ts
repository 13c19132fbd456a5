// An integrate-and-fire neuron after a pool whose windows end together (issue 19, IMC112 before): the queue's window
// walk pools each window once, one channel per cycle, the membrane of that pooled pixel and channel integrates the
// value (post_fire: the walk, when no pool stage follows the queue), and the ring queues the spikes. Verified
// bit-exact over four timesteps.
import { describe, expect, it } from 'vitest';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { neuronParametersOf, poolQueueParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('an integrate-and-fire neuron after a queued pool (3x3/1 average padded by 1, spikes; 4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-queue.imc');

  it('integrates each pooled value when the window walk computes it', () => {
    expect(p.files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!.content).toContain('assign post_fire = walk;');
    // One potential per pixel and channel of the 4x4 pooled plane.
    expect(poolQueueParametersOf(p.files, 'spiking_queue_c00')).toMatchObject({ THRESHOLD: 2, IF_ENTRIES: 64, POOLED_H: 4, AFTER: 0, OUT_H: 4 });
    expect(neuronParametersOf(p.files, 'spiking_queue_c00')).toMatchObject({ THRESHOLD: 0 });
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/spiking_queue.f', 'spiking_queue_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact every timestep, with spikes of both values', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c00 = result.coverage.find((c) => c.core === 'c00')!;
    expect(c00.nonZero).toBeGreaterThan(0);
    expect(c00.nonZero).toBeLessThan(c00.activations);
  }, 300_000);

  it('fails when the membranes are indexed by the window row only (a potential shared across columns)', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!;
    const mutated = module.content.replace("({ {(32-CW){1'b0}}, post_x } * OUT_H", "(32'd0 * OUT_H");
    expect(mutated).not.toBe(module.content);
    const files = p.files.map((f) => (f === module ? { ...f, content: mutated } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00' });
  }, 300_000);
});
