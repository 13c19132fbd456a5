// A row part whose rows hold some channels of several pixels (issue 19: 40 channels on 32-row tiles): the memory
// phase stores whole pixels in it, and the design verifies bit-exact with live activations.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram, type Program } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const FIXTURE = 'test/verify/fixtures/channels40.imc';

function program(): Program {
  const { design, diagnostics } = loadDesign(FIXTURE);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return createProgram(design!);
}

describe('a row part that holds some channels of several pixels', () => {
  it('stores whole pixels when its rows span kernel positions, only its channels when they do not', () => {
    const parts = planRtl(program()).cores.filter((p) => p.layer.layer === 'c2.conv');
    // 160 rows in parts of 32: part 0 is channels 0-31 of position 0, parts 1-3 each span two positions, part 4 is
    // channels 8-39 of position 3.
    expect(parts.map((p) => [p.slotFirst, p.slotLast, p.storedChannelBase, p.storedChannels])).toEqual([
      [0, 0, 0, 32],
      [0, 1, 0, 40],
      [1, 2, 0, 40],
      [2, 3, 0, 40],
      [3, 3, 8, 32],
    ]);
    // Part 1's first row is channel 32 of position 0: its bits start 32 activations into the patch.
    expect(parts[1].rowBitOffset).toBe(32 * 4);
  });

  it('verifies bit-exact with non-zero activations', async () => {
    const p = program();
    const result = await verifyRtlDirectory(writeFiles(emitRtl(p)), p, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(1000);
    for (const c of result.coverage.filter((c) => c.activations > 0)) expect(c.nonZero, c.core).toBeGreaterThan(0);
  }, 600_000);
});
