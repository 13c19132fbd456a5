// CLI section of npm run bench (issue 13), measured as whole processes of the built CLI (`node bin/imcc.js`, after
// `npm run build`), as a user pays them:
//   imcc diff of two ResNet-32 outputs whose mappings differ in one directive   target < 2 s wall
//   imcc diff of one LeNet c00.sched pair (15,785 lines, an address change)      target < 0.2 s wall
//   imcc --version                                                               target < 0.25 s CPU
//   imcc simulate examples/resnet32.imc                                          target < 0.8 s CPU
//   imcc optimize examples/resnet32.imc (the whole grid, within bandwidth)       target < 2 s CPU
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { coreSchedule, planMemories } from '../src/memory/index.js';
import { renderSchedule } from '../src/memory/scheduleFile.js';
import type { BenchRow } from './table.js';

const RESNET = 'examples/resnet32.imc';
const LENET_C00 = 'generated/lenet/schedules/c00.sched';
/** The one mapping directive the second ResNet-32 output differs in. */
const DIRECTIVE = 'layer stage1: layout KLIP';

/** Writes the schedules of `file` (read through `edit`) to `dir`/schedules, as `imcc compile` lays them out. */
function writeSchedules(file: string, edit: (text: string) => string, dir: string): void {
  const path = resolve(file);
  const design = loadDesign(path, (f) => (f === path ? edit(readFileSync(f, 'utf8')) : readFileSync(f, 'utf8'))).design;
  if (design === null) throw new Error(`bench: ${file} does not load`);
  const plan = planMemories(design, mapDesign(design));
  mkdirSync(join(dir, 'schedules'), { recursive: true });
  for (const c of plan.cores) writeFileSync(join(dir, 'schedules', `${c.core}.sched`), renderSchedule(coreSchedule(plan, c.core)));
}

/** Wall and CPU seconds of one whole `node bin/imcc.js ARGS` process (bash's `time`), and its exit status. */
function measure(args: string[]): { wall: number; cpu: number; status: number } {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3R %3U %3S'; time node bin/imcc.js ${quoted} >/dev/null 2>&1`], { encoding: 'utf8' });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const status = /exit (\d+)/.exec(r.stderr)?.[1];
  return { wall, cpu: user + sys, status: status === undefined ? (r.status ?? -1) : Number(status) };
}

/** Best of `n` runs (the least disturbed by other load on the machine). */
function best(args: string[], n: number): { wall: number; cpu: number } {
  const runs = Array.from({ length: n }, () => measure(args));
  return { wall: Math.min(...runs.map((r) => r.wall)), cpu: Math.min(...runs.map((r) => r.cpu)) };
}

export async function benchmarks(): Promise<BenchRow[]> {
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: npm run build failed:\n${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-cli-'));
  try {
    writeSchedules(RESNET, (t) => t, join(dir, 'a'));
    writeSchedules(RESNET, (t) => t.replace(/(mapping \{\n)/, `$1    ${DIRECTIVE}\n`), join(dir, 'b'));
    const old = readFileSync(LENET_C00, 'utf8');
    const moved = old.replace(/^(\d+) ([WR]) (\S+) word=(\d+)/gm, (_l, t: string, op: string, px: string, w: string) => `${t} ${op} ${px} word=${Number(w) + 1}`);
    writeFileSync(join(dir, 'c00.sched'), moved);
    const row = (name: string, value: number, unit: string, target: number, note = ''): BenchRow => ({
      section: 'cli',
      name,
      value: `${value.toFixed(2)} ${unit}${note}`,
      target: `< ${target} ${unit}`,
      status: value < target ? 'ok' : 'SLOW',
    });
    const resnetDiff = best(['diff', join(dir, 'a'), join(dir, 'b')], 3);
    const lenetDiff = best(['diff', LENET_C00, join(dir, 'c00.sched')], 3);
    const version = best(['--version'], 5);
    const simulate = best(['simulate', RESNET], 3);
    const optimize = best(['optimize', RESNET], 3);
    return [
      // Wall time includes node's own start, which a loaded machine stretches: the CPU time is shown beside it.
      row(`imcc diff resnet32 outputs (${DIRECTIVE})`, resnetDiff.wall, 's wall', 2, ` (${resnetDiff.cpu.toFixed(2)} s CPU)`),
      row('imcc diff lenet c00.sched pair (addresses)', lenetDiff.wall, 's wall', 0.2, ` (${lenetDiff.cpu.toFixed(2)} s CPU)`),
      row('imcc --version', version.cpu, 's CPU', 0.25),
      row('imcc simulate examples/resnet32.imc', simulate.cpu, 's CPU', 0.8),
      row('imcc optimize examples/resnet32.imc', optimize.cpu, 's CPU', 2),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
