// Language section of npm run bench: load and check examples/resnet32.imc (lex, parse, elaborate 114 layers) and
// format it. Targets: a warm load under 50 ms; the first load (which pays the parser's one-time grammar analysis)
// under 1 s.
import { readFileSync } from 'node:fs';
import { loadDesign } from '../src/ir/load.js';
import { formatText } from '../src/dsl/fmt-file.js';
import { timed, type BenchRow } from './table.js';

const FILE = 'examples/resnet32.imc';
const WARM_TARGET_MS = 50;
const COLD_TARGET_MS = 1000;
const RUNS = 20;

export async function benchmarks(): Promise<BenchRow[]> {
  const cold = timed(() => loadDesign(FILE));
  if (cold.value.design === null) throw new Error(`bench: ${FILE} does not load`);
  const warm = timed(() => {
    for (let i = 0; i < RUNS; i++) loadDesign(FILE);
  });
  const text = readFileSync(FILE, 'utf8');
  const fmt = timed(() => {
    for (let i = 0; i < RUNS; i++) formatText(text, FILE);
  });
  const warmMs = warm.ms / RUNS;
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'language', name, value, target, status });
  return [
    row('resnet32 loadDesign, first call', `${cold.ms.toFixed(0)} ms`, `< ${COLD_TARGET_MS} ms`, cold.ms < COLD_TARGET_MS ? 'ok' : 'SLOW'),
    row('resnet32 loadDesign, warm', `${warmMs.toFixed(1)} ms`, `< ${WARM_TARGET_MS} ms`, warmMs < WARM_TARGET_MS ? 'ok' : 'SLOW'),
    row('resnet32 fmt (parse, print, re-parse)', `${(fmt.ms / RUNS).toFixed(1)} ms`),
  ];
}
