// Integrate-and-fire membranes wider than 64 bits (issue 19; IMC112 before): on a 65-bit neuron datapath the membranes
// hold 66 bits, before a max pool (the static neuron core) and after an average pool. The membrane module's widths
// are generic, so the design lints clean and verifies bit-exact in every timestep, and a changed threshold of the
// 66-bit membrane is caught.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { runReference } from '../../src/reference/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintAndVerifyTests, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const p = prepare('test/verify/fixtures/spiking-wide.imc');

describe('integrate-and-fire membranes wider than 64 bits', () => {
  it('are planned one bit wider than the 65-bit datapath, before and after a pool', () => {
    const plan = planRtl(p.program);
    expect(plan.cores.map((c) => [c.layer.layer, c.neuron!.accBits, c.neuron!.threshold?.integrateAndFire?.potentialBits])).toEqual([
      ['c1', 65, 66],
      ['c2', 65, 66],
      ['f1', 65, undefined],
    ]);
    expect(neuronParametersOf(p.files, 'spiking_wide_c00')).toMatchObject({ THRESHOLD: 2, V_BITS: 66, IF_THRESHOLD: 40000, IF_LEAK: 1000 });
  });

  it('spike and stay silent on the verification image (s1: some pixels reach the threshold of 40,000 in the later timesteps)', () => {
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const r = runReference(p.program.reference, generateInputImage(1, input.shape, input.activationBits), { recordTimesteps: true });
    const values = new Set(r.timesteps!.flatMap((t) => Array.from(t.nodes.get('s1')!.data)));
    expect([...values].sort()).toEqual([0, 1]);
  });

  lintAndVerifyTests(p, 500);

  it('catches a changed threshold of the 66-bit membrane', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl/spiking_wide_c00.v');
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/\.IF_THRESHOLD\s+\(40000\)/);
    writeFileSync(path, text.replace(/(\.IF_THRESHOLD\s+)\(40000\)/, '$1(60000)'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
    expect(result.firstMismatch!.what).toMatch(/^integrate-and-fire timestep \d: /);
  }, 300_000);
});
