// imcc diff's engine on a small schedule: equal sets, a header-only change, an operations change (src/diff/).
import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../../src/memory/index.js';
import { renderSchedule } from '../../src/memory/scheduleFile.js';
import { diffScheduleSets, formatScheduleDiff } from '../../src/diff/scheduleDiff.js';
import { uniformPadding } from '../../src/ir/padding.js';

const tiny = buildSchedule({
  layer: 'conv', core: 'c03', height: 2, width: 2, channels: 3, bits: 4, kernelHeight: 2, kernelWidth: 2, stride: 1,
  padding: uniformPadding(1), replicas: [{ oy: 0, ox: 0 }], method: 1, dW: 1, wordBits: 8, depth: 64, layout: 'PLIP', arrivalsPerTimestep: 1,
});

describe('diffScheduleSets (imcc diff)', () => {
  const text = renderSchedule(tiny);
  const set = (t: string) => new Map([['c03.sched', t]]);

  it('equal sets are equal', () => {
    expect(diffScheduleSets(set(text), set(text))).toEqual({ equal: true, cores: [] });
  });

  it('a header-only change (depth) is reported as such, with the key', () => {
    const d = diffScheduleSets(set(text), set(text.replace('depth 64', 'depth 128')));
    expect(d.cores[0]).toMatchObject({ change: 'header', firstTimestep: null, linesRemoved: 1, linesAdded: 1 });
    expect(d.cores[0].headerChanges).toEqual([{ key: 'depth', old: '64', new: '128' }]);
  });

  it('a missing read is an operations change at its timestep', () => {
    const lines = text.split('\n');
    const i = lines.indexOf('0 R 0,0 word=0..1 bit=0 blk=0 at=1,1');
    const removed = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n').replace(/^ops 49$/m, 'ops 48');
    const d = diffScheduleSets(set(text), set(removed));
    expect(d.cores[0]).toMatchObject({
      change: 'operations',
      firstTimestep: 0,
      oldLine: '0 R 0,0 word=0..1 bit=0 blk=0 at=1,1',
      newLine: '1 W 1,0 word=4..5 bit=0',
      linesRemoved: 2,
      linesAdded: 1,
    });
    expect(formatScheduleDiff(d)).toContain('c03.sched: 3 lines differ (2 removed, 1 added); operations changed');
  });
});
