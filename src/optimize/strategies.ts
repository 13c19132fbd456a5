// Replication strategies. The baselines are the paper's hand choice (section 3.1.4: 4 replicas for the largest output
// plane, 2 for the next, 1 for the rest) and PIMCOMP-NN's policies (balance: replicate the layer with the most
// windows per replica; W0H0: replicas in proportion to the output H x W; uniform: one count for every layer). The
// optimizer ('pareto') searches the balanced allocations for every reachable interval and spends the cores left on
// latency, plane by plane; its candidate pool contains every baseline, so it is never worse than any of them.
import type { Allocation, Evaluation } from './evaluate.js';
import type { SearchUnit } from './units.js';

import { STRATEGIES, type StrategyName } from './names.js';
export { STRATEGIES, type StrategyName };
export const BASELINES = ['paper', 'balance', 'w0h0', 'uniform'] as const satisfies readonly StrategyName[];

export interface SearchContext {
  units: readonly SearchUnit[];
  budget: number;
  /** Memoized evaluation of an allocation. */
  evaluate: (allocation: Allocation) => Evaluation;
  /** The objective's order: true when `a` is strictly better than `b`. */
  better: (a: Evaluation, b: Evaluation) => boolean;
}

export function allocationCores(units: readonly SearchUnit[], allocation: Allocation): number {
  return units.reduce((n, u, i) => n + u.options[allocation[i]].cores, 0);
}

/** Index of the unit's option with the most replicas not above `replicas`. */
function atMost(unit: SearchUnit, replicas: number): number {
  let best = 0;
  unit.options.forEach((o, i) => {
    if (o.replicas <= replicas) best = i;
  });
  return best;
}

const fits = (ctx: SearchContext, a: Allocation): boolean => allocationCores(ctx.units, a) <= ctx.budget;

/**
 * The unit's setting with the most replicas that costs what option `index` costs: the same cores may buy more
 * replicas (stage 2 of ResNet-32: 4 replicas of a 28-channel layer need two tiles, like 2).
 */
function sameCostTop(unit: SearchUnit, index: number): number {
  let top = index;
  while (top + 1 < unit.options.length && unit.options[top + 1].cores === unit.options[index].cores) top++;
  return top;
}

/** The first legal allocation of a list that fits the budget (evaluated in order), or null. */
function firstLegal(ctx: SearchContext, candidates: Allocation[]): Evaluation | null {
  for (const a of candidates) {
    if (!fits(ctx, a)) continue;
    const e = ctx.evaluate(a);
    if (e.illegal === null) return e;
  }
  return null;
}

/** Output planes, largest first. */
function planes(units: readonly SearchUnit[]): string[] {
  const pixels = new Map(units.map((u) => [u.plane, u.pixels]));
  return [...pixels.keys()].sort((a, b) => pixels.get(b)! - pixels.get(a)!);
}

/** Section 3.1.4: 4 replicas for the units of the largest plane, 2 for the second, 1 elsewhere (when the options exist). */
export function paperStrategy(ctx: SearchContext): Evaluation | null {
  const order = planes(ctx.units);
  if (order.length < 3) return null;
  const wanted = (u: SearchUnit): number => (u.plane === order[0] ? 4 : u.plane === order[1] ? 2 : 1);
  const allocation = ctx.units.map((u) => u.options.findIndex((o) => o.replicas === wanted(u)));
  if (allocation.some((i) => i < 0)) return null;
  return firstLegal(ctx, [allocation]);
}

/** PIMCOMP balance: repeatedly give the unit with the most windows per replica its next setting, while it fits. */
export function balanceStrategy(ctx: SearchContext): Evaluation | null {
  const a: Allocation = ctx.units.map(() => 0);
  const steps: Allocation[] = [a.slice()];
  for (;;) {
    let worst = -1;
    ctx.units.forEach((u, i) => {
      const load = u.pixels / u.options[a[i]].replicas;
      if (worst < 0 || load > ctx.units[worst].pixels / ctx.units[worst].options[a[worst]].replicas) worst = i;
    });
    if (a[worst] + 1 >= ctx.units[worst].options.length) break;
    a[worst]++;
    if (!fits(ctx, a)) break;
    steps.push(a.slice());
  }
  // The furthest step that is legal (link bandwidth, memories): balance backs off rather than aborting.
  return firstLegal(ctx, steps.reverse());
}

/** PIMCOMP W0H0: replicas in proportion to the output H x W (the largest plane gets k, the rest k x their share), the largest k that fits. */
export function w0h0Strategy(ctx: SearchContext): Evaluation | null {
  const largest = Math.max(...ctx.units.map((u) => u.pixels));
  const most = Math.max(...ctx.units.map((u) => u.options[u.options.length - 1].replicas));
  const candidates: Allocation[] = [];
  for (let k = most; k >= 1; k--) candidates.push(ctx.units.map((u) => atMost(u, Math.max(1, Math.floor((k * u.pixels) / largest)))));
  return firstLegal(ctx, candidates);
}

/** PIMCOMP uniform: the same replica count for every unit (or the most it can take below it). */
export function uniformStrategy(ctx: SearchContext): Evaluation | null {
  const most = Math.max(...ctx.units.map((u) => u.options[u.options.length - 1].replicas));
  const candidates: Allocation[] = [];
  for (let n = most; n >= 1; n--) candidates.push(ctx.units.map((u) => atMost(u, n)));
  return firstLegal(ctx, candidates);
}

