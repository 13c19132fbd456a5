// A ragged method-2 block (replicas not a multiple of dW) end to end through the CLI: every phase computes it
// (the RTL too, test/verify/raggedBlocks.test.ts), never with a stack trace.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TARGET } from '../diagnostics/cases.js';

const dir = mkdtempSync(join(tmpdir(), 'imcc-ragged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 't.imc'), TARGET);
const design = join(dir, 'ragged.imc');
writeFileSync(
  design,
  'import "t.imc"\nnetwork n on t {\n  input image: 3x8x8, 8 bits\n  a = relu(conv(image, out 4, kernel 3, pad 1))\n  b = conv(a, out 4, kernel 3, pad 1)\n' +
    '  output b\n  mapping { layer a: replicas 3, method 2, dw 2 }\n}\n',
);

describe('a ragged block (3 replicas, dw 2) through the CLI', () => {
  it('imcc map maps it: 3 replicas, dW 2', async () => {
    const run = await runCli(['map', design]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/a\.conv\s+conv\s+27x4\s+3\s+2\s+2\s+45x12/);
  });

  it('imcc infer computes it', async () => {
    const run = await runCli(['infer', design]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('argmax:');
  });

  it('imcc schedule steps core a by its lattice (the first block above and left of the plane) and b by a\'s emission', async () => {
    const run = await runCli(['schedule', design]);
    expect(run.code).toBe(0);
    // Block 0 of a sits at (2, -1): only its last replica, at (2, 0), is in the plane; it reads region rows 1..3.
    expect(run.stdout).toContain('5 C blk=0 out=2,-1 active=1\n');
    // b receives a's pixels three per timestep, in a's order: the blocks of column -1 send (2,0) and (5,0), then
    // block (0,0) sends (0,0), (1,0), (0,1).
    expect(run.stdout).toMatch(/core c01[\s\S]*arrivals-per-timestep 3[\s\S]*--\n0 W 2,0 [^\n]*\n0 W 5,0 [^\n]*\n0 W 0,0 [^\n]*\n1 W 1,0 [^\n]*\n1 W 0,1 /);
  });

  it('imcc simulate times it: a produces 3 pixels per timestep, b receives them over a 3-pixel link', async () => {
    const run = await runCli(['simulate', design]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/a\.conv\s+c00\s+3\s+64 /);
    expect(run.stdout).toMatch(/c00 -> c01\s+feedforward\s+3\s+32/);
  });

  it('imcc compile writes the RTL too: a\'s controller takes its lattice blocks from a table, b\'s the blocks a sends', async () => {
    const out = join(dir, 'out');
    const run = await runCli(['compile', design, '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('IMC112');
    expect(existsSync(join(out, 'schedules', 'c00.sched'))).toBe(true);
    expect(existsSync(join(out, 'rtl', 'n_c00_blocks.mem'))).toBe(true);
    expect(existsSync(join(out, 'rtl', 'n_c01_arrivals.mem'))).toBe(true);
  });

  it('imcc optimize --ragged says so in its third line and may choose ragged counts; without it, it never does', async () => {
    const ragged = await runCli(['optimize', design, '--ragged', '--ignore-bandwidth', '--json']);
    expect(ragged.code).toBe(0);
    const text = await runCli(['optimize', design, '--ragged', '--ignore-bandwidth']);
    expect(text.stdout.split('\n')[2]).toBe('blocks: ragged method-2 blocks searched too (--ragged)');
    const plain = await runCli(['optimize', design, '--ignore-bandwidth', '--json']);
    const replicas = (run: { stdout: string }) => Object.values((JSON.parse(run.stdout) as { chosen: { replicas: Record<string, number> } }).chosen.replicas);
    // Full blocks tile the 8x8 planes on a grid only with powers of two; ragged ones take other counts too.
    expect(replicas(plain).every((n) => (n & (n - 1)) === 0)).toBe(true);
    expect(replicas(ragged).some((n) => n % 2 === 1 && n > 1)).toBe(true);
  });
});
