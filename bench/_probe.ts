import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { planMemories } from '../src/memory/index.js';
import { simulateDataflow } from '../src/dataflow/index.js';
import { longNetworkSource, squareInputSource } from './_networks.js';
const kind = process.argv[2];
const n = Number(process.argv[3]);
const src = kind === 'long' ? longNetworkSource(n) : squareInputSource(n);
let t = performance.now();
const r = loadDesign('x.imc', () => src);
console.log('load', (performance.now()-t).toFixed(0), r.diagnostics.slice(0,3).map(d=>d.message));
t = performance.now();
const m = mapDesign(r.design!);
console.log('map', (performance.now()-t).toFixed(0));
t = performance.now();
planMemories(r.design!, m);
console.log('plan', (performance.now()-t).toFixed(0));
if (kind !== 'long') { t = performance.now(); const s = simulateDataflow(r.design!, m, { batch: 1, granularity: 'pixel', activity: false }); console.log('sim', (performance.now()-t).toFixed(0), s.latencyTimesteps, process.memoryUsage().rss/1e6); }
