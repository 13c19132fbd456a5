// A ragged layer read by a 1x1 convolution at stride 3 (random network seed 5099; an internal error before): the
// reader's own reads need one stored column, but the producer's ragged blocks arrive two columns wide and the write
// address wraps the column ring once per block column, so the memory keeps the block's two (src/memory/schedule.ts,
// requiredColumns).
import { describe, expect, it } from 'vitest';
import { controllerParametersOf, lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

describe('a ragged layer (3 replicas dW 2) read by a 1x1 convolution at stride 3', () => {
  const p = prepare('test/verify/fixtures/ragged-sparse-reader.imc');

  it('maps l0 ragged and keeps two columns in l1\'s memory, as wide as l0\'s blocks', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['l0.conv', 3, 2],
      ['l1.conv', 1, 1],
    ]);
    expect(controllerParametersOf(p.files, 'ragged_sparse_reader_c01')).toMatchObject({ COLUMNS: 2, IN_BLOCK_W: 2, KERNEL_W: 1, STRIDE: 3 });
  });

  lintAndVerifyTests(p, 100);
});
