// Pools with unequal padding sides in the RTL (issue 12): a TensorFlow-style SAME max pool (3x3, stride 2, padded
// below and to the right: the neuron core's overlapping-window line buffer) and an average pool padded on the left
// only (its window counters), after convolutions padded on one side; lint clean and bit-exact in Verilator.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, prepare } from './helpers.js';

function design(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-asympool-'));
  copyFileSync('examples/targets/digits-tile.imc', join(dir, 'digits-tile.imc'));
  const file = join(dir, 'asympool.imc');
  writeFileSync(
    file,
    [
      'import "digits-tile.imc"',
      'network asympool on digits_tile {',
      '  input image: 2x9x9, 8 bits',
      '  c = conv(image, out 4, kernel 3, pad_bottom 1, pad_right 1)',
      '  r = relu(c)',
      '  p = maxpool(r, size 3, stride 2, pad_bottom 1, pad_right 1)',
      '  q = conv(p, out 3, kernel 2, pad_top 1)',
      '  r2 = relu(q)',
      '  a = avgpool(r2, size 2, pad_left 1)',
      '  f = fc(flatten(a), out 5)',
      '  output f',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

describe('RTL of pools with unequal padding sides', () => {
  const p = prepare(design());

  it('has the shapes of the padded windows', () => {
    const shape = (name: string) => p.design.network.nodes.find((n) => n.name === name)!.shape;
    expect(shape('c')).toEqual({ channels: 4, height: 8, width: 8 });
    // (8 + 0 + 1 - 3) / 2 + 1 = 4 both ways.
    expect(shape('p')).toEqual({ channels: 4, height: 4, width: 4 });
    expect(shape('q')).toEqual({ channels: 3, height: 4, width: 3 });
    // Height (4 - 2) / 2 + 1 = 2; width (3 + 1 - 2) / 2 + 1 = 2.
    expect(shape('a')).toEqual({ channels: 3, height: 2, width: 2 });
  });

  lintAndVerifyTests(p, 100);
});
