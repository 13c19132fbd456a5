// Accuracy section of npm run bench (issue 17 item 4): recomputes the README's table of the ReLU, threshold and
// integrate-and-fire digits networks under read noise (bench/_accuracyTable.ts, about 4 minutes of the built CLI on
// two cores) and checks it against the README, since a run that long does not belong in the test suite.
import { readFileSync } from 'node:fs';
import { accuracyTable } from './_accuracyTable.js';
import type { BenchRow } from './table.js';

/** The README's table: from its header line to the first line that is not a table row. */
export function readmeTable(readme: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| digits network |'));
  if (start < 0) return '';
  let end = start;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  return lines.slice(start, end).join('\n');
}

export async function benchmarks(): Promise<BenchRow[]> {
  const started = performance.now();
  const table = accuracyTable();
  const seconds = (performance.now() - started) / 1000;
  const same = table === readmeTable(readFileSync('README.md', 'utf8'));
  if (!same) process.stderr.write(`bench accuracy: the README's table differs from the recomputed one:\n${table}\n`);
  return [
    {
      section: 'accuracy',
      name: 'README table: digits ReLU / threshold / IF top-1 under read noise, 1R and 2R (npm run accuracy-table)',
      value: `${seconds.toFixed(0)} s`,
      target: 'README figures',
      status: same ? 'ok' : 'DIFFERS',
    },
  ];
}
