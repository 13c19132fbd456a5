// The chosen point's figures in the generated RTL's timing (`chosen.rtl`: the dataflow model at block granularity)
// beside the pixel model's the search ranks by: on ResNet-32 the two disagree about what ragged blocks gain
// (docs/optimize.md "Ragged blocks"). test/verify/optimizedTiming.test.ts runs a chosen ragged mapping in Verilator.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { optimizeDesign, type OptimizeOptions } from '../../src/optimize/index.js';

const resnet32 = loadDesign('examples/resnet32.imc').design!;
const run = (o: Partial<OptimizeOptions>) =>
  optimizeDesign(resnet32, { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: false, batch: 100, ...o }).chosen;
const figures = (c: ReturnType<typeof run>) => [c.latencyTimesteps, c.rtl.latencyTimesteps];

describe('ResNet-32: the optimizer\'s pixel figures against the RTL\'s', () => {
  it('within the bandwidth at 43 cores, ragged blocks cut the pixel latency (959 -> 903) and raise the RTL\'s (964 -> 1,024)', () => {
    expect(figures(run({ budget: 43 }))).toEqual([959, 964]);
    expect(figures(run({ budget: 43, ragged: true }))).toEqual([903, 1024]);
  });

  it('the 64-core ragged point: 315 timesteps in the pixel model, 366 in the RTL\'s (its verify run: 367)', () => {
    const chosen = run({ ignoreBandwidth: true, ragged: true });
    expect([chosen.cores, Math.round(chosen.throughputImagesPerSecond)]).toEqual([64, 77000]);
    expect(figures(chosen)).toEqual([315, 366]);
    expect(Math.round(chosen.rtl.throughputImagesPerSecond)).toBe(76699);
    // Without ragged blocks (8 replicas, method 1): 327 and 343; the RTL's throughput is 75,120 images/s.
    const full = run({ ignoreBandwidth: true });
    expect(figures(full)).toEqual([327, 343]);
    expect(Math.round(full.rtl.throughputImagesPerSecond)).toBe(75120);
  });
});
