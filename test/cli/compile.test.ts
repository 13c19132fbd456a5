// imcc compile: atomic output, refusal to clobber, deterministic bytes, and bad input leaving the old output intact.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { typeCheckDesignModule } from '../support/typecheck.js';

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(d, name.name), `${prefix}${name.name}/`);
      else files.set(`${prefix}${name.name}`, readFileSync(join(d, name.name), 'utf8'));
    }
  };
  walk(dir, '');
  return files;
}

describe('imcc compile', () => {
  const work = mkdtempSync(join(tmpdir(), 'imcc-compile-'));

  it('writes mapping, schedules, rtl, tb, configs, design.ts, report and source; twice byte-identically', async () => {
    const a = join(work, 'a');
    const b = join(work, 'b');
    const first = await runCli(['compile', 'examples/lenet.imc', '-o', a]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', b])).code).toBe(0);
    const files = snapshot(a);
    for (const required of ['mapping.json', 'report.txt', 'report.html', 'design.ts', 'imcc-output.json', 'source/lenet.imc']) {
      expect(files.has(required), required).toBe(true);
    }
    for (const prefix of ['schedules/', 'rtl/', 'tb/', 'configs/crosssim/', 'configs/neurosim/']) {
      expect([...files.keys()].some((f) => f.startsWith(prefix)), prefix).toBe(true);
    }
    expect(snapshot(b)).toEqual(files);
    expect(typeCheckDesignModule(files.get('design.ts') ?? '')).toEqual([]);
    // Recompiling over an imcc output replaces it.
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', a])).code).toBe(0);
    expect(snapshot(a)).toEqual(files);
  });

  it('NeuroSim input traces are written only with --neurosim-traces', async () => {
    const plain = snapshot(join(work, 'a'));
    expect([...plain.keys()].filter((f) => f.startsWith('configs/neurosim/input_'))).toEqual([]);
    expect(plain.get('configs/neurosim/run.txt')).toContain('--neurosim-traces');
    const withTraces = join(work, 'traces');
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', withTraces, '--neurosim-traces'])).code).toBe(0);
    const traced = snapshot(withTraces);
    const inputs = [...traced.keys()].filter((f) => f.startsWith('configs/neurosim/input_'));
    expect(inputs.length).toBe([...traced.keys()].filter((f) => f.startsWith('configs/neurosim/weight_')).length);
    expect(inputs.length).toBeGreaterThan(0);
  });

  it('--json prints only the summary', async () => {
    const run = await runCli(['compile', 'examples/lenet.imc', '-o', join(work, 'j'), '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { cores: number; network: string };
    expect(summary.network).toBe('lenet');
    expect(summary.cores).toBeGreaterThan(0);
  });

  it('refuses to overwrite a directory that is not an imcc output (IMC110), leaving it untouched', async () => {
    const precious = join(work, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'thesis.tex'), 'do not lose me');
    const run = await runCli(['compile', 'examples/lenet.imc', '-o', precious]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('IMC110');
    expect(snapshot(precious)).toEqual(new Map([['thesis.tex', 'do not lose me']]));
  });

  it('bad input ends in diagnostics and leaves the previous output as it was', async () => {
    const out = join(work, 'keep');
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', out])).code).toBe(0);
    const before = snapshot(out);
    const bad = join(work, 'bad.imc');
    writeFileSync(bad, readFileSync('examples/lenet.imc', 'utf8').replace('out 8, kernel 5x5', 'out 8, kernel 50x50'));
    const run = await runCli(['compile', bad, '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.imc:\d+:\d+: error IMC\d{3}:/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
  });

  it('an output path that cannot be created is IMC111, not an internal error', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    const run = await runCli(['compile', 'examples/lenet.imc', '-o', join(file, 'sub')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^imcc: error IMC111: cannot write /);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a missing -o is bad usage (exit 2)', async () => {
    expect((await runCli(['compile', 'examples/lenet.imc'])).code).toBe(2);
    expect(existsSync(join(work, 'nothing'))).toBe(false);
  });
});
