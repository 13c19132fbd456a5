// Issue 19: verify gives a run up as stalled only after 4x the cycles the design is expected to take (cycleCap). The
// RTL's timesteps are self-timed (a timestep ends when every core is idle), and a neuron core walks its crossbar
// columns one per cycle, so a core with more columns than the target's timestep has cycles lengthens its timesteps.
// The cap counted the target's cycles only, and a correct run of such a design ended as a false FAIL ("stalled
// waiting for input"); it now adds each layer's excess (rtlStepCycles).
import { describe, expect, it } from 'vitest';
import { cyclesPerTimestep } from '../../src/memory/index.js';
import { cycleCap, rtlStepCycles, stepTiming, stepTimingText, verifyRtlDirectory } from '../../src/verify/index.js';
import { prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';

describe('a core whose neuron core needs more cycles than the target timestep has', () => {
  const p = prepare('test/verify/fixtures/long-steps.imc');
  const { controller } = p.design.target;
  const target = cyclesPerTimestep(controller.clockHz, controller.timestepNs);
  const latency = p.program.singleImageDataflow.latencyTimesteps;

  it("counts the RTL's longer steps in the cycle cap: reads, then one cycle per crossbar column", () => {
    expect(target).toBe(4);
    const read = p.plan.cores.find((c) => c.core === 'c00')!.readCyclesPerTimestep;
    expect(read).toBe(2);
    expect(rtlStepCycles(p.program).get('c00')).toBe(read + 76);
    // 182 timesteps of 4 cycles, plus 182 busy timesteps of 78 - 4 cycles more.
    expect(latency).toBe(182);
    expect(cycleCap(p.program).expected).toBe(182 * 4 + 182 * (78 - 4));
  });

  it('reports the cores whose RTL step is longer than the timestep (verify\'s timing line and JSON stepTiming)', () => {
    const timing = stepTiming(p.program);
    expect(timing).toMatchObject({ timestepCycles: 4, slowestStepCycles: 78, cores: p.mapping.cores.length });
    expect(timing.coresOver).toContain('c00');
    expect(stepTimingText(timing)).toMatch(/^timing: the RTL's steps take up to 78 clock cycles at \d+ of \d+ cores \(c00[ )].*over the target's 4 per timestep/);
    expect(stepTimingText({ ...timing, slowestStepCycles: 3, coresOver: [] })).toBe("timing: every core's RTL step fits the target's timestep (3 of 4 clock cycles at most)");
  });

  it('verifies bit-exact on non-zero activations, in more cycles than the target timing allows', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.coverage.find((c) => c.core === 'c00')!.nonZero).toBeGreaterThan(0);
    // The old cap (latency x target cycles x 4 + 10,000) is below what the run took; the new one is not.
    expect(result.cycles).toBeGreaterThan(latency * target * 4 + 10_000);
    expect(result.cycles).toBeLessThan(cycleCap(p.program).cap);
  }, 300_000);
});

describe("ResNet-32's default mapping (examples/resnet32.imc) in the RTL", () => {
  it('takes longer steps than its 50-cycle timestep at 11 of its 43 cores (up to 76 cycles)', () => {
    const timing = stepTiming(createProgram(loadDesign('examples/resnet32.imc').design!));
    expect(timing).toEqual({ timestepCycles: 50, slowestStepCycles: 76, cores: 43, coresOver: ['c22', 'c24', 'c25', 'c27', 'c29', 'c31', 'c33', 'c35', 'c37', 'c39', 'c41'] });
  });
});
