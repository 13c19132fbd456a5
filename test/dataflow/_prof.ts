import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow } from '../../src/dataflow/simulate.js';
const { design } = loadDesign('examples/resnet32.imc');
const m = mapDesign(design!);
for (let i = 0; i < 3; i++) { const t = performance.now(); simulateDataflow(design!, m, { batch: 1 }); console.log('sim1', performance.now() - t); }
const t = performance.now(); simulateDataflow(design!, m, { batch: 100 }); console.log('sim100', performance.now() - t);
