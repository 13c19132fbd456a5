import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // At least two test files at a time: vitest's default (one fewer than the CPUs) is a single worker on a 2-core
    // machine, which leaves a core idle while a file waits on one process (a Verilator run, a Yosys unit, npm). The
    // files share only caches that are safe to share (src/support/lock.ts; test/support/dist.ts).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongestFirstSequencer },
  },
});
