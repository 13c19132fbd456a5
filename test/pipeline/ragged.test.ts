// A ragged method-2 block (replicas not a multiple of dW) end to end through the CLI: every phase either computes it
// or refuses it naming the layer, at the mapping directive, never with a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('imcc compile refuses its memory layout (IMC065) at the directive', async () => {
    const run = await runCli(['compile', design, '-o', join(dir, 'out')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${design}:7:13: error IMC065: layer 'a.conv': the input-memory layout and schedules of a ragged block (3 replicas, dW 2)`);
  });

  it('imcc simulate refuses its dataflow (IMC066)', async () => {
    const run = await runCli(['simulate', design]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${design}:7:13: error IMC066: layer 'a.conv': the dataflow of a ragged block (3 replicas, dW 2) is not modelled yet`);
  });
});
