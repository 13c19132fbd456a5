// Size section of npm run bench (issue 20): time and peak memory against the number of layers (map + memory plan
// of a chain of fc layers) and against the input size (dataflow simulation of one image through a 3x3 conv), each
// case in its own process, with the fitted growth exponent (time ~ size^k between the smallest and largest case).
// Targets: 10,000 layers map + plan < 5 s; a 4096x4096 input simulated in < 10 s and < 2 GB.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './table.js';

const CASE = fileURLToPath(new URL('./_sizeCase.ts', import.meta.url));

type SizeCase = { ms: number; cpuMs: number; peakMB: number };

function runCase(kind: 'layers' | 'square', size: number): SizeCase {
  const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', CASE, kind, String(size)], { encoding: 'utf8' });
  return JSON.parse(out) as SizeCase;
}

/** k in time ~ size^k, from the first and last case. */
function growth(sizes: number[], ms: number[]): string {
  const k = Math.log(ms[ms.length - 1] / ms[0]) / Math.log(sizes[sizes.length - 1] / sizes[0]);
  return `size^${k.toFixed(2)}`;
}

export async function benchmarks(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'hardening', name, value, target, status });

  const layerCounts = [100, 1_000, 10_000];
  const layerRuns = layerCounts.map((n) => runCase('layers', n));
  layerCounts.forEach((n, i) => {
    const r = layerRuns[i];
    const target = n === 10_000 ? '< 5000 ms' : '-';
    const status = n === 10_000 ? (r.ms < 5000 ? 'ok' : 'SLOW') : '-';
    rows.push(row(`${n} layers: map + memory plan`, `${r.ms.toFixed(0)} ms (${r.cpuMs.toFixed(0)} ms CPU)`, target, status));
    rows.push(row(`${n} layers: peak memory`, `${r.peakMB.toFixed(0)} MB`));
  });
  rows.push(row('layers: fitted growth of map + plan', growth(layerCounts, layerRuns.map((r) => r.ms)), 'size^1'));

  const sides = [256, 1024, 4096];
  const squareRuns = sides.map((s) => runCase('square', s));
  sides.forEach((s, i) => {
    const r = squareRuns[i];
    const last = s === 4096;
    rows.push(row(`${s}x${s} input: simulate 1 image`, `${r.ms.toFixed(0)} ms (${r.cpuMs.toFixed(0)} ms CPU)`, last ? '< 10000 ms' : '-', last ? (r.ms < 10_000 ? 'ok' : 'SLOW') : '-'));
    rows.push(row(`${s}x${s} input: peak memory`, `${r.peakMB.toFixed(0)} MB`, last ? '< 2048 MB' : '-', last ? (r.peakMB < 2048 ? 'ok' : 'SLOW') : '-'));
  });
  rows.push(row('input: fitted growth of simulate (in pixels)', growth(sides.map((s) => s * s), squareRuns.map((r) => r.ms)), 'size^1'));
  return rows;
}
