// The optimizer's shortcuts (issue 15, search time) change no result: the simulator geometry shared across candidates,
// memory verdicts shared by layers of one geometry, and the first-image bandwidth probe all give the verdicts and
// figures of a candidate mapped, planned and simulated alone over the whole batch.
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { createProgram } from '../../src/pipeline/program.js';
import { simulateDataflow, type GeometryCache } from '../../src/dataflow/index.js';
import { createSearcher } from '../../src/optimize/index.js';
import { applyAllocation, linkLimits, type Allocation } from '../../src/optimize/evaluate.js';
import { singleSteps } from '../../src/optimize/strategies.js';

function load(file: string): IrDesign {
  const r = loadDesign(file);
  if (r.design === null) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.design;
}

const resnet32 = load('examples/resnet32.imc');

/**
 * Legal or not, found the slow way: map, plan every core's memory as compile does (rings widened for a residual add's
 * wait included), simulate the whole batch, check every link.
 */
function legalAlone(design: IrDesign, variant: IrDesign, limits: Map<string, number>): boolean {
  let mapping;
  try {
    const program = createProgram(variant);
    mapping = program.mapping;
    void program.memory;
  } catch (err) {
    if (err instanceof DiagnosticError) return false;
    throw err;
  }
  const layerOf = new Map(mapping.cores.map((c) => [c.id, c.layer]));
  const sim = simulateDataflow(variant, mapping, { batch: 100 });
  return sim.links.every((l) => l.gbps <= (limits.get(`${layerOf.get(l.from) ?? 'input'}|${l.kind}`) ?? design.target.link.bandwidthGbps) * (1 + 1e-9));
}

describe('search shortcuts', () => {
  const searcher = createSearcher(resnet32, { objective: 'throughput', ignoreBandwidth: false, batch: 100 });
  const units = searcher.units;
  // The minimal mapping, every single step above it, and every single step above the best point at 64 cores: legal
  // ones, ones over a link's bandwidth, ones whose input memory does not fit (IMC072).
  const best = searcher.run('pareto', 64).best!;
  const ctx = { units, budget: 64, evaluate: searcher.evaluate, better: () => false };
  const minimal: Allocation = units.map(() => 0);
  const candidates = [minimal, ...singleSteps(ctx, minimal), best.allocation, ...singleSteps(ctx, best.allocation)];

  it('shared simulator geometry gives the figures of a simulation without it', () => {
    const cache: GeometryCache = new Map();
    const allocations = [minimal, best.allocation, ...singleSteps(ctx, best.allocation).slice(0, 3)];
    for (const granularity of ['pixel', 'block'] as const) {
      for (const a of granularity === 'pixel' ? allocations : allocations.slice(0, 2)) {
        const variant = applyAllocation(resnet32, units, a);
        const mapping = mapDesign(variant);
        expect(simulateDataflow(variant, mapping, { batch: 100, granularity, geometryCache: cache })).toEqual(
          simulateDataflow(variant, mapping, { batch: 100, granularity }),
        );
      }
    }
    expect(cache.size).toBeGreaterThan(units.length);
  });

  it('every verdict (memory, bandwidth from the first image) is that of the candidate evaluated alone', () => {
    const limits = linkLimits(resnet32, units);
    const verdicts = { legal: 0, memory: 0, link: 0 };
    for (const a of candidates) {
      const e = searcher.evaluate(a);
      expect(e.illegal === null, a.join(',')).toBe(legalAlone(resnet32, applyAllocation(resnet32, units, a), limits));
      if (e.illegal === null) verdicts.legal++;
      else if (e.illegal.includes('IMC07')) verdicts.memory++;
      else if (e.illegal.startsWith('link')) verdicts.link++;
    }
    // The sample exercises every kind of verdict.
    expect(Math.min(verdicts.legal, verdicts.memory, verdicts.link)).toBeGreaterThan(0);
  });
});
