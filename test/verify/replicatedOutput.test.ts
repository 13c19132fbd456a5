// A replicated output layer in RTL (method 2, 2x2 blocks): the top sends the whole block per valid, the testbench
// numbers its pixels in the block order, and verification places them with the layer's emission order.
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

describe('a replicated output layer in RTL', () => {
  const p = prepare('test/verify/fixtures/replicated-output.imc');

  it('maps the output layer with 2x2 blocks and emits four output pixels per valid', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 2, 1],
      ['c2', 4, 2],
    ]);
    const top = p.files.find((f) => f.path === 'rtl/replicated_output_top.v')!.content;
    // 4 pixels x 3 channels x 4 bits.
    expect(top).toContain('output wire [48-1:0]  out_pixel_o');
    const tb = p.files.find((f) => f.path === 'tb/replicated_output_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 4;');
  });

  // Every output value (3 x 6 x 6) is compared, with the activations, ADC columns and addresses of both cores.
  lintAndVerifyTests(p, 900);
});
