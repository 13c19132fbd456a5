// One size benchmark case, run in its own process by bench/hardening.ts so its peak memory (maxRSS) is its own.
// Usage: node --import tsx bench/_sizeCase.ts layers N | square SIDE; prints {"ms": ..., "cpuMs": ..., "peakMB": ...}.
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { planMemories } from '../src/memory/index.js';
import { simulateDataflow } from '../src/dataflow/index.js';
import { longNetworkSource, squareInputSource } from './_networks.js';

const [kind, size] = [process.argv[2], Number(process.argv[3])];
const source = kind === 'layers' ? longNetworkSource(size) : squareInputSource(size);
const design = loadDesign(`${kind}-${size}.imc`, () => source).design;
if (design === null) throw new Error(`bench: the generated ${kind} ${size} network does not check`);
const start = performance.now();
const cpuStart = process.cpuUsage();
const mapping = mapDesign(design);
// Layers: what the issue measures (map + memory plan). Square inputs: the dataflow simulation of one image.
if (kind === 'layers') planMemories(design, mapping);
else simulateDataflow(design, mapping, { batch: 1, granularity: 'pixel' });
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
// CPU time beside wall time: on a loaded machine the wall figure measures the other processes too.
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
