// Evaluate section of npm run bench (issue 17 item 3): `imcc evaluate --analog` on the digits network over 400
// images (the 350 test images, then the first 50 again) with read noise and programming error, one programming
// sample, as a whole process of the built CLI (worker threads, one per core). Target: under 30 s wall.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNpy, parseNpy } from '../src/support/npy.js';
import type { BenchRow } from './table.js';

const IMAGES = 400;
const DEVICE = 'device { read_noise 5% independent; programming_error 2% independent }';

/** The first `count` entries of an .npy array along its first axis, wrapping around. */
function firstWrapped(file: string, count: number): Uint8Array {
  const a = parseNpy(readFileSync(file));
  const size = a.data.length / a.shape[0];
  const data = new Float64Array(count * size);
  for (let k = 0; k < count; k++) data.set(a.data.subarray((k % a.shape[0]) * size, (k % a.shape[0] + 1) * size), k * size);
  return formatNpy({ dtype: a.dtype, shape: [count, ...a.shape.slice(1)], data });
}

export async function benchmarks(): Promise<BenchRow[]> {
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: npm run build failed:\n${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-evaluate-'));
  try {
    mkdirSync(join(dir, 'targets'));
    const target = readFileSync('examples/targets/digits-tile.imc', 'utf8').replace('dac 8 bits', `dac 8 bits\n    ${DEVICE}`);
    writeFileSync(join(dir, 'targets', 'digits-tile.imc'), target);
    copyFileSync('examples/digits.imc', join(dir, 'digits.imc'));
    copyFileSync('examples/digits.npz', join(dir, 'digits.npz'));
    writeFileSync(join(dir, 'x.npy'), firstWrapped('models/digits/test_x.npy', IMAGES));
    writeFileSync(join(dir, 'y.npy'), firstWrapped('models/digits/test_y.npy', IMAGES));
    const args = ['evaluate', join(dir, 'digits.imc'), '--data', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'), '--analog', '--samples', '1', '--json'];
    const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3R %3U %3S'; time node bin/imcc.js ${args.map((a) => `'${a}'`).join(' ')} 2>/dev/null`], { encoding: 'utf8' });
    const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    const result = JSON.parse(r.stdout) as { top1: number; analog: { top1: { mean: number } } };
    const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
    return [
      {
        section: 'evaluate',
        name: `evaluate --analog digits, ${IMAGES} images, 5 % read noise, 1 sample (top-1 ${pct(result.analog.top1.mean)}, integer ${pct(result.top1)})`,
        value: `${wall.toFixed(1)} s wall (${(user + sys).toFixed(1)} s CPU)`,
        target: '< 30 s wall',
        status: wall < 30 ? 'ok' : 'SLOW',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
