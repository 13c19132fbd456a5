// The benchmark table shared by every bench section: one row per figure, aligned columns.
export interface BenchRow {
  section: string;
  name: string;
  /** Formatted value with unit, e.g. "412 ms". */
  value: string;
  /** Formatted target, e.g. "< 1000 ms", or "-". */
  target: string;
  /** "ok", "SLOW" (target missed) or "-" (no target). */
  status: string;
}

export function formatBenchTable(rows: BenchRow[]): string {
  const header: BenchRow = { section: 'section', name: 'benchmark', value: 'value', target: 'target', status: 'status' };
  const all = [header, ...rows];
  const keys = ['section', 'name', 'value', 'target', 'status'] as const;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<(typeof keys)[number], number>;
  const line = (r: BenchRow) =>
    keys.map((k) => (k === 'value' ? r[k].padStart(width[k]) : r[k].padEnd(width[k]))).join('  ').trimEnd();
  const rule = keys.map((k) => '-'.repeat(width[k])).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** Milliseconds of one call, and its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
