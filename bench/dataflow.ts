// Dataflow section of npm run bench: time to parse, map and simulate ResNet-32 (target: under 1 s in total), cold
// (first run in this process, what one `imcc simulate` pays) and warm (median of 5 further runs).
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { simulateDataflow } from '../src/dataflow/index.js';
import { median, timed, type BenchRow } from './table.js';

const FILE = 'examples/resnet32.imc';
const TARGET_MS = 1000;

function once(batch: number): { parse: number; map: number; simulate: number } {
  const parse = timed(() => loadDesign(FILE));
  const design = parse.value.design;
  if (design === null) throw new Error(`bench: ${FILE} does not load: ${parse.value.diagnostics.map((d) => d.message).join('; ')}`);
  const map = timed(() => mapDesign(design));
  const simulate = timed(() => simulateDataflow(design, map.value, { batch }));
  return { parse: parse.ms, map: map.ms, simulate: simulate.ms };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

export async function benchmarks(): Promise<BenchRow[]> {
  const cold = once(1);
  const warm = Array.from({ length: 5 }, () => once(1));
  const total = (r: { parse: number; map: number; simulate: number }) => r.parse + r.map + r.simulate;
  const batch = timed(() => once(100));
  const row = (name: string, value: number, target?: number): BenchRow => ({
    section: 'dataflow',
    name,
    value: ms(value),
    target: target === undefined ? '-' : `< ${target} ms`,
    status: target === undefined ? '-' : value < target ? 'ok' : 'SLOW',
  });
  return [
    row('resnet32 parse (cold)', cold.parse),
    row('resnet32 map (cold)', cold.map),
    row('resnet32 simulate, batch 1 (cold)', cold.simulate),
    row('resnet32 parse + map + simulate (cold)', total(cold), TARGET_MS),
    row('resnet32 parse + map + simulate (warm, median of 5)', median(warm.map(total)), TARGET_MS),
    row('resnet32 parse + map + simulate, batch 100', batch.ms),
  ];
}
