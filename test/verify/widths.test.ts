// Widths at powers of two (issue 19): a global average pool over 16 or 64 channels has a pool index of 4 or 6 bits,
// which cannot hold a row step of 16 or 64 ("16 does not fit 4 unsigned bits", "64 does not fit 6"); one pooled row
// never steps. Every width comes from unsignedBits (test/emit/rtl/literals.test.ts); these networks compile, lint clean
// and verify bit-exact.
import { describe, expect, it } from 'vitest';
import { coreModuleFile, lintAndVerifyTests, neuronParametersOf, prepare } from '../emit/rtl/helpers.js';

describe('a small residual network with 16 channels into a global average pool', () => {
  const p = prepare('test/verify/fixtures/residual16.imc');
  it('indexes its 16 pool entries with 4 bits and never steps a single pooled row', () => {
    expect(neuronParametersOf(p.files, 'residual16_c01')).toMatchObject({ POOL: 2, POOLED_H: 1, POOL_INDEX_BITS: 4 });
    const neuron = coreModuleFile(p.files, 'residual16_c01', 'neuron').content;
    expect(neuron).toContain('localparam integer ROW_STEP_VALUE = (POOLED_H > 1) ? CHANNELS : 0;');
  });
  lintAndVerifyTests(p, 500);
});

describe('ResNet-20 (16/32/64 channels, 1x1 projection shortcuts, global average pool, fc) on a 3x8x8 input', () => {
  const p = prepare('test/verify/fixtures/resnet20.imc');
  it('maps 19 convolutions, two projection shortcuts and the classifier, 64-channel layers in row parts', () => {
    expect(p.mapping.layers).toHaveLength(22);
    expect(p.mapping.layers.filter((l) => l.residualFrom !== undefined)).toHaveLength(9);
    expect(p.mapping.layers.filter((l) => l.rowParts > 1).length).toBeGreaterThan(0);
  });
  lintAndVerifyTests(p, 30_000);
});
