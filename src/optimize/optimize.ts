// imcc optimize: the replication optimizer. Runs a strategy at a core budget, keeps the Pareto front of everything it
// evaluated (fewer cores, more images/s, fewer timesteps of latency) and chooses a point by the objective. The chosen
// point is simulated again over the whole batch, so its figures are exactly those `imcc simulate` prints for it, and
// once more at block granularity: the timing of the RTL `imcc compile` generates (a whole block per crossbar operation,
// when the inputs of all its replicas are present), which the paper's pixel model under-counts for replicated layers.
import { diagnostic, DiagnosticError, ToolError, type DiagnosticArgs, type SourceSpan } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { mapDesign } from '../mapping/index.js';
import { simulateDataflow, type GeometryCache, type Granularity } from '../dataflow/index.js';
import { applyAllocation, evaluateAllocation, linkLimits, type Allocation, type Evaluation } from './evaluate.js';
import { allocationCores, runStrategy, type SearchContext, type StrategyName } from './strategies.js';
import { searchUnits, type SearchUnit } from './units.js';

import { OBJECTIVES, type Objective } from './names.js';
export { OBJECTIVES, type Objective };

export interface OptimizeOptions {
  strategy: StrategyName;
  objective: Objective;
  /** Cores the mapping may use; the whole grid when absent. */
  budget?: number;
  /** Where the budget was written (a mapping directive), for diagnostics. */
  budgetSpan?: SourceSpan;
  ignoreBandwidth: boolean;
  /** Images per batch for the throughput figure (simulate's --batch). */
  batch: number;
  /** Also search ragged method-2 blocks (units.ts: not by default, for the search time). */
  ragged?: boolean;
  /** The timing model the search ranks by: 'pixel' (the paper's, the default) or 'block' (the RTL's). */
  granularity?: Granularity;
}

export interface FrontPoint {
  cores: number;
  throughputImagesPerSecond: number;
  latencyTimesteps: number;
  maxLinkGbps: number;
}

/** The chosen mapping's figures in the timing of the generated RTL (the dataflow model at block granularity). */
export interface RtlTiming {
  latencyTimesteps: number;
  throughputImagesPerSecond: number;
}

export interface LayerChoice {
  replicas: number;
  dW: number;
}

export interface OptimizeResult {
  strategy: StrategyName;
  objective: Objective;
  budget: number;
  minimalCores: number;
  ignoreBandwidth: boolean;
  batch: number;
  ragged: boolean;
  granularity: Granularity;
  /** Non-dominated points, by cores. */
  front: FrontPoint[];
  chosen: FrontPoint & { layers: Map<string, LayerChoice>; rtl: RtlTiming };
  /** The design with the chosen mapping directives. */
  design: IrDesign;
  evaluations: number;
}

/** Orders evaluations by the objective: the best first. */
export function compareByObjective(objective: Objective): (a: FrontPoint, b: FrontPoint) => number {
  const fewerCores = (a: FrontPoint, b: FrontPoint) => a.cores - b.cores;
  switch (objective) {
    case 'throughput':
      return (a, b) => b.throughputImagesPerSecond - a.throughputImagesPerSecond || a.latencyTimesteps - b.latencyTimesteps || fewerCores(a, b);
    case 'latency':
      return (a, b) => a.latencyTimesteps - b.latencyTimesteps || b.throughputImagesPerSecond - a.throughputImagesPerSecond || fewerCores(a, b);
    case 'balanced':
      // Images per second per timestep of latency: both figures count equally (a doubling of either is worth as much).
      return (a, b) =>
        b.throughputImagesPerSecond / b.latencyTimesteps - a.throughputImagesPerSecond / a.latencyTimesteps || fewerCores(a, b);
  }
}

const dominates = (a: FrontPoint, b: FrontPoint): boolean =>
  a.cores <= b.cores &&
  a.throughputImagesPerSecond >= b.throughputImagesPerSecond &&
  a.latencyTimesteps <= b.latencyTimesteps &&
  (a.cores < b.cores || a.throughputImagesPerSecond > b.throughputImagesPerSecond || a.latencyTimesteps < b.latencyTimesteps);

/** The non-dominated points of a pool (one per distinct figure triple), by cores then throughput. */
export function paretoFront<T extends FrontPoint>(pool: readonly T[]): T[] {
  const front: T[] = [];
  const seen = new Set<string>();
  for (const p of pool) {
    const key = `${p.cores}|${p.throughputImagesPerSecond}|${p.latencyTimesteps}`;
    if (seen.has(key) || pool.some((q) => dominates(q, p))) continue;
    seen.add(key);
    front.push(p);
  }
  return front.sort((a, b) => a.cores - b.cores || b.throughputImagesPerSecond - a.throughputImagesPerSecond || a.latencyTimesteps - b.latencyTimesteps);
}

const point = (e: FrontPoint): FrontPoint => ({
  cores: e.cores,
  throughputImagesPerSecond: e.throughputImagesPerSecond,
  latencyTimesteps: e.latencyTimesteps,
  maxLinkGbps: e.maxLinkGbps,
});

