// Analog section of npm run bench (issue 7): the cost of the crossbar models. Targets: the fast effective-conductance
// model of a 256x256 tile in under 50 ms (it is computed once per tile), the exact nodal solve of a 64x64 tile in
// under 2 s (factor + one solve), and one ResNet-32 image through `imcc analyze` (exact + analog run) in under 5 s
// of CPU time.
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { NodalCrossbar, effectiveConductance } from '../src/reference/analog/circuit.js';
import { analyzeAnalog } from '../src/reference/analog/analyze.js';
import { timed, type BenchRow } from './table.js';

function randomConductances(n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let k = 0; k < g.length; k++) g[k] = 0.01 + 0.99 * (((k * 2654435761) >>> 0) / 4294967296);
  return g;
}

function row(name: string, ms: number, targetMs: number): BenchRow {
  return { section: 'analog', name, value: `${ms.toFixed(0)} ms`, target: `< ${targetMs} ms`, status: ms < targetMs ? 'ok' : 'SLOW' };
}

export async function benchmarks(): Promise<BenchRow[]> {
  const r = { source: 0.0125, neuron: 0.0125, row: 2.5e-5, col: 2.5e-5 };
  const g256 = randomConductances(256);
  effectiveConductance(g256, 256, 256, r); // warm-up: let the JIT see the loops once
  const fast = timed(() => effectiveConductance(g256, 256, 256, r));
  const g64 = randomConductances(64);
  const nodal = timed(() => new NodalCrossbar(g64, 64, 64, r).currents(new Float64Array(64).fill(1)));
  const { design } = loadDesign('examples/resnet32.imc');
  if (!design) throw new Error('bench: examples/resnet32.imc does not load');
  const mapping = mapDesign(design);
  const cpu = process.cpuUsage();
  analyzeAnalog(design, mapping, { samples: 1, seed: 1 });
  const used = process.cpuUsage(cpu);
  return [
    row('fast model, 256x256 tile', fast.ms, 50),
    row('nodal solve, 64x64 tile', nodal.ms, 2000),
    row('analyze resnet32, 1 image (CPU)', (used.user + used.system) / 1000, 5000),
  ];
}
