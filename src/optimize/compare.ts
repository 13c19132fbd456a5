// Strategies side by side (docs/optimize.md's table, made by `npm run bench` and checked by a test): every strategy at
// every budget in one search session, so all of them are measured with the same model of time.
import { groupDigits } from '../dataflow/index.js';
import type { IrDesign } from '../ir/types.js';
import { createSearcher, type FrontPoint, type Objective } from './optimize.js';
import { STRATEGIES, type StrategyName } from './strategies.js';

export interface ComparisonCell extends FrontPoint {
  strategy: StrategyName;
  budget: number;
}

export interface Comparison {
  budgets: number[];
  ignoreBandwidth: boolean;
  /** Per strategy and budget the chosen point, or null when the strategy has no legal mapping there. */
  cells: Map<StrategyName, Array<ComparisonCell | null>>;
}

export function compareStrategies(
  design: IrDesign,
  o: { budgets: number[]; ignoreBandwidth: boolean; batch: number; objective: Objective; ragged?: boolean; strategies?: readonly StrategyName[] },
): Comparison {
  const searcher = createSearcher(design, o);
  const cells = new Map<StrategyName, Array<ComparisonCell | null>>();
  for (const strategy of o.strategies ?? STRATEGIES) {
    cells.set(
      strategy,
      o.budgets.map((budget) => {
        if (budget < searcher.minimalCores) return null;
        const { best } = searcher.run(strategy, budget);
        if (best === null) return null;
        return {
          strategy,
          budget,
          cores: best.cores,
          throughputImagesPerSecond: best.throughputImagesPerSecond,
          latencyTimesteps: best.latencyTimesteps,
          maxLinkGbps: best.maxLinkGbps,
        };
      }),
    );
  }
  return { budgets: o.budgets, ignoreBandwidth: o.ignoreBandwidth, cells };
}

/** Markdown: a row per strategy, a column per budget; each cell images/s, latency in timesteps and cores used. */
export function formatComparison(c: Comparison, rowName: (strategy: StrategyName) => string = (s) => s, firstColumn = 'strategy'): string {
  const header = `| ${firstColumn} | ${c.budgets.map((b) => `${b} cores`).join(' | ')} |`;
  const rule = `|---|${c.budgets.map(() => '---|').join('')}`;
  const rows = [...c.cells].map(
    ([strategy, cells]) =>
      `| ${rowName(strategy)} | ${cells
        .map((p) => (p === null ? '–' : `${groupDigits(p.throughputImagesPerSecond)}/s, ${groupDigits(p.latencyTimesteps)} ts, ${p.cores} c`))
        .join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n') + '\n';
}
