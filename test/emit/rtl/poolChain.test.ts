// The parameters of the static pool stages (src/emit/rtl/poolChain.ts) and of the pooled-pixel queue
// (src/emit/rtl/poolQueue.ts): which cores chain stages or queue, each stage reading the plane the one before it
// emits, and the widths of their indices from the one width helper.
import { describe, expect, it } from 'vitest';
import { prepare } from './helpers.js';
import { planRtl } from '../../../src/emit/rtl/plan.js';
import { poolChainParameters, usesPoolChain } from '../../../src/emit/rtl/poolChain.js';
import { poolQueues, usesPoolQueue } from '../../../src/emit/rtl/poolQueue.js';
import { unsignedBits } from '../../../src/emit/rtl/literals.js';

describe('pool chain parameters', () => {
  it('chain every pool of a core whose first pool overlaps or that pools more than once, each stage over the plane before it', () => {
    const plan = planRtl(prepare('test/verify/fixtures/pool-chains.imc').program);
    const chained = plan.cores.filter(usesPoolChain);
    expect(chained.length).toBeGreaterThan(1);
    for (const p of chained) {
      const n = p.neuron!;
      const stages = poolChainParameters(p);
      expect(stages).toHaveLength(1 + n.laterPools.length);
      expect(stages[0]).toMatchObject({ IN_H: n.convHeight, IN_W: n.convWidth, RELU_IN: 0, THRESHOLD_IN: 0 });
      stages.forEach((s, i) => {
        if (i > 0) expect([s.IN_H, s.IN_W]).toEqual([stages[i - 1].POOLED_H, stages[i - 1].POOLED_W]);
        expect(s.INDEX_BITS).toBe(unsignedBits(s.POOLED_H * s.COLS - 1));
        expect(s.LINE_INDEX_BITS).toBe(unsignedBits(s.POOL_W * s.IN_H * s.COLS - 1));
        // An average's sum has the count's bits and a sign more; the stream's datapath holds it.
        expect(s.BITS).toBe(s.KIND === 1 ? s.IN_BITS : s.IN_BITS + unsignedBits(s.POOL_H * s.POOL_W) + 1);
        expect(s.BITS).toBeLessThan(s.ACC_BITS);
      });
      // The last stage emits the core's output plane.
      expect([stages.at(-1)!.POOLED_H, stages.at(-1)!.POOLED_W]).toEqual([n.outHeight, n.outWidth]);
    }
  });

  it('leaves a single pool whose stride is its size to the neuron core, and a pool whose windows end together to the queue', () => {
    const padded = planRtl(prepare('test/verify/fixtures/padded-pool.imc').program);
    expect(padded.cores.filter((p) => p.neuron?.pool).some(usesPoolChain)).toBe(false);
    const queued = planRtl(prepare('test/verify/fixtures/queue-pool.imc').program).cores.filter(usesPoolQueue);
    expect(queued.length).toBeGreaterThan(0);
    for (const p of queued) {
      expect(usesPoolChain(p)).toBe(false);
      const [{ parameters: q }] = poolQueues(p);
      expect(2 ** q.RING_BITS).toBe(q.SLOTS);
      expect(q.SLOTS).toBe(p.neuron!.pool!.queue!.slots);
      expect([q.POOLED_H, q.POOLED_W]).toEqual([p.neuron!.outHeight, p.neuron!.outWidth]);
    }
    expect(() => poolChainParameters(queued[0])).toThrow(/no chain of pools/);
  });
});
