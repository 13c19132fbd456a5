// `imcc verify` on the command line: JSON matching schemas/verify.schema.json, exit statuses, and bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateJson } from '../../src/support/schema.js';
import { runCli } from '../support/cli.js';
import { TEST_CACHE } from '../emit/rtl/helpers.js';

describe('imcc verify', () => {
  it('FILE --json prints only the schema-valid result on stdout and exits 0 when it passes', async () => {
    const { code: status, stdout: out, stderr: err } = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--seed', '3', '--json', '--cache-dir', TEST_CACHE]);
    expect(status).toBe(0);
    const json = JSON.parse(out);
    validateJson('verify', json);
    expect(Object.keys(json).sort()).toEqual(['comparisons', 'coverage', 'cycles', 'firstMismatch', 'images', 'mismatches', 'pass', 'seconds', 'stepTiming', 'stream']);
    expect(json.stream).toBe(false);
    // conv1's one core reads its patch and walks its columns within the target's timestep.
    expect(json.stepTiming).toMatchObject({ cores: 1, coresOver: [] });
    expect(json.stepTiming.slowestStepCycles).toBeLessThanOrEqual(json.stepTiming.timestepCycles);
    // Three images by default: seeds 3, 4 and 5, the second reset mid-stream; the totals sum them.
    expect(json.images.map((r: { seed: number; resetAtCycle: number | null }) => [r.seed, r.resetAtCycle !== null])).toEqual([
      [3, false],
      [4, true],
      [5, false],
    ]);
    expect(json.comparisons).toBe(json.images.reduce((s: number, r: { comparisons: number }) => s + r.comparisons, 0));
    // Coverage per core: conv1's one core emits its whole 3x3x3 output per image, ReLU'd, some of it non-zero.
    expect(json.coverage).toHaveLength(1);
    expect(json.coverage[0]).toMatchObject({ core: 'c00', activations: 3 * 27 });
    expect(json.coverage[0].nonZero).toBeGreaterThan(0);
    expect(json.pass).toBe(true);
    expect(json.firstMismatch).toBeNull();
    // stderr is not a terminal here: no progress bar.
    expect(err).toBe('');
  }, 300_000);

  it('--stream runs the images back to back in one simulation: schema-valid JSON with stream true and no per-image cycles, and its PASS line says so', async () => {
    const json = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--stream', '--json', '--cache-dir', TEST_CACHE]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    validateJson('verify', result);
    expect(result).toMatchObject({ pass: true, stream: true });
    expect(result.images.map((r: { seed: number; resetAtCycle: number | null; cycles: number | null }) => [r.seed, r.resetAtCycle, r.cycles])).toEqual([
      [1, null, null],
      [2, null, null],
      [3, null, null],
    ]);
    const text = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--stream', '--cache-dir', TEST_CACHE]);
    expect(text.stdout).toMatch(/^PASS: [\d,]+ comparisons, 0 mismatches \(3 images back to back; /);
  }, 600_000);

  it('prints a one-line PASS summary without --json', async () => {
    const { code: status, stdout: out, stderr: err } = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--images', '1', '--cache-dir', TEST_CACHE]);
    expect(status).toBe(0);
    expect(out).toMatch(/^PASS: \d+ comparisons, 0 mismatches \(\d/);
    expect(out).toMatch(/\ncoverage: 27 activations, \d+ non-zero, \d+ saturated, \d+ ring wraps; all zero: none; never saturated: /);
    expect(out).toMatch(/\ntiming: every core's RTL step fits the target's timestep \(\d+ of \d+ clock cycles at most\)\n$/);
  }, 300_000);

  it('DIR that is not a compiled output is bad input (IMC113)', async () => {
    const { code: status, stdout: out, stderr: err } = await runCli(['verify', mkdtempSync(join(tmpdir(), 'imcc-not-output-'))]);
    expect(status).toBe(1);
    expect(err).toMatch(/error IMC113: \S+ is not a compiled imcc output: it has no imcc-output\.json/);
  });

  it('DIR whose imcc-output.json is not JSON (IMC253), records no source (IMC254) or a source that is gone (IMC255) is bad input, not a crash', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'imcc-broken-marker-'));
    writeFileSync(join(broken, 'imcc-output.json'), '{ not json');
    const notJson = await runCli(['verify', broken]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('error IMC253: ');
    expect(notJson.stderr).toContain('imcc-output.json is not valid JSON');
    const sourceless = mkdtempSync(join(tmpdir(), 'imcc-sourceless-marker-'));
    writeFileSync(join(sourceless, 'imcc-output.json'), '{"tool": "imcc"}');
    const noSource = await runCli(['verify', sourceless]);
    expect(noSource.code).toBe(1);
    expect(noSource.stderr).toContain('records no design source');
    expect(noSource.stderr).toContain('error IMC254: ');
    const gone = mkdtempSync(join(tmpdir(), 'imcc-gone-source-'));
    writeFileSync(join(gone, 'imcc-output.json'), '{"tool": "imcc", "entry": "gone.imc"}');
    const goneSource = await runCli(['verify', gone]);
    expect(goneSource.code).toBe(1);
    expect(goneSource.stderr).toContain(`error IMC255: the design source gone.imc recorded in ${gone} cannot be found`);
    expect(notJson.stderr + noSource.stderr).not.toContain('    at ');
  });

  it('a bad seed is bad usage', async () => {
    const { code: status, stdout: out, stderr: err } = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--seed', 'x']);
    expect(status).toBe(2);
  });

  it('--images 0 is bad usage', async () => {
    const { code: status, stderr: err } = await runCli(['verify', 'test/verify/fixtures/conv1.imc', '--images', '0']);
    expect(status).toBe(2);
    expect(err).toContain('--images');
  });
});
