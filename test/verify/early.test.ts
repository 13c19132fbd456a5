// Issue 19: a network whose output is complete before its input has finished streaming (no padding; a 2x2 max pool
// drops c2's last row and column, so the output never needs the last input column). The testbench used to stop at the
// last output and report the input's remaining writes as "never issued" (a false FAIL); the top now steps until every
// input pixel is taken and every core has computed all its outputs, and verification passes.
import { describe, expect, it } from 'vitest';
import { generateInputImage } from '../../src/ir/weights.js';
import { simulateRtlDirectory, verifyRtlDirectory } from '../../src/verify/index.js';
import { prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';

describe('a network whose output completes before its input', () => {
  const p = prepare('test/verify/fixtures/early.imc');

  it('splits c1 into column parts and c2 into row parts on 32x32 tiles', () => {
    const parts = (layer: string) => p.mapping.layers.find((l) => l.layer === layer)!;
    expect(parts('c1').colParts).toBe(2);
    expect(parts('c2').rowParts).toBe(8);
  });

  it('emits its last output before the last input pixel arrives, and still verifies every write', async () => {
    const dir = writeFiles(p.files);
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const image = generateInputImage(1, input.shape, input.activationBits);
    const { trace } = await simulateRtlDirectory(dir, p.program, image, { cacheDir: TEST_CACHE });
    const outputCore = p.mapping.cores.find((c) => c.layer === 'logits' && c.role !== 'partial')!.index;
    const lastOutput = Math.max(...trace.activations.filter((a) => a.core === outputCore).map((a) => a.t));
    const lastInputPixel = input.shape.height * input.shape.width - 1;
    expect(lastOutput).toBeLessThan(lastInputPixel);
    expect(trace.done).toBe(true);
    expect(trace.timesteps).toBeGreaterThan(lastInputPixel);

    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(20_000);
  }, 600_000);
});
