// imcc optimize through the CLI entry point: the front table with the chosen point, --json (schema), --write (through
// the formatter, then simulate agrees), the mapping `optimize` directive, and the diagnostics IMC059-IMC063.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { validateJson } from '../../src/support/schema.js';

afterEach(() => vi.restoreAllMocks());

/** A copy of examples/resnet32.imc (and its target) that a test may rewrite. */
function copyResnet32(edit: (text: string) => string = (t) => t): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-optimize-'));
  cpSync('examples/targets', join(dir, 'targets'), { recursive: true });
  const file = join(dir, 'resnet32.imc');
  writeFileSync(file, edit(readFileSync('examples/resnet32.imc', 'utf8')));
  return file;
}

describe('imcc optimize', () => {
  it('prints the Pareto front with the chosen point marked, and says the bandwidth is not enforced', async () => {
    const r = await runCli(['optimize', 'examples/resnet32.imc', '--cores', '52', '--ignore-bandwidth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('budget 52 of 64 cores (the network needs 43)');
    expect(r.stdout).toContain('not enforced (--ignore-bandwidth)');
    expect(r.stdout).toMatch(/^ {2}\* +52 +38,692 +501 +8\.96$/m);
    expect(r.stdout).toMatch(/^ {2}stem\.conv +4 +2 +2$/m);
  });

  it('--json is {strategy, front, chosen} and matches schemas/optimize.schema.json', async () => {
    const r = await runCli(['optimize', 'examples/resnet32.imc', '--cores', '52', '--ignore-bandwidth', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { strategy: string; front: unknown[]; chosen: { cores: number; replicas: Record<string, number> } };
    validateJson('optimize', json);
    expect(Object.keys(json)).toEqual(['strategy', 'front', 'chosen']);
    expect(json.strategy).toBe('pareto');
    expect(json.chosen.cores).toBe(52);
    expect(json.chosen.replicas['stem.conv']).toBe(4);
    expect(json.chosen.replicas['logits']).toBe(1);
  });

  it('--write rewrites the mapping block through the formatter; simulate then prints the chosen figures', async () => {
    const file = copyResnet32();
    const r = await runCli(['optimize', file, '--cores', '52', '--ignore-bandwidth', '--json', '--write']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('mapping rewritten');
    const chosen = (JSON.parse(r.stdout) as { chosen: { latencyTimesteps: number; throughputImagesPerSecond: number } }).chosen;
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('    layer stem.conv: replicas 4, method 2, dw 2\n');
    expect(text).toContain('    layer stage2a.c1: replicas 2, method 1\n');
    expect((await runCli(['fmt', file])).stdout).toBe(text);
    const sim = JSON.parse((await runCli(['simulate', file, '--json'])).stdout) as { latencyTimesteps: number; throughputImagesPerSecond: number };
    expect([sim.latencyTimesteps, sim.throughputImagesPerSecond]).toEqual([chosen.latencyTimesteps, chosen.throughputImagesPerSecond]);
    const again = await runCli(['optimize', file, '--cores', '52', '--ignore-bandwidth', '--write']);
    expect(again.stderr).toContain('mapping already as chosen');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a budget below the minimal mapping is IMC059 with the cores the network needs', async () => {
    const r = await runCli(['optimize', 'examples/resnet32.imc', '--cores', '40']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('imcc: error IMC059: the network needs at least 43 cores (one replica per layer), more than the budget of 40\n');
  });

  it('a budget over the grid is IMC060; a strategy with nothing legal is IMC061; a bad number is usage', async () => {
    const over = await runCli(['optimize', 'examples/resnet32.imc', '--cores', '65']);
    expect([over.code, over.stderr]).toEqual([1, expect.stringContaining('error IMC060: a budget of 65 cores is more than the 8x8 grid')]);
    const paper = await runCli(['optimize', 'examples/resnet32.imc', '--cores', '43', '--strategy', 'paper']);
    expect([paper.code, paper.stderr]).toEqual([1, expect.stringContaining("error IMC061: strategy 'paper' finds no legal mapping within 43 cores")]);
    expect((await runCli(['optimize', 'examples/resnet32.imc', '--cores', '0'])).code).toBe(2);
    expect((await runCli(['optimize', 'examples/resnet32.imc', '--objective', 'speed'])).code).toBe(2);
  });

  it('--write that cannot write the design is IMC063 and leaves it untouched', async () => {
    const file = copyResnet32();
    const before = readFileSync(file, 'utf8');
    mkdirSync(`${file}.imcc-optimize.tmp`);
    const r = await runCli(['optimize', file, '--cores', '52', '--ignore-bandwidth', '--write']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error IMC063: cannot write');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('the chosen mapping against the plain one', () => {
  it('its schedules diff cleanly: imcc diff summarizes what the replication changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-optimize-diff-'));
    const plain = join(dir, 'plain.sched');
    const chosen = join(dir, 'chosen.sched');
    writeFileSync(plain, (await runCli(['schedule', 'examples/resnet32.imc', '--core', 'c01'])).stdout);
    writeFileSync(chosen, (await runCli(['schedule', 'examples/resnet32-optimized.imc', '--core', 'c01'])).stdout);
    const r = await runCli(['diff', plain, chosen]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('header replicas: 1 -> 4');
    expect(r.stdout).toContain('header dW: 1 -> 2');
    expect(r.stderr).toBe('');
  });
});

describe('mapping { optimize ... }', () => {
  const withDirective = (directive: string) =>
    copyResnet32((t) => t.replace('    default replicas 1, method 1, layout auto', `    default replicas 1, method 1, layout auto\n    ${directive}`));

  it('map and simulate use the optimizer\'s choice', async () => {
    const file = withDirective('optimize throughput cores 52 ignore_bandwidth');
    const map = await runCli(['map', file, '--json']);
    expect((JSON.parse(map.stdout) as { cores: number }).cores).toBe(52);
    const sim = JSON.parse((await runCli(['simulate', file, '--json'])).stdout) as { latencyTimesteps: number };
    expect(sim.latencyTimesteps).toBe(501);
  });

  it('a budget below the minimal mapping is IMC059 at the directive; a malformed directive is IMC062', async () => {
    const low = await runCli(['map', withDirective('optimize throughput, cores 40')]);
    expect(low.code).toBe(1);
    expect(low.stderr).toMatch(/resnet32\.imc:42:5: error IMC059: the network needs at least 43 cores/);
    const bad = await runCli(['map', withDirective('optimize fastest')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/resnet32\.imc:42:14: error IMC062: mapping optimize: the first word must be the objective/);
    const twice = await runCli(['check', withDirective('optimize latency strategy w0h0 strategy paper')]);
    expect(twice.stderr).toContain("error IMC062: mapping optimize: 'strategy' is set twice");
  });
});
