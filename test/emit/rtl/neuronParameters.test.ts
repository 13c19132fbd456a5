// The static neuron core's parameters (src/emit/rtl/neuronParameters.ts): which cores use it, and that each core's
// parameters are its plan's numbers, with the widths of its counters and indices from the one width helper.
import { describe, expect, it } from 'vitest';
import { prepare } from './helpers.js';
import { planRtl } from '../../../src/emit/rtl/plan.js';
import { neuronParameters } from '../../../src/emit/rtl/neuronParameters.js';
import { unsignedBits } from '../../../src/emit/rtl/literals.js';

describe('neuron-core parameters', () => {
  it('serves every neuron core, its pools its own or the wrapper\'s (a chain of stages, a queue); row parts have none', () => {
    const residual = planRtl(prepare('test/verify/fixtures/residual.imc').program);
    for (const p of residual.cores.filter((c) => !c.neuron)) expect(() => neuronParameters(p)).toThrow(/has no neuron core/);
    // One pool of non-overlapping windows, also in a replicated core, is the module's own (POOL); overlapping windows
    // and several pools are a chain of stages (POOL_CHAIN), a pool whose windows end together a queue (neither).
    const expected = { 'padded-pool': [1, 0], 'replicated-pool': [1, 0], 'overlap-pool': [0, 1], 'two-pools': [0, 1], 'queue-pool': [0, 0] };
    for (const [fixture, [own, chain]] of Object.entries(expected)) {
      const plan = planRtl(prepare(`test/verify/fixtures/${fixture}.imc`).program);
      // The fixture's case: its overlapping pools, its queued pools.
      const pool = (p: (typeof plan.cores)[number]) => p.neuron?.pool;
      const pooled = plan.cores.filter((p) =>
        fixture === 'overlap-pool' ? pool(p) && pool(p)!.stride !== pool(p)!.height : fixture === 'queue-pool' ? pool(p)?.queue : pool(p),
      );
      expect(pooled.length, fixture).toBeGreaterThan(0);
      for (const p of pooled) {
        const values = neuronParameters(p);
        expect(values.POOL !== 0 ? 1 : 0, `${fixture} ${p.core.id}`).toBe(own);
        expect(values.POOL_CHAIN, `${fixture} ${p.core.id}`).toBe(chain);
      }
    }
  });

  it('sets a pool\'s windows, padding and running-value widths', () => {
    const plan = planRtl(prepare('test/verify/fixtures/padded-pool.imc').program);
    const pooled = plan.cores.filter((p) => p.neuron?.pool);
    expect(pooled.length).toBeGreaterThan(0);
    for (const p of pooled) {
      const pool = p.neuron!.pool!;
      const values = neuronParameters(p);
      expect(values).toMatchObject({
        POOL: pool.kind === 'max' ? 1 : 2,
        POOL_H: pool.height,
        POOL_W: pool.width,
        POOL_PAD_TOP: pool.padding.top,
        POOL_PAD_LEFT: pool.padding.left,
        POOLED_H: pool.pooledHeight,
        POOLED_W: pool.pooledWidth,
        POOL_INDEX_BITS: unsignedBits(pool.pooledHeight * p.cols - 1),
      });
      // A max pool keeps the activation's bits; an average pool's sum needs the count's bits and a sign more.
      const count = pool.height * pool.width;
      expect(values.POOL_BITS).toBe(pool.kind === 'max' ? values.ACT_BITS : values.ACT_BITS + unsignedBits(count) + 1);
      expect(values.POOL_BITS).toBeLessThan(values.ACC_BITS);
    }
  });

  it('sets the residual FIFO, batch norm and widths of each adding core from its plan', () => {
    const plan = planRtl(prepare('test/verify/fixtures/residual.imc').program);
    const adding = plan.cores.filter((p) => p.neuron?.residual);
    expect(adding.length).toBeGreaterThan(0);
    for (const p of adding) {
      const n = p.neuron!;
      const values = neuronParameters(p);
      expect(values).toMatchObject({
        COLS: p.cols,
        CH_BITS: unsignedBits(p.cols - 1),
        ACC_BITS: n.accBits,
        ACT_BITS: n.saturationBits,
        HAS_RES: 1,
        RES_DEPTH: n.residual!.depth,
        RES_PTR_BITS: unsignedBits(n.residual!.depth - 1),
        RES_IN: n.residual!.pixels,
        HAS_BN: n.batchNorm ? 1 : 0,
        PARTS: p.partialCores.length,
      });
      // The coordinates hold the plane's size (and a sum of two within it).
      expect(2 ** (values.CW - 1)).toBeGreaterThan(Math.max(n.convHeight, n.convWidth));
    }
  });

  it('places a column part of a replicated layer inside its block and marks its partial last replica', () => {
    const plan = planRtl(prepare('test/verify/fixtures/replicated-columns.imc').program);
    const parts = plan.cores.filter((p) => p.neuron && p.replicas > 1 && p.firstReplica > 0);
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) {
      const values = neuronParameters(p);
      expect(values.REPLICATED).toBe(1);
      expect(values.CHANNELS).toBe(p.outChannels);
      expect(values.OC_BITS).toBe(unsignedBits(p.outChannels - 1));
      expect(values.REP_Y_FIRST + values.BLOCK_H * values.REP_X_FIRST).toBe(p.firstReplica);
      expect(values.OC_FIRST).toBe(p.channelBase % p.outChannels);
      expect(values.LAST_REPLICA_PARTIAL).toBe((p.channelBase + p.cols) % p.outChannels === 0 ? 0 : 1);
    }
  });

  it('gives a threshold level as sign and magnitude, and an integrate-and-fire membrane its width and entries', () => {
    const binary = planRtl(prepare('test/verify/fixtures/binary-residual.imc').program);
    const compare = binary.cores.filter((p) => p.neuron?.threshold);
    expect(compare.length).toBeGreaterThan(0);
    for (const p of compare) {
      const level = p.neuron!.threshold!.level;
      expect(neuronParameters(p)).toMatchObject({ THRESHOLD: 1, OUT_BITS: 1, LEVEL_NEGATIVE: level < 0 ? 1 : 0, LEVEL_MAGNITUDE: Math.abs(level) });
    }
    const spiking = planRtl(prepare('test/verify/fixtures/spiking-replicated.imc').program);
    const fire = spiking.cores.filter((p) => p.neuron?.threshold?.integrateAndFire);
    expect(fire.length).toBeGreaterThan(0);
    for (const p of fire) {
      const membrane = p.neuron!.threshold!.integrateAndFire!;
      expect(neuronParameters(p)).toMatchObject({
        THRESHOLD: 2,
        V_BITS: membrane.potentialBits,
        IF_ENTRIES: membrane.entries,
        IF_INDEX_BITS: unsignedBits(membrane.entries - 1),
        IF_LEAK: membrane.leak,
      });
    }
  });

  it('codes the value a core sends to another core\'s add', () => {
    const plan = planRtl(prepare('test/verify/fixtures/raw-shortcut.imc').program);
    const sending = plan.cores.filter((p) => p.neuron?.shortcutTap);
    expect(sending.length).toBeGreaterThan(0);
    for (const p of sending) expect(neuronParameters(p).SHORTCUT).toBe(1);
  });
});
