// Residual adds in RTL: an identity shortcut and a 1x1 resampling shortcut, each through a FIFO in the adding core,
// verified bit-exact against the reference model (with a global average pool dividing by 9 and a classifier).
import { describe, expect, it } from 'vitest';
import { prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

describe('residual network in RTL', () => {
  it('verifies bit-exact', async () => {
    const p = prepare('test/verify/fixtures/residual.imc');
    expect(p.mapping.layers.filter((l) => l.residualFrom !== undefined).length).toBe(2);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(1000);
  }, 600_000);
});
