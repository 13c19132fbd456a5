import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import * as fsmod from "node:fs";
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { importModel } from '../dist/import/index.js';
import { formatNpy } from '../dist/support/npy.js';
import { resnet18Onnx } from '../test/import/resnet18.js';
process.chdir('/work/wt-6');
const dir = mkdtempSync(join(tmpdir(), 'h6-prof-'));
mkdirSync(join(dir, 'targets'));
writeFileSync(join(dir, 'targets', 'big.imc'), readFileSync('examples/targets/dazzi2021.imc', 'utf8').replace('target dazzi2021', 'target big').replace('grid 8x8', 'grid 16x16').replace('depth 512', 'depth 65536'));
writeFileSync(join(dir, 'resnet18.onnx'), resnet18Onnx());
const size = 3 * 64 * 64;
writeFileSync(join(dir, 'calib.npy'), formatNpy({ dtype: 'f4', shape: [2, 3, 64, 64], data: Float64Array.from({ length: 2 * size }, (_, i) => ((i * 2654435761) % 1000) / 1000) }));
const runs = Number(process.env.RUNS ?? 1);
for (let r = 0; r < runs; r++) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  importModel({ model: join(dir, 'resnet18.onnx'), target: join(dir, 'targets', 'big.imc'), output: join(dir, 'resnet18.imc'), calibrate: join(dir, 'calib.npy') });
  const used = process.cpuUsage(cpu);
  console.log(`cpu ${((used.user + used.system) / 1000).toFixed(0)} ms (user ${(used.user/1000).toFixed(0)} sys ${(used.system/1000).toFixed(0)}) wall ${(performance.now() - t).toFixed(0)} ms`);
}
const h = createHash('sha256');
for (const f of ['resnet18.imc', ...require_list(dir)]) h.update(readFileSync(join(dir, f)));
console.log('hash', h.digest('hex'));
function require_list(d: string) { return (await_ls(d)).filter((f) => f.startsWith('resnet18') && f !== 'resnet18.imc' && f !== 'resnet18.onnx'); }
function await_ls(d: string) { return fsmod.readdirSync(d).sort(); }
