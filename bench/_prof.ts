import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { compileReference, runReference } from '../src/reference/index.js';
import { generateInputImage } from '../src/ir/weights.js';
for (const f of ['examples/resnet32.imc', 'examples/resnet32-speedup.imc']) {
  const { design, diagnostics } = loadDesign(f);
  if (!design) { console.log(diagnostics); process.exit(1); }
  const ref = compileReference(design, mapDesign(design));
  const shape = design.network.nodes[0].shape;
  for (let i = 0; i < 3; i++) runReference(ref, generateInputImage(i, shape, 8));
  const t = performance.now();
  let out;
  for (let i = 0; i < 10; i++) out = runReference(ref, generateInputImage(i, shape, 8)).output;
  console.log(f, 'per image ms', (performance.now() - t) / 10, Array.from(out!).join(' '));
}
