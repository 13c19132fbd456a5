import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { registerReplicate } from '../../src/cli/commands/replicate.js';
import { UsageError } from '../../src/cli/usage.js';
import { EXIT } from '../../src/cli/exit.js';
import { runCli } from '../support/cli.js';
import { replicationJson, validateReplicationJson } from '../../src/mapping/json.js';

/** Runs `imcc replicate ...args` on a bare program; returns stdout and the commander exit code (0 when none). */
async function run(args: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: (s) => (out += s) });
  registerReplicate(program, () => undefined);
  let code = 0;
  try {
    await program.parseAsync(['replicate', ...args], { from: 'user' });
  } catch (err) {
    // Commander's own errors carry their exit code; the command's checks of one value against another are UsageErrors,
    // which the CLI (src/cli/main.ts) exits with as bad usage.
    code = err instanceof UsageError ? EXIT.usage : ((err as { exitCode?: number }).exitCode ?? -1);
  } finally {
    spy.mockRestore();
  }
  return { out, code };
}

afterEach(() => vi.restoreAllMocks());

describe('imcc replicate', () => {
  it('options beyond the language limits, or a matrix too large to build, are bad usage (exit 2), not a hang', async () => {
    const usage = async (args: string[]) => (await runCli(['replicate', ...args])).code;
    expect(await usage(['--cin', '1000', '--cout', '1', '--kernel', '3', '--replicas', '100000'])).toBe(2);
    expect(await usage(['--cin', '65536', '--cout', '1', '--kernel', '65', '--replicas', '1'])).toBe(2);
    expect(await usage(['--cin', '65536', '--cout', '65536', '--kernel', '64', '--replicas', '4096', '--dw', '4096'])).toBe(2);
  });

  it('Figure 6: --json gives 672 rows for n = 20, dW = 5 and 1,056 for dW = 1, with equation 2', async () => {
    const m2 = await run(['--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '20', '--dw', '5', '--stride', '1', '--json']);
    const j2 = JSON.parse(m2.out);
    expect(j2).toMatchObject({ rows: 672, cols: 320, method: 2, aspectRatio: 2.1 });
    expect(j2.equation2AspectRatio).toBeUndefined();
    const m1 = await run(['--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '20', '--json']);
    const j1 = JSON.parse(m1.out);
    expect(j1).toMatchObject({ rows: 1056, cols: 320, method: 1, aspectRatio: 3.3, equation2AspectRatio: 3.3 });
  });

  it('Figure 5: text mode draws the 3x2 output block and the 5x4 input area', async () => {
    const { out } = await run(['--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '6', '--dw', '2']);
    expect(out).toContain('collective kernel matrix: 320 rows x 96 cols (method 2, dW 2, stride 1)');
    expect(out).toContain('  0 3\n  1 4\n  2 5\n');
    expect(out).toContain('5x4 area, 20 distinct pixels x 16 channels = 320 rows');
    expect(out).toContain('  1 2 2 1\n  2 4 4 2\n  3 6 6 3\n  2 4 4 2\n  1 2 2 1\n');
  });

  it('stride larger than the kernel leaves unread pixels, drawn as dots', async () => {
    const { out } = await run(['--cin', '1', '--cout', '1', '--kernel', '1', '--replicas', '2', '--stride', '2']);
    expect(out).toContain('collective kernel matrix: 2 rows x 2 cols');
    expect(out).toContain('  1\n  .\n  1\n');
  });

  // Each ends in a CommanderError, which main turns into exit status 2 (bad usage).
  it('answers for every count: a ragged block (7 replicas, dW 3) has its last column partly filled', async () => {
    const { out, code } = await run(['--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '7', '--dw', '3']);
    expect(code).toBe(0);
    expect(out).toContain('collective kernel matrix: 368 rows x 112 cols (method 2, dW 3, stride 1)');
    expect(out).toContain('ragged block: 7 replicas do not fill 3x3; its blocks tile an output plane on a skewed lattice');
    expect(out).toContain('  0 3 6\n  1 4 .\n  2 5 .\n');
    const json = JSON.parse((await run(['--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '7', '--dw', '3', '--json'])).out) as { ragged?: boolean };
    expect(json.ragged).toBe(true);
  });

  it('a count that leaves the last column empty (5 replicas, dW 4: 2x3 drawn) is answered, and said to be refused by a mapping', async () => {
    const { out, code } = await run(['--cin', '1', '--cout', '1', '--kernel', '1', '--replicas', '5', '--dw', '4']);
    expect(code).toBe(0);
    expect(out).toContain('ragged block: 5 replicas do not fill 2x4; they leave its last column empty, which a mapping refuses (IMC064)');
  });

  it('bad usage: non-integer values, missing options and a block wider than its replicas are refused', async () => {
    expect((await run(['--cin', 'x', '--cout', '1', '--kernel', '1', '--replicas', '1'])).code).not.toBe(0);
    expect((await run(['--cin', '1', '--cout', '1', '--kernel', '1', '--replicas', '0'])).code).not.toBe(0);
    expect((await run(['--cin', '1', '--cout', '1', '--kernel', '3', '--replicas', '2', '--dw', '3'])).code).toBe(2);
    expect((await run(['--cout', '1', '--kernel', '3', '--replicas', '5'])).code).not.toBe(0);
  });

  it('the JSON matches schemas/replicate.schema.json; a broken one is refused', () => {
    const j = replicationJson({ inChannels: 3, outChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2, replicas: 4, dW: 2 });
    expect(() => validateReplicationJson(j)).not.toThrow();
    expect(() => validateReplicationJson({ ...j, method: 3 })).toThrow(/replicate.schema.json/);
  });
});
