// The two ResNet-32 examples verified whole in Verilator, as `imcc verify` does: every memory address of every
// controller against its Algorithm 2 schedule, every ADC output, activation and output against the reference model.
// examples/resnet32.imc is the paper's mapping (43 cores, one pixel per timestep); examples/resnet32-speedup.imc the
// speed-up of section 3.1.4 (2x2 blocks of method 2 in the stem and stage 1, columns of 2 pixels in stage 2, 52 cores).
import { describe, expect, it } from 'vitest';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

describe('whole-network verification of the examples', () => {
  it('examples/resnet32.imc verifies bit-exact', async () => {
    const p = prepare('examples/resnet32.imc');
    expect(p.mapping.cores.length).toBe(43);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(800_000);
  }, 1_800_000);

  it('examples/resnet32-speedup.imc (method 2 and method 1 replication) verifies bit-exact', async () => {
    const p = prepare('examples/resnet32-speedup.imc');
    expect(p.mapping.cores.length).toBe(52);
    expect(p.mapping.layers.slice(0, 11).every((l) => l.matrix.dW === 2 && l.matrix.replicas.length === 4)).toBe(true);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(800_000);
  }, 1_800_000);
});
