// Residual adds in RTL: an identity shortcut and a 1x1 resampling shortcut, each through a FIFO in the adding core,
// verified bit-exact against the reference model (with a global average pool dividing by 9 and a classifier).
import { describe, expect, it } from 'vitest';
import { prepare, verifyEdited, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

describe('residual network in RTL', () => {
  const p = prepare('test/verify/fixtures/residual.imc');

  it('verifies bit-exact', async () => {
    expect(p.mapping.layers.filter((l) => l.residualFrom !== undefined).length).toBe(2);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(1000);
  }, 600_000);

  it("a shortcut FIFO too shallow stops the run at its own check, and the report names that core, not a stall", async () => {
    // c01 adds the identity shortcut through a FIFO of 24 pixels; with 4 it overflows, the neuron core's check
    // ($finish) ends the run, and the report quotes it instead of the first core that then looks stalled.
    const result = await verifyEdited(p, 'residual_c01.v', (text) => text.replace(/\.RES_DEPTH(\s+)\(24\)/, '.RES_DEPTH$1(4)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c01', layer: 'c2' });
    expect(result.firstMismatch!.what).toMatch(/^the RTL stopped the simulation at cycle \d+: core c01 \(layer c2\): residual FIFO overflow$/);
  }, 600_000);
});
