// The activity trace's runs (src/dataflow/activity.ts): consecutive busy timesteps computing the same pixels are one
// run, and the runs give back every busy timestep with its pixels.
import { describe, expect, it } from 'vitest';
import { ActivityRecorder, activityPixels, busyTimesteps, forEachBusyTimestep } from '../../src/dataflow/activity.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { fixtureMapping, tinyDesign } from './fixtures.js';

describe('ActivityRecorder', () => {
  it('merges consecutive timesteps with equal pixels into runs and keeps gaps and pixel changes apart', () => {
    const r = new ActivityRecorder('c00', 'c');
    // Timesteps 3, 4, 5 with 2 pixels (5 reached by two additions), 6 with 1, then 9, 10 with 1.
    r.begin(3, 2);
    r.begin(4, 2);
    r.begin(5, 1);
    r.add(1);
    r.begin(6, 1);
    r.begin(9, 1);
    r.begin(10, 1);
    const a = r.finish();
    expect([Array.from(a.starts), Array.from(a.lengths), Array.from(a.pixels)]).toEqual([
      [3, 6, 9],
      [3, 1, 2],
      [2, 1, 1],
    ]);
    const visited: number[][] = [];
    forEachBusyTimestep(a, (t, p) => visited.push([t, p]));
    expect(visited).toEqual([
      [3, 2],
      [4, 2],
      [5, 2],
      [6, 1],
      [9, 1],
      [10, 1],
    ]);
    expect(activityPixels(a)).toBe(9);
  });

  it('grows past its initial capacity', () => {
    const r = new ActivityRecorder('c00', 'c');
    // Every other timestep: 1000 runs of one timestep.
    for (let t = 0; t < 2000; t += 2) r.begin(t, 1);
    const a = r.finish();
    expect(a.starts.length).toBe(1000);
    expect(busyTimesteps(a)).toEqual(Array.from({ length: 1000 }, (_, i) => 2 * i));
  });

  it("a simulated layer's runs count every output pixel it computes, over the batch", () => {
    const design = tinyDesign({ height: 16 });
    const result = simulateDataflow(design, fixtureMapping(design), { batch: 3, activity: true });
    const conv = result.activity!.filter((a) => a.layer === 'c');
    // A 3x3 conv with padding 1 computes 16 x 16 pixels per image; runs are far fewer than busy timesteps.
    expect(conv.reduce((sum, a) => sum + activityPixels(a), 0)).toBe(3 * 16 * 16);
    expect(conv.reduce((sum, a) => sum + a.starts.length, 0)).toBeLessThan(3 * 16 * 16);
  });
});
