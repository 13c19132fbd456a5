// `imcc verify` on the command line: JSON matching schemas/verify.schema.json, exit statuses, and bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { validateJson } from '../../src/support/schema.js';
import { TEST_CACHE } from '../rtl/helpers.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('imcc verify', () => {
  it('FILE --json prints only the schema-valid result on stdout and exits 0 when it passes', async () => {
    const status = await main(['verify', 'test/verify/fixtures/conv1.imc', '--seed', '3', '--json', '--cache-dir', TEST_CACHE]);
    expect(status).toBe(0);
    const json = JSON.parse(out);
    validateJson('verify', json);
    expect(Object.keys(json).sort()).toEqual(['comparisons', 'cycles', 'firstMismatch', 'mismatches', 'pass', 'seconds']);
    expect(json.pass).toBe(true);
    expect(json.firstMismatch).toBeNull();
    // stderr is not a terminal here: no progress bar.
    expect(err).toBe('');
  }, 300_000);

  it('prints a one-line PASS summary without --json', async () => {
    const status = await main(['verify', 'test/verify/fixtures/conv1.imc', '--cache-dir', TEST_CACHE]);
    expect(status).toBe(0);
    expect(out).toMatch(/^PASS: \d+ comparisons, 0 mismatches/);
  }, 300_000);

  it('DIR that is not a compiled output is bad input (IMC113)', async () => {
    const status = await main(['verify', mkdtempSync(join(tmpdir(), 'imcc-not-output-'))]);
    expect(status).toBe(1);
    expect(err).toContain('IMC113');
  });

  it('DIR whose imcc-output.json is not JSON, or records no source, is bad input (IMC113), not a crash', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'imcc-broken-marker-'));
    writeFileSync(join(broken, 'imcc-output.json'), '{ not json');
    expect(await main(['verify', broken])).toBe(1);
    expect(err).toContain('imcc-output.json is not valid JSON');
    const sourceless = mkdtempSync(join(tmpdir(), 'imcc-sourceless-marker-'));
    writeFileSync(join(sourceless, 'imcc-output.json'), '{"tool": "imcc"}');
    expect(await main(['verify', sourceless])).toBe(1);
    expect(err).toContain('records no design source');
    expect(err).not.toContain('    at ');
  });

  it('a bad seed is bad usage', async () => {
    const status = await main(['verify', 'test/verify/fixtures/conv1.imc', '--seed', 'x']);
    expect(status).toBe(2);
  });
});
