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
