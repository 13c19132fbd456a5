// A datapath whose requantization keeps values past 2^53 (issue 19; the RTL generator refused it with IMC112 while
// the reference model computed in doubles): 32-bit activations and weights, column sums up to 2^66, accumulators up to
// 2^74. The reference model computes such layers in BigInt (src/reference/exactness.ts), so the design verifies
// bit-exact, and a batch-norm multiplier one off fails.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('a neuron datapath whose requantization keeps values past 2^53', () => {
  const p = prepare('test/verify/fixtures/exact-datapath.imc');

  it('is planned (no IMC112), every layer on the BigInt path of the reference model', () => {
    const plan = planRtl(p.program);
    expect(plan.cores.filter((c) => c.neuron).map((c) => [c.layer.layer, c.neuron!.accBits, c.neuron!.requantShift])).toEqual([
      ['c1', 71, 31],
      ['c2', 80, 38],
      ['logits', 68, 30],
    ]);
    expect([...p.program.reference.layers.values()].map((l) => l.arithmetic)).toEqual(
      Array(3).fill({ columnSums: 'bigint', neuron: 'bigint' }),
    );
  });

  it('verifies bit-exact on two images, with non-zero and saturated activations in every layer', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const layers = result.coverage.filter((c) => c.activations > 0);
    expect(layers.map((c) => c.layer)).toEqual(['c1', 'c2', 'logits']);
    for (const c of layers) expect(c.nonZero).toBeGreaterThan(0);
    expect(layers.reduce((n, c) => n + c.saturated, 0)).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c2 when one batch-norm multiplier is one off', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl/exact_datapath_c01_bn_scale.mem');
    const text = readFileSync(path, 'utf8');
    // Channel 2's multiplier 53 (0x35) becomes 52.
    const mutated = text.replace(/\n35\n/, '\n34\n');
    expect(mutated).not.toBe(text);
    writeFileSync(path, mutated);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c01', layer: 'c2' });
  }, 300_000);
});
