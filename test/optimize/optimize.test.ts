// The replication optimizer on ResNet-32 / dazzi2021 (issue targets): its figures are simulate's, it dominates the
// paper's 4/2/1 at 52 cores (section 3.1.4), reaches 1.2x the paper's throughput on the whole grid, and at every budget
// is at least as good as every baseline while using the budget when more cores help.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { compareByObjective, compareStrategies, createSearcher, optimizeDesign, paretoFront, BASELINES, type FrontPoint } from '../../src/optimize/index.js';
import { applyAllocation } from '../../src/optimize/evaluate.js';
import { singleSteps } from '../../src/optimize/strategies.js';

function load(file: string): IrDesign {
  const r = loadDesign(file);
  if (r.design === null) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.design;
}

const resnet32 = load('examples/resnet32.imc');
const options = { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: true, batch: 100 } as const;
const better = compareByObjective('throughput');
const atLeastAsGood = (a: FrontPoint, b: FrontPoint) => better(a, b) <= 0 || (a.throughputImagesPerSecond === b.throughputImagesPerSecond && a.latencyTimesteps === b.latencyTimesteps);

describe('evaluation is imcc simulate', () => {
  it('the chosen 52-core point has the figures simulate prints for the written mapping', () => {
    const r = optimizeDesign(resnet32, { ...options, budget: 52 });
    const written = load('examples/resnet32-optimized.imc');
    const sim = simulateDataflow(written, mapDesign(written), { batch: 100 });
    expect(r.chosen.cores).toBe(mapDesign(written).cores.length);
    expect(r.chosen.latencyTimesteps).toBe(sim.latencyTimesteps);
    expect(r.chosen.throughputImagesPerSecond).toBe(sim.throughputImagesPerSecond);
    expect(r.chosen.maxLinkGbps).toBe(sim.linkBandwidthGbps);
    // The committed example is what optimize --write produces (nothing left to rewrite).
    for (const node of written.network.nodes) {
      const c = r.chosen.layers.get(node.name);
      if (c !== undefined) expect([node.name, node.mapping?.replicas, node.mapping?.dW]).toEqual([node.name, c.replicas, c.dW]);
    }
  });

  it("the front's figures equal the image-by-image simulation of the whole batch", () => {
    const searcher = createSearcher(resnet32, options);
    const units = searcher.units;
    const { pool, best } = searcher.run('pareto', 64);
    const sample = [...paretoFront(pool), pool[0], pool[pool.length - 1], best!];
    expect(sample.length).toBeGreaterThan(4);
    for (const e of sample) {
      const variant = applyAllocation(resnet32, units, e.allocation);
      // `activity` makes the simulator run every image instead of extending the batch once it repeats itself.
      const sim = simulateDataflow(variant, mapDesign(variant), { batch: 100, activity: true });
      expect([e.latencyTimesteps, e.throughputImagesPerSecond, e.maxLinkGbps]).toEqual([sim.latencyTimesteps, sim.throughputImagesPerSecond, sim.linkBandwidthGbps]);
    }
  });
});

describe('targets on ResNet-32 (Dazzi et al. 2021, section 3.1.4)', () => {
  it("at 52 cores, dominates imcc's evaluation of the paper's 4/2/1 (536 timesteps, 38,640 images/s)", () => {
    const paper = optimizeDesign(resnet32, { ...options, strategy: 'paper', budget: 52 }).chosen;
    expect([paper.cores, paper.latencyTimesteps, Math.round(paper.throughputImagesPerSecond)]).toEqual([52, 536, 38640]);
    const best = optimizeDesign(resnet32, { ...options, budget: 52 }).chosen;
    expect(best.cores).toBeLessThanOrEqual(52);
    expect(best.latencyTimesteps).toBeLessThanOrEqual(paper.latencyTimesteps);
    expect(best.throughputImagesPerSecond).toBeGreaterThanOrEqual(paper.throughputImagesPerSecond);
    expect(best.latencyTimesteps < paper.latencyTimesteps || best.throughputImagesPerSecond > paper.throughputImagesPerSecond).toBe(true);
  });

  it("on the whole 8x8 grid, at least 1.2x the paper's 38,600 images/s", () => {
    const best = optimizeDesign(resnet32, options).chosen;
    expect(best.cores).toBeLessThanOrEqual(64);
    expect(best.throughputImagesPerSecond).toBeGreaterThanOrEqual(46_000);
  });

  for (const ignoreBandwidth of [true, false]) {
    it(`at every budget from 43 to 64 cores${ignoreBandwidth ? ' (--ignore-bandwidth)' : ''}: as good as every baseline, and the budget used when more cores help`, () => {
      const budgets = Array.from({ length: 22 }, (_, i) => 43 + i);
      const c = compareStrategies(resnet32, { budgets, ignoreBandwidth, batch: 100, objective: 'throughput' });
      const searcher = createSearcher(resnet32, { ...options, ignoreBandwidth });
      budgets.forEach((budget, i) => {
        const mine = c.cells.get('pareto')![i]!;
        expect(mine.cores).toBeLessThanOrEqual(budget);
        for (const b of BASELINES) {
          const theirs = c.cells.get(b)![i];
          if (theirs !== null) expect(atLeastAsGood(mine, theirs), `${b} at ${budget}`).toBe(true);
        }
        if (mine.cores >= 0.95 * budget) return;
        // Fewer than 95 % used: no step of one layer's replication that fits the budget may be better.
        const { best } = searcher.run('pareto', budget);
        const ctx = { units: searcher.units, budget, evaluate: searcher.evaluate, better: () => false };
        const steps = singleSteps(ctx, best!.allocation);
        expect(steps.length).toBeGreaterThan(0);
        for (const step of steps) {
          const e = searcher.evaluate(step);
          if (e.illegal === null) expect(better(e, best!) >= 0, `${step.join('')} at ${budget}`).toBe(true);
        }
      });
    });
  }

  it('each objective chooses the best point of the front by its own order', () => {
    for (const objective of ['throughput', 'latency', 'balanced'] as const) {
      const r = optimizeDesign(resnet32, { ...options, objective });
      const order = compareByObjective(objective);
      const best = [...r.front].sort(order)[0];
      expect(order(r.chosen, best), objective).toBe(0);
    }
    const latency = optimizeDesign(resnet32, { ...options, objective: 'latency' }).chosen;
    const throughput = optimizeDesign(resnet32, options).chosen;
    expect(latency.latencyTimesteps).toBeLessThanOrEqual(throughput.latencyTimesteps);
  });

  it('a budget below the minimal mapping says how many cores the network needs', () => {
    expect(() => optimizeDesign(resnet32, { ...options, budget: 40 })).toThrow(/needs at least 43 cores/);
  });
});
