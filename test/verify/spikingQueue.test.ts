// An integrate-and-fire neuron after a pool whose windows end together (issue 19, IMC112 before): the queue's window
// walk pools each window once, one channel per cycle, the membrane of that pooled pixel and channel integrates the
// value (post_fire: the walk, when no pool stage follows the queue), and the ring queues the spikes. Verified
// bit-exact over four timesteps. A membrane between a pool and a queued pool is the queue's input (THRESHOLD_IN 2).
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintTest, neuronParametersOf, poolQueueParametersOf, prepare, prepareVariant, spikesOfBothValuesTest, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

describe('an integrate-and-fire neuron after a queued pool (3x3/1 average padded by 1, spikes; 4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-queue.imc');

  it('integrates each pooled value when the window walk computes it', () => {
    expect(p.files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!.content).toContain('assign post_fire = write;');
    // One potential per pixel and channel of the 4x4 pooled plane.
    expect(poolQueueParametersOf(p.files, 'spiking_queue_c00')).toMatchObject({ THRESHOLD: 2, IF_ENTRIES: 64, POOLED_H: 4, AFTER: 0, OUT_H: 4 });
    expect(neuronParametersOf(p.files, 'spiking_queue_c00')).toMatchObject({ THRESHOLD: 0 });
  });

  lintTest(p);

  spikesOfBothValuesTest(p);

  it('fails when the membranes are indexed by the window row only (a potential shared across columns)', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!;
    const mutated = module.content.replace("({ {(32-CW){1'b0}}, membrane_x } * PLANE_H", "(32'd0 * PLANE_H");
    expect(mutated).not.toBe(module.content);
    const files = p.files.map((f) => (f === module ? { ...f, content: mutated } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00' });
  }, 300_000);
});

describe('an integrate-and-fire neuron between a pool and a queued pool (2x2 average, spikes, 2x2/1 max padded by 1; 4 timesteps)', () => {
  // spiking-pools.imc's second pool padded by 1: its windows end together, so it is a queue whose input is the membrane.
  const p = prepareVariant('test/verify/fixtures/spiking-pools.imc', 'spiking-pool-queue', [
    ['maxpool(relu(avgpool(c1, size 2)), size 2, stride 1)', 'maxpool(relu(avgpool(c1, size 2)), size 2, stride 1, pad 1)'],
  ]);

  it('integrates each pixel of the first pool in the queue\'s membrane, then queues the ORs of its spikes', () => {
    // One potential per pixel and channel of the 3x3 plane of averages (the queue's input).
    expect(poolQueueParametersOf(p.files, 'spiking_pools_c00')).toMatchObject({ THRESHOLD_IN: 2, IF_ENTRIES: 36, IN_H: 3, POOLED_H: 4, THRESHOLD: 0, IN_BITS: 2 });
  });

  lintTest(p);

  spikesOfBothValuesTest(p, 2);

  it('fails at c00 when the input membranes are indexed by the row only (a potential shared across columns)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace("({ {(32-CW){1'b0}}, membrane_x } * PLANE_H", "(32'd0 * PLANE_H"));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00' });
  }, 300_000);
});
