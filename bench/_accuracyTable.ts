// `npm run accuracy-table`: the README's accuracy table (issue 17 item 4, docs/analog.md "Three digits networks under
// read noise"): top-1 of the ReLU, threshold and integrate-and-fire digits networks on the 350 test images, exact
// (integer) and with independent read noise of 5, 10 and 15 % of gMax on one device per weight (1R) and on a
// differential pair (2R), 2 programming samples, seed 1. Runs the built CLI (worker threads); bench/accuracy.ts (a section of npm run bench)
// recomputes it and compares it with the README.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const NETWORKS = [
  { label: 'ReLU (`examples/digits.imc`)', design: 'digits', target: 'digits-tile' },
  { label: 'threshold (`examples/digits-threshold.imc`)', design: 'digits-threshold', target: 'digits-threshold-tile' },
  { label: 'integrate-and-fire, T = 16 (`examples/digits-if.imc`)', design: 'digits-if', target: 'digits-if-tile' },
] as const;
export const NOISE = 'noise=0.05:0.15:0.05';
export const SAMPLES = 2;
const DATA = ['--data', 'models/digits/test_x.npy', '--labels', 'models/digits/test_y.npy'];

interface SweepJson {
  top1: number;
  sweep: { points: { value: number; top1Mean: number }[] };
}

/** One network's integer top-1 and its sweep's mean top-1 per noise level, with `devices` single or differential. */
function sweep(dir: string, network: (typeof NETWORKS)[number], devices: 'single' | 'differential'): SweepJson {
  const sub = join(dir, `${network.design}-${devices}`);
  mkdirSync(join(sub, 'targets'), { recursive: true });
  const target = readFileSync(`examples/targets/${network.target}.imc`, 'utf8').replace('devices differential', `devices ${devices}`);
  writeFileSync(join(sub, 'targets', `${network.target}.imc`), target);
  copyFileSync(`examples/${network.design}.imc`, join(sub, `${network.design}.imc`));
  copyFileSync(`examples/${network.design}.npz`, join(sub, `${network.design}.npz`));
  const args = ['bin/imcc.js', 'evaluate', join(sub, `${network.design}.imc`), ...DATA, '--sweep', NOISE, '--samples', String(SAMPLES), '--seed', '1', '--json'];
  const r = spawnSync('node', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`accuracy-table: imcc ${args.slice(1).join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as SweepJson;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;

/** The markdown table, one row per network. */
export function accuracyTable(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-accuracy-table-'));
  try {
    const rows = NETWORKS.map((n) => {
      const pair = sweep(dir, n, 'differential');
      const single = sweep(dir, n, 'single');
      const cells = pair.sweep.points.flatMap((p, k) => [pct(single.sweep.points[k].top1Mean), pct(p.top1Mean)]);
      return `| ${n.label} | ${pct(pair.top1)} | ${cells.join(' | ')} |`;
    });
    return [
      '| digits network | exact | 1R 5 % | 2R 5 % | 1R 10 % | 2R 10 % | 1R 15 % | 2R 15 % |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(`${accuracyTable()}\n`);
