// A neuron datapath wider than 64 bits (issue 19): generated and verified bit-exact. A requantization that keeps
// values past 2^53 is generated too (the reference model is exact at any width): test/verify/exactDatapath.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { planRtl } from '../../src/emit/rtl/plan.js';
import type { IrDesign } from '../../src/ir/types.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const FIXTURE = 'test/verify/fixtures/wide-datapath.imc';

function designOf(text: string): IrDesign {
  const { design, diagnostics } = loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return design!;
}

describe('a neuron datapath wider than 64 bits', () => {
  it('is planned at its exact width: 32-bit codes << 30 = 65 bits, 73 with a batch norm', () => {
    const plan = planRtl(createProgram(designOf(readFileSync(FIXTURE, 'utf8'))));
    expect(plan.cores.map((p) => [p.layer.layer, p.neuron!.accBits])).toEqual([
      ['c1', 65],
      ['c2', 73],
      ['logits', 65],
    ]);
  });

  it('verifies bit-exact', async () => {
    const program = createProgram(designOf(readFileSync(FIXTURE, 'utf8')));
    const result = await verifyRtlDirectory(writeFiles(emitRtl(program)), program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(500);
  }, 600_000);

  it('is planned when the requantization keeps values past 2^53 (shift 48, 16-bit activations; IMC112 before)', () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('c2 = conv(x, out 4, kernel 3x3, pad 1)', 'c2 = conv(x, out 4, kernel 3x3, pad 1, requant 48)');
    const plan = planRtl(createProgram(designOf(text)));
    expect(plan.cores.find((p) => p.layer.layer === 'c2')!.neuron).toMatchObject({ accBits: 73, requantShift: 48 });
  });
});