/** The cheapest allocation whose every unit computes its plane in at most `interval` operations per image. */
function balancedFor(units: readonly SearchUnit[], interval: number): Allocation | null {
  const a: Allocation = [];
  for (const u of units) {
    const i = u.options.findIndex((o) => Math.ceil(u.pixels / o.replicas) <= interval);
    if (i < 0) return null;
    a.push(i);
  }
  return a;
}

/** Better for latency at no loss of throughput. */
function improves(next: Evaluation, current: Evaluation): boolean {
  return (
    next.illegal === null &&
    next.throughputImagesPerSecond >= current.throughputImagesPerSecond &&
    next.latencyTimesteps < current.latencyTimesteps
  );
}

/**
 * From a legal allocation, spend the budget on latency: each step tries, per output plane, the next setting for all of
 * its units, or for the longest run of them (network order) that still fits; it takes the move that saves the most
 * timesteps per core. A layer computes only as fast as its input arrives, so whole planes are the useful moves.
 */
function fillForLatency(ctx: SearchContext, start: Evaluation, pool: Evaluation[]): void {
  let current = start;
  const order = planes(ctx.units);
  for (;;) {
    let best: Evaluation | null = null;
    let bestScore = 0;
    for (const plane of order) {
      const members = ctx.units.map((u, i) => i).filter((i) => ctx.units[i].plane === plane && current.allocation[i] + 1 < ctx.units[i].options.length);
      if (members.length === 0) continue;
      const moves: Allocation[] = [];
      const whole = current.allocation.slice();
      for (const i of members) whole[i]++;
      moves.push(whole);
      const level = current.allocation.slice();
      for (const i of members) level[i] = sameCostTop(ctx.units[i], whole[i]);
      moves.push(level);
      if (!fits(ctx, whole)) {
        const prefix = current.allocation.slice();
        for (const i of members) {
          prefix[i]++;
          if (!fits(ctx, prefix)) {
            prefix[i]--;
            break;
          }
        }
        moves.push(prefix);
      }
      for (const move of moves) {
        if (!fits(ctx, move) || move.every((v, i) => v === current.allocation[i])) continue;
        const e = ctx.evaluate(move);
        if (!improves(e, current)) continue;
        const score = (current.latencyTimesteps - e.latencyTimesteps) / Math.max(1, e.cores - current.cores);
        if (score > bestScore) {
          best = e;
          bestScore = score;
        }
      }
    }
    if (best === null) return;
    pool.push(best);
    current = best;
  }
}

/** The optimizer's candidate pool at the budget: every baseline, every balanced allocation, and their latency fills. */
export function paretoPool(ctx: SearchContext): Evaluation[] {
  const baselines = [paperStrategy, balanceStrategy, w0h0Strategy, uniformStrategy]
    .map((s) => s(ctx))
    .filter((e): e is Evaluation => e !== null);
  const pool: Evaluation[] = [...baselines];
  const intervals = new Set<number>();
  for (const u of ctx.units) for (const o of u.options) intervals.add(Math.ceil(u.pixels / o.replicas));
  const seen = new Set<string>();
  for (const interval of [...intervals].sort((a, b) => a - b)) {
    const a = balancedFor(ctx.units, interval);
    if (a === null || !fits(ctx, a) || seen.has(a.join(','))) continue;
    seen.add(a.join(','));
    const e = ctx.evaluate(a);
    if (e.illegal !== null) continue;
    pool.push(e);
    fillForLatency(ctx, e, pool);
  }
  for (const e of baselines) fillForLatency(ctx, e, pool);
  if (pool.length > 0) polish(ctx, pool.reduce((a, b) => (ctx.better(b, a) ? b : a)), pool);
  return pool;
}

/**
 * The last cores: from the best allocation, single-unit steps (to its next setting, or the most replicas that cost the
 * same) while one fits the budget and improves the objective. The best step is taken each time.
 */
function polish(ctx: SearchContext, start: Evaluation, pool: Evaluation[]): void {
  let current = start;
  for (;;) {
    let best: Evaluation | null = null;
    for (const move of singleSteps(ctx, current.allocation)) {
      const e = ctx.evaluate(move);
      if (e.illegal === null && ctx.better(e, best ?? current)) best = e;
    }
    if (best === null) return;
    pool.push(best);
    current = best;
  }
}

/** Every allocation one unit step above `a` that fits the budget. */
export function singleSteps(ctx: SearchContext, a: Allocation): Allocation[] {
  const out: Allocation[] = [];
  ctx.units.forEach((u, i) => {
    const next = a[i] + 1;
    if (next >= u.options.length) return;
    for (const index of new Set([next, sameCostTop(u, next)])) {
      const step = a.slice();
      step[i] = index;
      if (fits(ctx, step)) out.push(step);
    }
  });
  return out;
}

export function runStrategy(name: StrategyName, ctx: SearchContext): Evaluation[] {
  switch (name) {
    case 'pareto':
      return paretoPool(ctx);
    case 'paper':
      return [paperStrategy(ctx)].filter((e): e is Evaluation => e !== null);
    case 'balance':
      return [balanceStrategy(ctx)].filter((e): e is Evaluation => e !== null);
    case 'w0h0':
      return [w0h0Strategy(ctx)].filter((e): e is Evaluation => e !== null);
    case 'uniform':
      return [uniformStrategy(ctx)].filter((e): e is Evaluation => e !== null);
  }
}
