// Comparison of an integrate-and-fire design's trace (`model if`): the RTL runs the image's T timesteps one after the
// other, so each timestep's events (memory addresses, ADC outputs, spikes and other activations, the network output
// of that timestep) are compared with the reference model's result of the same timestep. The rate-coded result, the
// sum of the T outputs, then agrees too.
import type { BlockShape } from '../mapping/block.js';
import type { Schedule } from '../memory/schedule.js';
import type { ReferenceResult } from '../reference/mapped.js';
import { compareTrace, Tally, type Comparison, type CoreInfo, type Mismatch } from './compare.js';
import type { Trace } from './trace.js';

/** Compares each of the trace's timesteps with the reference's; a timestep the RTL never started is a mismatch. */
export function compareTimesteps(
  trace: Trace,
  cores: CoreInfo[],
  schedules: Map<string, Schedule>,
  reference: ReferenceResult,
  outputShape: { channels: number; height: number; width: number },
  outputBlock: BlockShape,
): Comparison {
  const expected = reference.timesteps;
  if (!expected) throw new Error('verify: the reference recorded no timesteps of the integrate-and-fire design');
  const runs = trace.ifSteps ?? [];
  const tally = new Tally();
  const incomplete = (what: string): Mismatch => ({
    kind: 'incomplete',
    core: null,
    layer: null,
    timestep: null,
    scheduleTimestep: null,
    what,
    expected: expected.length,
    actual: runs.length,
  });
  for (let step = 0; step < expected.length; step++) {
    const run = runs[step];
    if (run) {
      const comparison = compareTrace(run, cores, schedules, expected[step], outputShape, outputBlock);
      tally.merge(comparison, (m) => ({ ...m, what: `integrate-and-fire timestep ${step}: ${m.what}` }));
    } else {
      tally.check(false, () => incomplete(`integrate-and-fire timestep ${step} of ${expected.length} never started`));
    }
  }
  if (runs.length > expected.length) tally.check(false, () => incomplete(`the RTL ran ${runs.length} timesteps, not ${expected.length}`));
  return tally.result();
}
