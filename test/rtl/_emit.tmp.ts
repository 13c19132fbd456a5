import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const file = process.argv[2] ?? 'examples/lenet.imc';
const out = process.argv[3] ?? '/tmp/lenet';
const r = loadDesign(file);
if (!r.design) { console.error(r.diagnostics); process.exit(1); }
const mapping = mapDesign(r.design);
const plan = planMemories(r.design, mapping);
for (const c of mapping.cores) console.log(c.id, c.layer, c.role, JSON.stringify(c.part), plan.cores.find(p=>p.core===c.id)?.layout);
const files = emitRtl(r.design, mapping, plan);
for (const f of files) { mkdirSync(dirname(join(out, f.path)), { recursive: true }); writeFileSync(join(out, f.path), f.content); }
console.log(files.map(f=>f.path).join('\n'));
