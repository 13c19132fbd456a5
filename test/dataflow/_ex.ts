import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow } from '../../src/dataflow/simulate.js';
for (const f of ['examples/resnet32.imc', 'examples/resnet32-speedup.imc', 'examples/lenet.imc']) {
  const t0 = performance.now();
  const { design, diagnostics } = loadDesign(f);
  if (!design) { console.log(f, diagnostics); continue; }
  const t1 = performance.now();
  const m = mapDesign(design);
  const t2 = performance.now();
  const r = simulateDataflow(design, m, { batch: 1 });
  const t3 = performance.now();
  const r100 = simulateDataflow(design, m, { batch: 100 });
  console.log(f, m.cores.length, 'lat', r.latencyTimesteps, 'II', r.intervalTimesteps, 'thr100', r100.throughputImagesPerSecond.toFixed(0), 'gbps', r.linkBandwidthGbps, 'parse', (t1-t0).toFixed(0), 'map', (t2-t1).toFixed(0), 'sim', (t3-t2).toFixed(0));
  console.log(r.diagnostics.map(d => d.span.file + ':' + d.span.line + ' ' + d.message));
}
