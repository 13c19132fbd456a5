// Memory section of npm run bench: plan the input memories of ResNet-32 and build and render every core's schedule
// (what `imcc schedule` / `imcc compile` pay). Target: all 43 schedules in under 2 s.
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { coreSchedule, planMemories } from '../src/memory/index.js';
import { renderSchedule } from '../src/memory/scheduleFile.js';
import { timed, type BenchRow } from './table.js';

const FILE = 'examples/resnet32.imc';
const TARGET_MS = 2000;

export async function benchmarks(): Promise<BenchRow[]> {
  const design = loadDesign(FILE).design;
  if (design === null) throw new Error(`bench: ${FILE} does not load`);
  const mapping = mapDesign(design);
  const plan = timed(() => planMemories(design, mapping));
  const schedules = timed(() => plan.value.cores.map((c) => coreSchedule(plan.value, c.core)));
  const text = timed(() => schedules.value.map(renderSchedule));
  const lines = text.value.reduce((n, t) => n + t.split('\n').length - 1, 0);
  const total = plan.ms + schedules.ms + text.ms;
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'memory', name, value, target, status });
  return [
    row('resnet32 planMemories', `${plan.ms.toFixed(0)} ms`),
    row(`resnet32 build ${schedules.value.length} schedules`, `${schedules.ms.toFixed(0)} ms`),
    row(`resnet32 render .sched (${lines} lines)`, `${text.ms.toFixed(0)} ms`),
    row('resnet32 plan + schedules + text', `${total.toFixed(0)} ms`, `< ${TARGET_MS} ms`, total < TARGET_MS ? 'ok' : 'SLOW'),
  ];
}
