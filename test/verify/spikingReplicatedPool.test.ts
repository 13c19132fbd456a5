// Pools in replicated layers of integrate-and-fire neurons (IMC112 before, src/mapping/replicatedPool.ts): spikes
// pooled in a replicated core (the membranes are the conv plane's, indexed by the replica's pixel), pooled values
// spiking (the membranes are the pooled plane's, each integrating once when its block completes the window), and a
// membrane between two pools in the replicated core's chain of stages.
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintRtl } from '../../src/verify/lint.js';
import { neuronParametersOf, poolStageParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('integrate-and-fire neurons before and after a pool in replicated cores (4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-replicated-pool.imc');

  it('plans c1\'s membranes on its 8x8 conv plane and c2\'s on its 2x2 pooled plane', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.colParts])).toEqual([
      ['c1', 4, 1],
      ['c2', 2, 1],
    ]);
    // c1: spikes before a max pool, two pooled pixels x 4 channels per valid; 8x8x4 potentials.
    expect(neuronParametersOf(p.files, 'spiking_replicated_pool_c00')).toMatchObject({ REPLICATED: 1, POOL: 1, THRESHOLD: 2, THRESHOLD_AFTER_POOL: 0, OUT_WIDTH: 8, IF_ENTRIES: 256, IF_PLANE_H: 8 });
    // c2: spikes after an average pool, one pooled pixel x 4 channels per valid; 2x2x4 potentials.
    expect(neuronParametersOf(p.files, 'spiking_replicated_pool_c01')).toMatchObject({ REPLICATED: 1, POOL: 2, THRESHOLD: 2, THRESHOLD_AFTER_POOL: 1, OUT_WIDTH: 4, IF_ENTRIES: 16, IF_PLANE_H: 2 });
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/spiking_replicated_pool.f', 'spiking_replicated_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images over every timestep, with spikes of both values in both layers', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const layer = (name: string) => result.coverage.find((c) => c.layer === name)!;
    // 4x4x4 and 4x2x2 pooled activations per image and timestep.
    expect(['c1', 'c2'].map((name) => layer(name).activations)).toEqual([2 * 4 * 64, 2 * 4 * 16]);
    for (const name of ['c1', 'c2']) {
      expect(layer(name).nonZero).toBeGreaterThan(0);
      expect(layer(name).nonZero).toBeLessThan(layer(name).activations);
    }
  }, 300_000);

  it('fails at c1 when the membranes before the pool are indexed by the block, not the replica\'s pixel', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_neuron.v')!;
    const before = "{ {(32-CW){1'b0}}, pixel_y }) * CHANNELS";
    expect(module.content.split(before)).toHaveLength(2);
    const files = p.files.map((f) => (f === module ? { ...f, content: module.content.replace(before, "{ {(32-CW){1'b0}}, cy_q }) * CHANNELS") } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c1' });
  }, 300_000);

  it('fails at c2 when the pooled membranes are indexed by the pooled row only (a potential shared across columns)', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_neuron.v')!;
    const after = "({ {(32-CW){1'b0}}, emit_x } * IF_PLANE_H";
    expect(module.content.split(after)).toHaveLength(2);
    const files = p.files.map((f) => (f === module ? { ...f, content: module.content.replace(after, "(32'd0 * IF_PLANE_H") } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2' });
  }, 300_000);
});

describe('an integrate-and-fire neuron between two pools of a replicated layer (4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-replicated-chain.imc');

  it('chains two stages of the layer\'s channels, the second with the membranes of the 4x4 averages', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.colParts])).toEqual([
      ['c1', 4, 1],
      ['f1', 1, 1],
    ]);
    expect(neuronParametersOf(p.files, 'spiking_replicated_chain_c00')).toMatchObject({ REPLICATED: 1, POOL_CHAIN: 1, CHANNELS: 4, OUT_WIDTH: 4, THRESHOLD: 2, THRESHOLD_AFTER_POOL: 2 });
    expect(poolStageParametersOf(p.files, 'spiking_replicated_chain_c00')).toMatchObject([
      { COLS: 4, KIND: 2, THRESHOLD_IN: 0 },
      { COLS: 4, KIND: 1, THRESHOLD_IN: 2, IF_ENTRIES: 64 },
    ]);
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/spiking_replicated_chain.f', 'spiking_replicated_chain_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact on two images over every timestep, with pooled spikes of both values', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c1 = result.coverage.find((c) => c.layer === 'c1')!;
    // 4x2x2 pooled spikes per image and timestep.
    expect(c1.activations).toBe(2 * 4 * 16);
    expect(c1.nonZero).toBeGreaterThan(0);
    expect(c1.nonZero).toBeLessThan(c1.activations);
  }, 300_000);

  it('fails at c1 when the stage\'s membranes are indexed by the pooled row only (a potential shared across columns)', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_pool.v')!;
    const index = "({ {(32-CW){1'b0}}, in_x } * IN_H";
    expect(module.content.split(index)).toHaveLength(2);
    const files = p.files.map((f) => (f === module ? { ...f, content: module.content.replace(index, "(32'd0 * IN_H") } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c1' });
  }, 300_000);
});
