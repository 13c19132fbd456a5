// Import section of npm run bench: `imcc import` of the committed digits CNN (models/digits, into a scratch
// directory; the target for a model is under 2 s) and `imcc evaluate` of the imported design on the 350 test
// images (run from the sources, so in one thread; the compiled CLI spreads the images over worker threads).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importModel } from '../src/import/index.js';
import { evaluateDesign } from '../src/import/evaluate.js';
import type { BenchRow } from './table.js';

const IMPORT_TARGET_MS = 2000;

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
  rmSync(dir, { recursive: true, force: true });
  return [
    { section: 'import', name: 'digits CNN import (150 calibration images)', value: `${importMs.toFixed(0)} ms`, target: `< ${IMPORT_TARGET_MS} ms`, status: importMs < IMPORT_TARGET_MS ? 'ok' : 'SLOW' },
    { section: 'import', name: `digits evaluate, integer reference (${result.images} images, one thread)`, value: `${(result.images / evalSeconds).toFixed(0)} images/s`, target: '-', status: '-' },
  ];
}
