// Optimize section of npm run bench: search time of the replication optimizer (targets: under 2 s for ResNet-32,
// under 10 s for a ResNet-18-sized network), and the strategy x budget comparison of docs/optimize.md, printed by
// `node --import tsx bench/optimize.ts --table` (test/optimize/docs.test.ts checks the docs hold this output).
import { loadDesign } from '../src/ir/load.js';
import type { IrDesign } from '../src/ir/types.js';
import { compareStrategies, formatComparison, optimizeDesign } from '../src/optimize/index.js';
import { timed, type BenchRow } from './table.js';

/** Wall and CPU milliseconds of one call (this process: user + system), and its result. */
function timedCpu<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const { ms, value } = timed(fn);
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

export const TABLE_BUDGETS = [43, 46, 52, 56, 60, 64];

function load(file: string): IrDesign {
  const r = loadDesign(file);
  if (r.design === null) throw new Error(`bench: ${file} does not load: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.design;
}

/** docs/optimize.md's two tables: with the bandwidth rule lifted (as the paper), and respecting it. */
export function comparisonTables(): { ignoringBandwidth: string; withinBandwidth: string } {
  const design = load('examples/resnet32.imc');
  const table = (ignoreBandwidth: boolean) =>
    formatComparison(compareStrategies(design, { budgets: TABLE_BUDGETS, ignoreBandwidth, batch: 100, objective: 'throughput' }));
  return { ignoringBandwidth: table(true), withinBandwidth: table(false) };
}

/**
 * docs/optimize.md's ragged-block table: the optimizer (pareto) when it may also use ragged method-2 blocks
 * (--ragged), with the bandwidth rule lifted and respected.
 */
export function raggedTable(): string {
  const design = load('examples/resnet32.imc');
  const row = (ignoreBandwidth: boolean) =>
    formatComparison(
      compareStrategies(design, { budgets: TABLE_BUDGETS, ignoreBandwidth, batch: 100, objective: 'throughput', ragged: true, strategies: ['pareto'] }),
      () => `pareto --ragged, ${ignoreBandwidth ? '--ignore-bandwidth' : 'within bandwidth'}`,
      'search',
    );
  const [header, rule, first] = row(true).split('\n');
  const second = row(false).split('\n')[2];
  return [header, rule, first, second].join('\n') + '\n';
}

export async function benchmarks(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // The target is on CPU time (wall time beside it): on a loaded machine the wall figure measures the other processes too.
  const row = (name: string, run: { ms: number; cpuMs: number }, target: number): BenchRow => ({
    section: 'optimize',
    name,
    value: `${run.cpuMs.toFixed(0)} ms CPU (${run.ms.toFixed(0)} ms wall)`,
    target: `< ${target} ms CPU`,
    status: run.cpuMs < target ? 'ok' : 'SLOW',
  });
  for (const [name, file, target] of [
    ['resnet32', 'examples/resnet32.imc', 2000],
    ['resnet18-sized', 'bench/resnet18.imc', 10_000],
  ] as const) {
    const design = load(file);
    const run = timedCpu(() => optimizeDesign(design, { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: true, batch: 100 }));
    rows.push(row(`${name} optimize, whole grid, --ignore-bandwidth (${run.value.evaluations} mappings)`, run, target));
    const bw = timedCpu(() => optimizeDesign(design, { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: false, batch: 100 }));
    rows.push(row(`${name} optimize, whole grid, within bandwidth (${bw.value.evaluations} mappings)`, bw, target));
  }
  return rows;
}

if (process.argv.includes('--table')) {
  const t = comparisonTables();
  process.stdout.write(`ignoring link bandwidth:\n\n${t.ignoringBandwidth}\nwithin link bandwidth:\n\n${t.withinBandwidth}`);
  process.stdout.write(`\nwith ragged blocks:\n\n${raggedTable()}`);
}
