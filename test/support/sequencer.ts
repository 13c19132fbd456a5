// The order vitest starts test files in: the longest first, so that with two workers the last file to start is a
// short one. Vitest does this by itself from the durations of the previous run (node_modules/.vite); on a fresh clone
// it has none and starts the largest files first, which puts ResNet-32's Yosys synthesis (the longest file, minutes)
// near the end. These files go first in this order; the rest keep vitest's order.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONGEST_FIRST = [
  'test/emit/rtl/synth.test.ts',
  'test/verify/examples.test.ts',
  'test/verify/optimized.test.ts',
  'test/emit/configs/neurosim.test.ts',
  'test/cli/package.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const k = LONGEST_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return k < 0 ? LONGEST_FIRST.length : k;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
