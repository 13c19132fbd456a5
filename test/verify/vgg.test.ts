// A VGG-style network (issue 19) whose 5x5 layer is split into 7 row parts: the memory plan used to reject it
// (IMC072, test/memory/reads.test.ts); it compiles, lints clean and verifies bit-exact.
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

describe('a VGG-style network with 5x5 row parts in RTL', () => {
  const p = prepare('test/verify/fixtures/vgg.imc');
  it('maps the 5x5 layer in 7 row parts', () => {
    expect(p.mapping.layers.find((l) => l.layer === 'c3.conv')!.rowParts).toBe(7);
  });
  lintAndVerifyTests(p, 100_000);
});
