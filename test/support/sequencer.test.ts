// test/support/sequencer.ts: on a fresh clone (no durations from a previous run) the longest files start first, in
// the listed order, and the other files keep vitest's own order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { LONGEST_FIRST, LongestFirstSequencer } from './sequencer.js';

describe('LongestFirstSequencer', () => {
  it('starts the listed files first, in order, then the rest as vitest orders them', async () => {
    const root = '/repo';
    // No results and no file stats: vitest's own order keeps the given order.
    const ctx = { config: { root }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;
    const project = { name: '', config: { sequence: { groupOrder: 0 }, isolate: true } };
    const spec = (file: string) => ({ moduleId: join(root, file), project }) as unknown as TestSpecification;
    const others = ['a.test.ts', 'b.test.ts', 'c.test.ts'].map((f) => `test/${f}`);
    const files = [others[0], LONGEST_FIRST[2], others[1], LONGEST_FIRST[0], others[2], ...LONGEST_FIRST.slice(3), LONGEST_FIRST[1]];
    const sorted = await new LongestFirstSequencer(ctx).sort(files.map(spec));
    expect(sorted.map((s) => s.moduleId.slice(root.length + 1))).toEqual([...LONGEST_FIRST, ...others]);
  });

  it('lists files that exist (a moved test file would silently lose its place)', () => {
    for (const file of LONGEST_FIRST) expect(existsSync(file), file).toBe(true);
  });
});
