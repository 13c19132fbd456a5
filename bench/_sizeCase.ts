// One size benchmark case, run in its own process by bench/hardening.ts so its peak memory (maxRSS) is its own.
// Usage: node --import tsx bench/_sizeCase.ts KIND N; prints {"ms": ..., "cpuMs": ..., "peakMB": ...}. Kinds:
//   layers N     map + memory plan of a chain of N fc layers
//   square N     dataflow simulation of one image of a 1xNxN input through a 3x3 conv
//   plan N       map + memory plan of that network
//   schedule N   map + memory plan + every schedule's .sched text streamed (counted, not written: no disk in the figure)
//   compile N    the whole compile (compileDesign) written to a temporary output directory, then removed
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { coreStreamedSchedule, planMemories } from '../src/memory/index.js';
import { simulateDataflow } from '../src/dataflow/index.js';
import { streamScheduleText } from '../src/memory/scheduleFile.js';
import { compileDesign } from '../src/pipeline/compile.js';
import { writeOutputDirectory } from '../src/emit/output.js';
import { longNetworkSource, squareInputSource } from './_networks.js';

const [kind, size] = [process.argv[2], Number(process.argv[3])];
const source = kind === 'layers' ? longNetworkSource(size) : squareInputSource(size);
const file = `${kind}-${size}.imc`;
const design = loadDesign(file, () => source).design;
if (design === null) throw new Error(`bench: the generated ${kind} ${size} network does not check`);
const start = performance.now();
const cpuStart = process.cpuUsage();
let bytes = 0;
if (kind === 'compile') {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-compile-'));
  try {
    writeOutputDirectory(join(dir, 'out'), compileDesign({ design, sources: new Map([[file, source]]), version: 'bench' }).files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const mapping = mapDesign(design);
  // Layers: what the issue measures (map + memory plan). Square inputs: the dataflow simulation of one image.
  if (kind === 'square') simulateDataflow(design, mapping, { batch: 1, granularity: 'pixel' });
  else {
    const plan = planMemories(design, mapping);
    if (kind === 'schedule') for (const c of plan.cores) streamScheduleText(coreStreamedSchedule(plan, c.core), (chunk) => (bytes += chunk.length));
  }
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
// CPU time beside wall time: on a loaded machine the wall figure measures the other processes too.
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024, bytes }) + '\n');
