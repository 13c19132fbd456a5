// The text report of imcc optimize: the Pareto front as a table with the chosen point marked, and the chosen
// replication per weight layer.
import { alignTable, groupDigits } from '../dataflow/index.js';
import { renderTemplate } from '../support/templates.js';
import type { FrontPoint, OptimizeResult } from './optimize.js';

const same = (a: FrontPoint, b: FrontPoint): boolean =>
  a.cores === b.cores && a.throughputImagesPerSecond === b.throughputImagesPerSecond && a.latencyTimesteps === b.latencyTimesteps;

export function formatOptimizeReport(result: OptimizeResult, title: string): string {
  const frontRows = alignTable(
    ['', 'cores', 'images/s', 'latency (timesteps)', 'worst link (Gbit/s)'],
    result.front.map((p) => [
      same(p, result.chosen) ? '*' : '',
      String(p.cores),
      groupDigits(p.throughputImagesPerSecond),
      groupDigits(p.latencyTimesteps),
      p.maxLinkGbps.toFixed(2),
    ]),
  );
  const layers = [...result.chosen.layers];
  const layerRows = alignTable(
    ['layer', 'replicas', 'method', 'dW'],
    layers.map(([name, c]) => [name, String(c.replicas), String(c.dW > 1 ? 2 : 1), String(c.dW)]),
  );
  const t = result.design.target;
  return renderTemplate('optimize/report.txt.hbs', {
    title,
    strategy: result.strategy,
    objective: result.objective,
    budget: result.budget,
    gridCores: t.grid.rows * t.grid.cols,
    minimalCores: result.minimalCores,
    batch: result.batch,
    ignoreBandwidth: result.ignoreBandwidth,
    ragged: result.ragged,
    byBlock: result.granularity === 'block',
    rtlLatency: groupDigits(result.chosen.rtl.latencyTimesteps),
    rtlThroughput: groupDigits(result.chosen.rtl.throughputImagesPerSecond),
    targetGbps: String(t.link.bandwidthGbps),
    evaluations: result.evaluations,
    frontRows,
    changed: layers.filter(([, c]) => c.replicas > 1).length,
    layerCount: layers.length,
    layerRows,
  });
}
