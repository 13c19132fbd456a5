// Replicated layers split in column parts in RTL: column parts that start and end inside a replica (4 replicas of 10
// channels in parts of 14, 13 and 13 columns), each neuron core starting at its first column's replica and channel and
// adding the shortcut pixels of its own replicas; the output layer is one of them. Verified bit-exact.
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, neuronParametersOf, prepare } from '../emit/rtl/helpers.js';

describe('replicated layers split in column parts in RTL', () => {
  const p = prepare('test/verify/fixtures/replicated-columns.imc');
  const file = (path: string): string => p.files.find((f) => f.path === path)!.content;

  it('maps both layers with 4 replicas in three column parts of 14, 13 and 13 columns', () => {
    for (const l of p.mapping.layers) expect([l.matrix.replicas.length, l.colParts]).toEqual([4, 3]);
    const parts = p.mapping.cores.map((c) => [c.id, c.part.colStart, c.part.colEnd]);
    expect(parts).toEqual([
      ['c00', 0, 14],
      ['c01', 14, 27],
      ['c02', 27, 40],
      ['c03', 0, 14],
      ['c04', 14, 27],
      ['c05', 27, 40],
    ]);
  });

  it('starts each neuron core at its first column\'s replica and channel, and slices its replicas\' shortcut pixels', () => {
    // c04: column 14 is replica 1, channel 4; its columns end inside replica 2.
    // A shortcut pixel is done at the part's last column too, inside replica 2 (LAST_REPLICA_PARTIAL).
    expect(neuronParametersOf(p.files, 'replicated_columns_c04')).toMatchObject({ REPLICATED: 1, REP_Y_FIRST: 1, OC_FIRST: 4, LAST_REPLICA_PARTIAL: 1 });
    const top = file('rtl/replicated_columns_top.v');
    expect(top).toContain('.res_pixel_i ({layer_c1_pixel[119:80], layer_c1_pixel[79:40]})');
    // The batch-norm ROM of c04 holds channels 4..9, 0..6 (one entry per column).
    const bias = file('rtl/replicated_columns_c04_bn_bias.mem').split('\n').filter((l) => l !== '' && !l.startsWith('//'));
    const all = file('rtl/replicated_columns_c03_bn_bias.mem').split('\n').filter((l) => l !== '' && !l.startsWith('//'));
    expect(bias).toEqual([...all.slice(4, 10), ...all.slice(0, 7)]);
  });

  // Every activation, ADC column and address of the 6 cores and every output value are compared.
  lintAndVerifyTests(p, 5000);
});
