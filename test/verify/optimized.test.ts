// The optimizer's choice is real hardware (issue 15 item 4): examples/resnet32-optimized.imc, the best 52-core point
// of `imcc optimize examples/resnet32.imc --cores 52 --ignore-bandwidth` (test/optimize/optimize.test.ts checks that
// the committed file is what --write produces), compiles with `imcc compile`; its RTL, as written, verifies bit-exact in
// Verilator with every crossbar operation in the timestep of `imcc simulate --granularity block`; and its schedules diff
// cleanly against the plain mapping's (generated/resnet32, which test/e2e/generated.test.ts keeps current): the layers the
// optimizer left alone keep their schedules, the replicated ones change, and the 9 extra cores are new files.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateJson } from '../../src/support/schema.js';
import { verifyOutputDir } from '../../src/verify/index.js';
import { runCli } from '../support/cli.js';
import { prepare, TEST_CACHE } from '../emit/rtl/helpers.js';

const OPTIMIZED = 'examples/resnet32-optimized.imc';
const PLAIN_OUTPUT = 'generated/resnet32';

interface CoreDiff {
  name: string;
  status: 'changed' | 'added' | 'removed';
  change: 'header' | 'operations' | 'addresses' | 'timing' | null;
  headerChanges: Array<{ key: string; old: string; new: string }>;
}

describe('ResNet-32 at the optimizer\'s best 52-core point, in Verilator', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'imcc-optimized-')), 'out');
  const optimized = prepare(OPTIMIZED);
  const plain = prepare('examples/resnet32.imc');

  it('compiles to 52 cores', async () => {
    const r = await runCli(['compile', OPTIMIZED, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('compiled resnet32 on dazzi2021: 52 cores');
  }, 300_000);

  it('verifies bit-exact as compiled, every crossbar operation in the timestep imcc simulate gives', async () => {
    const result = await verifyOutputDir(out, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.byKind.timing).toBe(0);
    expect(result.comparisons).toBeGreaterThan(800_000);
    // The model at the RTL's granularity (one crossbar operation per timestep): the last output in timestep
    // latency - 1, then the RTL's drain step. (The optimizer ranks by the paper's pixel timing: 501 timesteps.)
    const simulate = await runCli(['simulate', OPTIMIZED, '--granularity', 'block', '--batch', '1', '--json']);
    expect(simulate.code, simulate.stderr).toBe(0);
    const model = JSON.parse(simulate.stdout) as { latencyTimesteps: number };
    expect(result.timesteps).toBe(model.latencyTimesteps + 1);
    expect(result.timesteps).toBe(603);
  }, 1_800_000);

  it('its schedules diff cleanly against the plain mapping\'s: unreplicated layers unchanged, 9 cores new', async () => {
    const r = await runCli(['diff', PLAIN_OUTPUT, out, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    const diff = JSON.parse(r.stdout) as { equal: boolean; cores: CoreDiff[] };
    validateJson('schedule-diff', diff);
    expect(diff.equal).toBe(false);
    expect(diff.cores.filter((c) => c.status === 'added').map((c) => c.name)).toEqual(
      Array.from({ length: 9 }, (_, k) => `c${43 + k}.sched`),
    );
    expect(diff.cores.filter((c) => c.status === 'removed')).toEqual([]);

    // Layer by layer (a layer's cores move when earlier layers take more cores): a layer with the plain mapping's
    // replication keeps its schedules but for the core's name, unless its input comes from a replicated layer (then
    // its pixels arrive in another order: stage 3's first convolution and shortcut read stage 2's output).
    const fedByReplicated = new Set(['stage3a.c1', 'stage3a.s']);
    const coresOf = (p: typeof plain, layer: string) => p.mapping.cores.filter((c) => c.layer === layer).map((c) => c.id);
    let unchanged = 0;
    for (const layer of plain.mapping.layers) {
      const replicas = (p: typeof plain) => p.mapping.layers.find((l) => l.layer === layer.layer)!.matrix.replicas.length;
      const [before, after] = [coresOf(plain, layer.layer), coresOf(optimized, layer.layer)];
      if (replicas(plain) !== replicas(optimized)) continue;
      expect(after.length, layer.layer).toBe(before.length);
      for (let k = 0; k < before.length; k++) {
        const one = await runCli(['diff', `${PLAIN_OUTPUT}/schedules/${before[k]}.sched`, `${out}/schedules/${after[k]}.sched`, '--json']);
        const core = (JSON.parse(one.stdout) as { cores: CoreDiff[] }).cores[0];
        const change = fedByReplicated.has(layer.layer) ? 'operations' : 'header';
        expect([layer.layer, one.code, core.change]).toEqual([layer.layer, 1, change]);
        if (change === 'header') expect(core.headerChanges.map((h) => `${h.key} ${h.old} -> ${h.new}`)).toEqual([`core ${before[k]} -> ${after[k]}`]);
        if (change === 'header') unchanged++;
      }
    }
    // Stage 3 after its first convolution and shortcut, and the classifier.
    expect(unchanged).toBeGreaterThan(10);
    const replicated = optimized.mapping.layers.filter((l) => l.matrix.replicas.length > 1).map((l) => l.layer);
    for (const id of replicated.flatMap((layer) => coresOf(optimized, layer)).filter((id) => Number(id.slice(1)) < 43)) {
      expect([id, diff.cores.find((c) => c.name === `${id}.sched`)?.status]).toEqual([id, 'changed']);
    }
  }, 300_000);
});
