// Import section of npm run bench: `imcc import` of the committed digits CNN (models/digits, into a scratch
// directory) and `imcc evaluate` of the imported design on the 350 test images (run from the sources, so in one
// thread; the compiled CLI spreads the images over worker threads); then torchvision's ResNet-18 (seeded weights,
// test/import/resnet18.ts, 3x64x64, 2 calibration images): import (target < 2 s), map + simulate (target < 1 s)
// and reference images/s.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importModel } from '../src/import/index.js';
import { evaluateDesign } from '../src/import/evaluate.js';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { simulateDataflow } from '../src/dataflow/index.js';
import { compileReference, runReference } from '../src/reference/index.js';
import { generateInputImage } from '../src/ir/weights.js';
import { formatNpy } from '../src/support/npy.js';
import { resnet18Onnx } from '../test/import/resnet18.js';
import { timed, type BenchRow } from './table.js';

const IMPORT_TARGET_MS = 2000;
const MAP_SIMULATE_TARGET_MS = 1000;

function status(ms: number, target: number): string {
  return ms < target ? 'ok' : 'SLOW';
}

async function resnet18(dir: string): Promise<BenchRow[]> {
  writeFileSync(join(dir, 'targets', 'big.imc'), readFileSync('examples/targets/dazzi2021.imc', 'utf8').replace('target dazzi2021', 'target big').replace('grid 8x8', 'grid 16x16').replace('depth 512', 'depth 65536'));
  writeFileSync(join(dir, 'resnet18.onnx'), resnet18Onnx());
  const size = 3 * 64 * 64;
  writeFileSync(join(dir, 'calib.npy'), formatNpy({ dtype: 'f4', shape: [2, 3, 64, 64], data: Float64Array.from({ length: 2 * size }, (_, i) => ((i * 2654435761) % 1000) / 1000) }));
  const cpu = process.cpuUsage();
  const imported = timed(() => importModel({ model: join(dir, 'resnet18.onnx'), target: join(dir, 'targets', 'big.imc'), output: join(dir, 'resnet18.imc'), calibrate: join(dir, 'calib.npy') }));
  const used = process.cpuUsage(cpu);
  const importCpuMs = (used.user + used.system) / 1000;
  const { design } = loadDesign(join(dir, 'resnet18.imc'));
  const mapped = timed(() => {
    const mapping = mapDesign(design!);
    simulateDataflow(design!, mapping, { batch: 1 });
    return mapping;
  });
  const compiled = compileReference(design!, mapped.value);
  const image = generateInputImage(1, { channels: 3, height: 64, width: 64 }, 8);
  runReference(compiled, image);
  const images = 3;
  const run = timed(() => {
    for (let i = 0; i < images; i++) runReference(compiled, image);
  });
  return [
    // The target is the user's wait (wall time, on an idle machine); CPU time, summed over V8's compiler and GC threads
    // as well, is shown beside it because on a loaded machine the wall time mostly measures the load.
    { section: 'import', name: 'ResNet-18 import (2 calibration images), wall time', value: `${imported.ms.toFixed(0)} ms (CPU ${importCpuMs.toFixed(0)} ms)`, target: `< ${IMPORT_TARGET_MS} ms`, status: status(imported.ms, IMPORT_TARGET_MS) },
    { section: 'import', name: 'ResNet-18 map + simulate (195 cores)', value: `${mapped.ms.toFixed(0)} ms`, target: `< ${MAP_SIMULATE_TARGET_MS} ms`, status: status(mapped.ms, MAP_SIMULATE_TARGET_MS) },
    { section: 'import', name: 'ResNet-18 reference model', value: `${(images / (run.ms / 1000)).toFixed(2)} images/s`, target: '-', status: '-' },
  ];
}

export async function benchmarks(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-import-'));
  mkdirSync(join(dir, 'targets'));
  copyFileSync('examples/targets/digits-tile.imc', join(dir, 'targets', 'digits-tile.imc'));
  const started = performance.now();
  importModel({ model: 'models/digits/model.onnx', target: join(dir, 'targets', 'digits-tile.imc'), output: join(dir, 'digits.imc'), calibrate: 'models/digits/calib_x.npy' });
  const importMs = performance.now() - started;
  const evalStart = performance.now();
  const result = await evaluateDesign(join(dir, 'digits.imc'), 'models/digits/test_x.npy', 'models/digits/test_y.npy', undefined);
  const evalSeconds = (performance.now() - evalStart) / 1000;
  const large = await resnet18(dir);
  rmSync(dir, { recursive: true, force: true });
  return [
    { section: 'import', name: 'digits CNN import (150 calibration images)', value: `${importMs.toFixed(0)} ms`, target: `< ${IMPORT_TARGET_MS} ms`, status: status(importMs, IMPORT_TARGET_MS) },
    { section: 'import', name: `digits evaluate, integer reference (${result.images} images, one thread)`, value: `${(result.images / evalSeconds).toFixed(0)} images/s`, target: '-', status: '-' },
    ...large,
  ];
}
