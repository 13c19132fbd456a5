// imcc simulate through the CLI entry point: the text report, --json (validated against its schema), --trace,
// --sweep, the IMC090 warning at the target's link line, IMC091, and bad usage.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { validateSimulateJson } from '../../src/dataflow/index.js';
import { validateJson } from '../../src/support/schema.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'imcc-simulate-'));

/** A small network on its own target, so link bandwidth and batch are easy to control. */
function smallDesign(linkGbps: string): string {
  const path = join(dir, `small-${linkGbps}.imc`);
  writeFileSync(
    path,
    readFileSync('examples/lenet.imc', 'utf8').replace(/link\s+[0-9.]+\s*Gbps/, `link ${linkGbps}Gbps`),
  );
  return path;
}

describe('imcc simulate', () => {
  it('prints the report: figures, the per-layer timeline and the links', async () => {
    const r = await run(['simulate', 'examples/lenet.imc', '--batch', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dataflow of /);
    expect(r.stdout).toMatch(/latency \(one image\): +[\d,]+ timesteps/);
    expect(r.stdout).toMatch(/batch of 4: +[\d,]+ timesteps/);
    expect(r.stdout).toMatch(/throughput: +[\d,]+ images\/s/);
    expect(r.stdout).toContain('per weight layer: timesteps in which its crossbars compute (first image)');
    expect(r.stdout).toMatch(/held\/stored/);
  });

  it('under a pixel-model latency, the RTL\'s (block granularity) when a replicated core makes them differ', async () => {
    // Ragged 7-, 5- and 3-replica blocks: 21 timesteps in the pixel model, 27 in the RTL (which runs one drain step more).
    const r = await run(['simulate', 'test/verify/fixtures/ragged.imc', '--batch', '1']);
    expect(r.stdout).toMatch(/latency \(one image\): +21 timesteps/);
    expect(r.stdout).toMatch(/latency in the RTL: +27 timesteps \(block granularity/);
    const block = await run(['simulate', 'test/verify/fixtures/ragged.imc', '--batch', '1', '--granularity', 'block']);
    expect(block.stdout).toMatch(/latency \(one image\): +27 timesteps/);
    expect(block.stdout).not.toContain('latency in the RTL');
    // LeNet is not replicated: one model, one line.
    expect((await run(['simulate', 'examples/lenet.imc', '--batch', '1'])).stdout).not.toContain('latency in the RTL');
  });

  it('--json prints only JSON that matches schemas/simulate.schema.json, identical on every run', async () => {
    const a = await run(['simulate', 'examples/resnet32.imc', '--json', '--batch', '2']);
    expect(a.code).toBe(0);
    const json = JSON.parse(a.stdout);
    validateSimulateJson(json);
    expect(json.batch).toBe(2);
    expect(json.timestepNs).toBe(100);
    expect(json.layers).toHaveLength(34);
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['latencyTimesteps', 'intervalTimesteps', 'batch', 'batchTimesteps', 'throughputImagesPerSecond', 'timestepNs', 'linkBandwidthGbps', 'layers']),
    );
    expect(json.layers[0]).toEqual(
      expect.objectContaining({ name: expect.any(String), firstTimestep: expect.any(Number), lastTimestep: expect.any(Number), busyTimesteps: expect.any(Number) }),
    );
    const b = await run(['simulate', 'examples/resnet32.imc', '--json', '--batch', '2']);
    expect(b.stdout).toBe(a.stdout);
    // The partial-sum links of the 24-bit ADC target exceed 4.5 Gbit/s: a warning on stderr, not on stdout.
    expect(a.stderr).toContain('warning IMC090');
  });

  it('IMC090: a link over the target bandwidth is a warning positioned at the target\'s link line', async () => {
    const file = smallDesign('0.01');
    const r = await run(['simulate', file, '--json']);
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8').split('\n');
    const line = text.findIndex((l) => /link 0.01Gbps/.test(l)) + 1;
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: warning IMC090: link c\\d+ -> c\\d+`));
    expect(r.stderr).toContain('link 0.01Gbps');
    expect(JSON.parse(r.stdout).links.some((l: { overTarget: boolean }) => l.overTarget)).toBe(true);
    const ok = await run(['simulate', smallDesign('1000'), '--json']);
    expect(ok.stderr).not.toContain('IMC090');
  });

  it('--trace writes one line per timestep with the cores computing in it', async () => {
    const path = join(dir, 'lenet.trace');
    const r = await run(['simulate', 'examples/lenet.imc', '--batch', '2', '--trace', path]);
    expect(r.code).toBe(0);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^# imcc dataflow trace of /);
    const body = lines.filter((l) => /^\d/.test(l));
    expect(body[0]).toMatch(/^0( |$)/);
    body.forEach((l, i) => expect(l.split(' ')[0]).toBe(String(i)));
    expect(body.some((l) => /^\d+ c00:\d+/.test(l))).toBe(true);
    // Every core with work appears, as core:pixels.
    expect(new Set(body.flatMap((l) => l.split(' ').slice(1).map((c) => c.split(':')[0]))).size).toBeGreaterThan(1);
    // Deterministic: a second run writes the same bytes (and the same report).
    const again = join(dir, 'lenet-again.trace');
    const r2 = await run(['simulate', 'examples/lenet.imc', '--batch', '2', '--trace', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(path, 'utf8'));
    expect(r2.stdout).toBe(r.stdout);
  });

  it('IMC091: an unwritable trace file is an error, and nothing is printed or left behind', async () => {
    const path = join(dir, 'missing-dir', 'x.trace');
    const r = await run(['simulate', 'examples/lenet.imc', '--trace', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error IMC091');
    expect(r.stdout).toBe('');
    expect(existsSync(path)).toBe(false);
    mkdirSync(join(dir, 'missing-dir'));
  });

  it("--sweep prints Figure 10's sweep as CSV: latency and throughput against the replicas of each stage", async () => {
    const r = await run(['simulate', 'examples/lenet.imc', '--sweep', '--batch', '2']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^replicas_\d+x\d+(,replicas_\d+x\d+)*,cores,latencyTimesteps,intervalTimesteps,batch,throughputImagesPerSecond,linkBandwidthGbps,warnings$/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(',')).toHaveLength(header.split(',').length);
  });

  it('--sweep --json gives the same rows as JSON (schemas/sweep.schema.json)', async () => {
    const csv = await run(['simulate', 'examples/lenet.imc', '--sweep', '--batch', '2']);
    const r = await run(['simulate', 'examples/lenet.imc', '--sweep', '--batch', '2', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: Array<{ cores: number; latencyTimesteps: number }> };
    validateJson('sweep', json);
    const lines = csv.stdout.trim().split('\n').slice(1);
    expect(json.rows.length).toBe(lines.length);
    expect(json.rows.map((row) => row.latencyTimesteps)).toEqual(lines.map((l) => Number(l.split(',').at(-6))));
  });

  it('--sweep-batch: throughput against the batch, each row what simulate --batch N prints (CSV and JSON)', async () => {
    const r = await run(['simulate', 'examples/lenet.imc', '--sweep-batch', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: Array<{ batch: number; batchTimesteps: number; throughputImagesPerSecond: number }> };
    validateJson('sweep-batch', json);
    expect(json.rows.map((row) => row.batch)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    for (const batch of [1, 5, 100]) {
      const sim = JSON.parse((await run(['simulate', 'examples/lenet.imc', '--batch', String(batch), '--json'])).stdout) as { batchTimesteps: number; throughputImagesPerSecond: number };
      const row = json.rows.find((x) => x.batch === batch)!;
      expect([row.batchTimesteps, row.throughputImagesPerSecond]).toEqual([sim.batchTimesteps, sim.throughputImagesPerSecond]);
    }
    const csv = await run(['simulate', 'examples/lenet.imc', '--sweep-batch']);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toBe('batch,batchTimesteps,throughputImagesPerSecond,latencyTimesteps,intervalTimesteps');
    expect(rows).toHaveLength(10);
  });

  it('bad usage: --batch 0 and --sweep with --sweep-batch exit 2', async () => {
    expect((await run(['simulate', 'examples/lenet.imc', '--batch', '0'])).code).toBe(2);
    expect((await run(['simulate', 'examples/lenet.imc', '--batch', '1.5'])).code).toBe(2);
    expect((await run(['simulate', 'examples/lenet.imc', '--sweep-batch', '--sweep'])).code).toBe(2);
  });

  it('a missing file is a diagnostic, not a stack trace', async () => {
    const r = await run(['simulate', join(dir, 'nope.imc')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error IMC\d{3}/);
    expect(r.stderr).not.toContain('    at ');
  });
});
