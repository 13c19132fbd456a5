// One number format (issue 13): every JSON imcc prints or writes rounds non-integers the same way
// (src/support/json.ts, docs/cli.md "Numbers"), and every human-readable table groups digits.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatJson, roundJsonNumber } from '../../src/support/json.js';
import { runCli } from '../support/cli.js';

/** Significant digits of a JSON number's text (leading zeros and the exponent do not count). */
function significantDigits(x: number): number {
  return String(Math.abs(x)).split('e')[0].replace('.', '').replace(/^0+/, '').length;
}

/** Every number in `value` that breaks the JSON number format, with its path. */
function badNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isInteger(value) || significantDigits(value) <= 6 ? [] : [`${path} ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => badNumbers(v, `${path}/${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => badNumbers(v, `${path}/${k}`));
  return [];
}

describe('JSON number format', () => {
  it('keeps integers, rounds other numbers to 6 significant digits and large ones to integers', () => {
    expect(roundJsonNumber(1024)).toBe(1024);
    expect(roundJsonNumber(12754.613981607847)).toBe(12754.6);
    expect(roundJsonNumber(0.000123456789)).toBe(0.000123457);
    expect(roundJsonNumber(1.5e-12)).toBe(1.5e-12);
    expect(roundJsonNumber(2345678.9)).toBe(2345679);
    expect(roundJsonNumber(-0.00000000001)).toBe(-1e-11);
    expect(Object.is(roundJsonNumber(-1e-400), -0)).toBe(true); // -0 is an integer: JSON prints it as 0
    expect(formatJson({ a: [1 / 3, 2], b: { c: 2 / 3 } })).toBe('{\n  "a": [\n    0.333333,\n    2\n  ],\n  "b": {\n    "c": 0.666667\n  }\n}\n');
  });

  it('compile --json and the files it writes follow it (the summary printed 12754.613981607847)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'imcc-numbers-')), 'lenet');
    const run = await runCli(['compile', 'examples/lenet.imc', '-o', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { throughputImagesPerSecond: number };
    expect(summary.throughputImagesPerSecond).toBe(12754.6);
    expect(badNumbers(summary)).toEqual([]);
    expect(badNumbers(JSON.parse(readFileSync(join(out, 'mapping.json'), 'utf8')))).toEqual([]);
  });

  it('simulate --json follows it', async () => {
    const run = await runCli(['simulate', 'examples/lenet.imc', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(badNumbers(JSON.parse(run.stdout))).toEqual([]);
  });
});

/** Numbers of four or more digits written without grouping, in human-readable text. */
function ungrouped(text: string): string[] {
  return text.match(/(?<![\d,.\w])\d{4,}(?![\d\w])/g) ?? [];
}

describe('grouped digits in human-readable tables', () => {
  it('simulate groups the per-layer table (it printed 1024 and 1056)', async () => {
    const run = await runCli(['simulate', 'examples/resnet32.imc']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/stem\.conv\s+c00\s+1\s+1,024\s+33\s+1,056\s+1,024\s+66\/96/);
    expect(ungrouped(run.stdout)).toEqual([]);
  });

  it('memory groups words and the volume line (it printed 6144 and 4096-bit)', async () => {
    const run = await runCli(['memory', '--channels', '512', '--height', '32', '--word-bits', '64']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('= 4,096-bit pixels');
    expect(run.stdout).toMatch(/^words\s+6,144\s+6,144\s+6,144$/m);
    expect(ungrouped(run.stdout)).toEqual([]);
  });

  it('map and compile tables group every count', async () => {
    const map = await runCli(['map', 'examples/resnet32.imc']);
    expect(map.code, map.stderr).toBe(0);
    expect(ungrouped(map.stdout)).toEqual([]);
    const compile = await runCli(['compile', 'examples/lenet.imc', '-o', join(mkdtempSync(join(tmpdir(), 'imcc-numbers-')), 'out')]);
    expect(compile.code, compile.stderr).toBe(0);
    expect(compile.stdout).toMatch(/latency \d{1,3}(,\d{3})* timesteps/);
    expect(ungrouped(compile.stdout)).toEqual([]);
    const report = readFileSync('generated/resnet32/report.txt', 'utf8');
    expect(report).toContain('1,024');
    expect(ungrouped(report)).toEqual([]);
  });

  it('machine-readable output keeps plain digits', async () => {
    const csv = await runCli(['simulate', 'examples/lenet.imc', '--sweep']);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    for (const row of rows) expect(row.split(',').length, row).toBe(header.split(',').length); // no comma inside a figure
    expect(readFileSync('generated/resnet32/schedules/c00.sched', 'utf8')).not.toMatch(/\d,\d{3}\b/);
  });
});
