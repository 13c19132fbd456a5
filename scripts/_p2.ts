import { loadDesign } from '../src/ir/load.js';
import { createProgram } from '../src/pipeline/program.js';
import { emitRtl } from '../src/emit/rtl/index.js';
const l = loadDesign(process.argv[2]);
if (!l.design) { console.log(l.diagnostics); process.exit(1); }
const p = createProgram(l.design);
console.log(p.mapping.layers.map((x) => [x.layer, x.fused.join(','), x.output, x.cores.join(',')].join(' ')));
try { console.log(emitRtl(p).length); } catch (e) { console.log((e as any).diagnostics?.[0]?.message ?? e); }
