// Pool windows larger than their plane (issue 19: bench seeds 5085 and 5155 verified FAIL once the static pool stage
// replaced the per-core taps, whose internal error had refused them): taps further back than the plane reaches never
// join a window, whatever the width of the stage's counters.
import { describe, expect, it } from 'vitest';
import { lintAndVerifyTests, poolQueueParametersOf, poolStageParametersOf, prepare } from '../emit/rtl/helpers.js';

describe('a 5x5 average pool on a 3x3 plane and a 5x5 max pool on a 1x1 plane, both padded by 2', () => {
  const p = prepare('test/verify/fixtures/window-past-plane.imc');
  it('walks the 1x1 plane with a line-buffer stage whose window reaches further back than its counters count', () => {
    expect(poolQueueParametersOf(p.files, 'window_past_plane_c00')).toMatchObject({ IN_H: 3, POOL_H: 5, PAD_TOP: 2 });
    const [stage] = poolStageParametersOf(p.files, 'window_past_plane_c02');
    expect(stage).toMatchObject({ IN_H: 1, IN_W: 1, POOL_H: 5, POOL_W: 5, PAD_TOP: 2 });
    expect(2 ** stage.CW).toBeLessThanOrEqual(4);
  });
  lintAndVerifyTests(p, 100);
});
