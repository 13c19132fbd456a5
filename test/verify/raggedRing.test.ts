// A ragged producer's blocks straddle the memory model's timesteps (issue 19, bench sweep seed 7041, reduced): the
// consumer's controller writes a block's pixels together, so the ring of input columns must hold a pixel from the
// arrival of its block's first pixel (src/memory/schedule.ts requiredColumns). With the 5 columns the per-pixel
// arrivals gave, (1,5) overwrote (1,0) before l1's second window read it: verify failed on an ADC output.
import { describe, expect, it } from 'vitest';
import { coreTiming } from '../../src/memory/schedule.js';
import { lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

const p = prepare('test/verify/fixtures/ragged-ring.imc');

describe('a ragged producer whose blocks straddle the model\'s arrival timesteps (3 replicas dW 2 on a 3x7 plane)', () => {
  it('keeps a pixel\'s ring slot from its block\'s first arrival: 6 columns for l1, not 5', () => {
    const l1 = p.plan.cores.find((c) => c.core === 'c01')!;
    expect(l1.params.arrivalBlock?.ragged).toBeDefined();
    const timing = coreTiming(l1.params);
    // (1,5) comes with (1,4) and (2,4) in one block; the model's third arrival slot of a timestep holds (2,4).
    expect([timing.arrival(2, 4), timing.arrival(1, 5)]).toEqual([4, 5]);
    expect(timing.written(1, 5)).toBe(4);
    expect(l1.columns).toBe(6);
  });

  lintAndVerifyTests(p, 500);
});
