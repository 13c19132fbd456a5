// Size section of npm run bench (issue 20): time and peak memory against the number of layers (map + memory plan
// of a chain of fc layers) and against the input size (dataflow simulation of one image through a 3x3 conv), each
// case in its own process, with the fitted growth exponent (time ~ size^k between the smallest and largest case).
// Targets: 10,000 layers map + plan < 5 s; a 4096x4096 input simulated in < 10 s and < 2 GB. Compile (issue 20 item 2):
// the memory plan, the streamed schedules and the whole compile against the input size, each under 2 GB at its peak
// (an 8192x8192 compile under 4 GB).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './table.js';

const CASE = fileURLToPath(new URL('./_sizeCase.ts', import.meta.url));

type SizeCase = { ms: number; cpuMs: number; peakMB: number; bytes: number };
type SizeKind = 'layers' | 'square' | 'plan' | 'schedule' | 'compile';

function runCase(kind: SizeKind, size: number): SizeCase {
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

  // Compile's parts that grow with the pixels, up to what fits a bench run: planning to 8192x8192 (about 16 s of
  // CPU), the schedule text to 4096x4096 (185 million lines, about 75 s; 8192x8192 would be 740 million, about 5
  // minutes), the whole compile to 8192x8192 (its report simulates batches of up to 100 images; schedules skipped by
// IMC192 from 4096x4096 on).
  const sized = (kind: SizeKind, label: string, list: number[], boundMB: (side: number) => number = () => 2048): void => {
    const runs = list.map((s) => runCase(kind, s));
    list.forEach((s, i) => {
      const r = runs[i];
      const text = r.bytes > 0 ? `, ${(r.bytes / 1e6).toFixed(0)} MB of text` : '';
      rows.push(row(`${s}x${s} input: ${label}`, `${r.ms.toFixed(0)} ms (${r.cpuMs.toFixed(0)} ms CPU${text})`));
      const bound = boundMB(s);
      rows.push(row(`${s}x${s} input: ${label}, peak memory`, `${r.peakMB.toFixed(0)} MB`, `< ${bound} MB`, r.peakMB < bound ? 'ok' : 'SLOW'));
    });
    rows.push(row(`input: fitted growth of ${label} (in pixels, CPU)`, growth(list.map((s) => s * s), runs.map((r) => r.cpuMs)), 'size^1'));
  };
  sized('plan', 'map + memory plan', [256, 1024, 4096, 8192]);
  sized('schedule', 'plan + schedules streamed', [256, 1024, 4096]);
  // 8192x8192 compiles within 4 GB (docs/hardening.md: the simulator's per-pixel arrays); it takes about 6 minutes.
  sized('compile', 'whole compile', [256, 1024, 4096, 8192], (side) => (side > 4096 ? 4096 : 2048));
  return rows;
}