/** One search session: the units, link limits and evaluations are shared by every strategy and budget run in it. */
export interface Searcher {
  units: SearchUnit[];
  minimalCores: number;
  /** The legal candidates a strategy evaluates at a budget, and the best of them by the objective (null: none). */
  run(strategy: StrategyName, budget: number): { pool: Evaluation[]; best: Evaluation | null };
  /** The memoized evaluation (with this session's bandwidth rule). */
  evaluate(allocation: Allocation): Evaluation;
  evaluations(): number;
  /** The simulator geometry shared by this session's simulations (all of variants of its design). */
  geometryCache: GeometryCache;
}

export function createSearcher(design: IrDesign, options: Pick<OptimizeOptions, 'objective' | 'ignoreBandwidth' | 'batch' | 'ragged' | 'granularity'>): Searcher {
  const units = searchUnits(design, { ragged: options.ragged });
  const minimal: Allocation = units.map(() => 0);
  // The minimal mapping (one replica everywhere) must map at all; its errors are the design's own.
  mapDesign(applyAllocation(design, units, minimal));
  const geometryCache: GeometryCache = new Map();
  const limits = options.ignoreBandwidth ? null : linkLimits(design, units, geometryCache);
  const memo = new Map<string, Evaluation>();
  const memoryCache = new Map<string, { layer: string; verdict: string | null }>();
  const order = compareByObjective(options.objective);
  const evaluate = (allocation: Allocation): Evaluation => {
    const key = allocation.join(',');
    let e = memo.get(key);
    if (e === undefined) {
      e = evaluateAllocation(design, units, allocation, { batch: options.batch, limits, memoryCache, geometryCache, granularity: options.granularity });
      memo.set(key, e);
    }
    return e;
  };
  return {
    units,
    minimalCores: allocationCores(units, minimal),
    run(strategy, budget) {
      const ctx: SearchContext = { units, budget, evaluate, better: (a, b) => order(a, b) < 0 };
      const pool = runStrategy(strategy, ctx).filter((e) => e.illegal === null && e.cores <= budget);
      return { pool, best: pool.length === 0 ? null : [...pool].sort(order)[0] };
    },
    evaluate,
    evaluations: () => memo.size,
    geometryCache,
  };
}

export function optimizeDesign(design: IrDesign, options: OptimizeOptions): OptimizeResult {
  const grid = design.target.grid.rows * design.target.grid.cols;
  const fail = <C extends 'IMC059' | 'IMC060' | 'IMC061'>(code: C, args: DiagnosticArgs<C>): never => {
    if (options.budgetSpan !== undefined) throw new DiagnosticError([diagnostic(code, options.budgetSpan, args)]);
    throw new ToolError(code, args);
  };
  const budget = options.budget ?? grid;
  if (budget > grid) {
    fail('IMC060', { budget, rows: design.target.grid.rows, cols: design.target.grid.cols, target: design.target.name, grid });
  }
  const searcher = createSearcher(design, options);
  if (searcher.minimalCores > budget) {
    fail('IMC059', { minimalCores: searcher.minimalCores, budget });
  }
  const { pool, best } = searcher.run(options.strategy, budget);
  if (best === null) {
    return fail(
      'IMC061',
      { strategy: options.strategy, budget, bandwidthNote: options.ignoreBandwidth ? '' : ' that keeps every link within its bandwidth (try --ignore-bandwidth)' },
    );
  }
  const units = searcher.units;
  const chosenDesign = applyAllocation(design, units, best.allocation);
  // The chosen point's figures straight from simulate over the whole batch (what `imcc simulate` prints).
  const mapping = mapDesign(chosenDesign);
  const granularity = options.granularity ?? 'pixel';
  const result = simulateDataflow(chosenDesign, mapping, { batch: options.batch, granularity, geometryCache: searcher.geometryCache });
  const rtl = granularity === 'block' ? result : simulateDataflow(chosenDesign, mapping, { batch: options.batch, granularity: 'block', geometryCache: searcher.geometryCache });
  const settings = new Map<string, LayerChoice>();
  units.forEach((u, i) => u.layers.forEach((l) => settings.set(l, { replicas: u.options[best.allocation[i]].replicas, dW: u.options[best.allocation[i]].dW })));
  const layers = new Map(design.network.nodes.filter((n) => settings.has(n.name)).map((n) => [n.name, settings.get(n.name)!]));
  return {
    strategy: options.strategy,
    objective: options.objective,
    budget,
    minimalCores: searcher.minimalCores,
    ignoreBandwidth: options.ignoreBandwidth,
    batch: options.batch,
    ragged: options.ragged === true,
    granularity,
    front: paretoFront(pool).map(point),
    chosen: {
      cores: mapping.cores.length,
      throughputImagesPerSecond: result.throughputImagesPerSecond,
      latencyTimesteps: result.latencyTimesteps,
      maxLinkGbps: result.linkBandwidthGbps,
      layers,
      rtl: { latencyTimesteps: rtl.latencyTimesteps, throughputImagesPerSecond: rtl.throughputImagesPerSecond },
    },
    design: chosenDesign,
    evaluations: searcher.evaluations(),
  };
}
