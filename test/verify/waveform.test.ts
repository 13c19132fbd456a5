// imcc verify --trace on a deliberately corrupted LeNet (one weight of core c02 negated): the run fails at core
// c02, and the VCD it leaves covers exactly the timesteps around that mismatch, read back here from the file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesignForCli } from '../../src/cli/design.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { writeOutputDirectory } from '../../src/emit/output.js';
import { waveformWindow, WHOLE_RUN_TIMESTEPS } from '../../src/verify/waveform.js';
import { runCli } from '../support/cli.js';
import { TEST_CACHE } from '../emit/rtl/helpers.js';

/** Values a VCD signal takes, by the signal's name in the top scope. */
function vcdValues(vcd: string, name: string): number[] {
  const decl = vcd.match(new RegExp(`\\$var \\w+ +\\d+ +(\\S+) +${name}\\b`));
  if (decl === null) throw new Error(`no ${name} in the VCD`);
  const id = decl[1];
  const values: number[] = [];
  for (const line of vcd.split('\n')) {
    const m = line.match(/^b([01xz]+) (\S+)$/);
    if (m !== null && m[2] === id) values.push(parseInt(m[1].replace(/[xz]/g, '0'), 2));
  }
  return values;
}

describe('waveform window', () => {
  it('is the mismatch timestep +- the window, or the whole run (at most WHOLE_RUN_TIMESTEPS) without one', () => {
    expect(waveformWindow(120, 800, 5)).toEqual({ first: 115, last: 125 });
    expect(waveformWindow(2, 800, 5)).toEqual({ first: 0, last: 7 });
    expect(waveformWindow(null, 800, 5)).toEqual({ first: 0, last: 799 });
    expect(waveformWindow(null, 90_000, 5)).toEqual({ first: 0, last: WHOLE_RUN_TIMESTEPS - 1 });
  });
});

describe('imcc verify --trace', () => {
  it('keeps the whole run of a small passing design', async () => {
    const traceDir = join(mkdtempSync(join(tmpdir(), 'imcc-wave-pass-')), 'trace');
    const run = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--trace', '--trace-dir', traceDir, '--cache-dir', TEST_CACHE]);
    expect(run.code, run.stderr).toBe(0);
    const pass = run.stdout.match(/^PASS: .* ([\d,]+) timesteps, /m);
    expect(pass, run.stdout).not.toBeNull();
    const last = Number(pass![1].replaceAll(',', '')) - 1;
    expect(run.stdout).toContain(`waveform of timesteps 0..${last}: ${join(traceDir, 'wave.vcd')}`);
    const timesteps = new Set(vcdValues(readFileSync(join(traceDir, 'wave.vcd'), 'utf8'), 'timestep_o'));
    for (let t = 0; t <= last; t++) expect(timesteps.has(t), `timestep ${t}`).toBe(true);
  }, 1_200_000);

  it('keeps a VCD of the timesteps around the first mismatch and the address trace, and says where they are', async () => {
    const { design, sources } = loadDesignForCli('examples/lenet.imc');
    const work = mkdtempSync(join(tmpdir(), 'imcc-wave-test-'));
    const out = join(work, 'lenet');
    writeOutputDirectory(out, compileDesign({ design, sources, version: '0.1.0' }).files);
    // Negate the first weight of magnitude 2..7 in core c02's weight memory.
    const weights = join(out, 'rtl/lenet_c02_weights.mem');
    const lines = readFileSync(weights, 'utf8').split('\n');
    const i = lines.findIndex((l) => /^[0-9a-f]$/.test(l) && parseInt(l, 16) >= 2 && parseInt(l, 16) <= 7);
    lines[i] = (16 - parseInt(lines[i], 16)).toString(16);
    writeFileSync(weights, lines.join('\n'));

    const traceDir = join(work, 'trace');
    const run = await runCli(['verify', out, '--trace', '--window', '3', '--trace-dir', traceDir, '--cache-dir', TEST_CACHE]);
    expect(run.code).toBe(1);
    const fail = run.stdout.match(/^FAIL: .*first divergence: core c02 \(layer c2\), timestep (\d+): .*expected (-?\d+), actual (-?\d+)/m);
    expect(fail, run.stdout + run.stderr).not.toBeNull();
    const t = Number(fail![1]);
    expect(fail![2]).not.toBe(fail![3]);
    const vcdPath = join(traceDir, 'wave.vcd');
    expect(run.stdout).toContain(`waveform of timesteps ${t - 3}..${t + 3}: ${vcdPath} (open with: gtkwave ${vcdPath})`);
    expect(run.stdout).toContain(`memory addresses per core: ${join(traceDir, 'addresses.txt')}`);

    const vcd = readFileSync(vcdPath, 'utf8');
    const timesteps = vcdValues(vcd, 'timestep_o');
    // Every cycle of timesteps t-3..t+3; the last one's rising edge steps the counter on to t+4.
    expect(new Set(timesteps)).toEqual(new Set([t - 3, t - 2, t - 1, t, t + 1, t + 2, t + 3, t + 4]));
    expect(vcd).toMatch(/\$scope module \S*c02\S* \$end/);

    const addresses = readFileSync(join(traceDir, 'addresses.txt'), 'utf8').split('\n').filter((l) => /^\d/.test(l));
    expect(addresses.length).toBeGreaterThan(0);
    for (const line of addresses) {
      const step = Number(line.split(' ')[0]);
      expect(step).toBeGreaterThanOrEqual(t - 3);
      expect(step).toBeLessThanOrEqual(t + 3);
    }
    expect(addresses.some((l) => l.startsWith(`${t} c02 R `))).toBe(true);

    // IMC172: the trace directory cannot be created (a file is in the way); nothing is left half-written.
    const blocked = join(work, 'a-file');
    writeFileSync(blocked, 'not a directory');
    const bad = await runCli(['verify', out, '--trace', '--trace-dir', join(blocked, 'trace'), '--cache-dir', TEST_CACHE]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^imcc: error IMC172: cannot write the waveform into /m);
    expect(readFileSync(blocked, 'utf8')).toBe('not a directory');
  }, 1_200_000);
});
