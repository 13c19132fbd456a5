// Comparison of an integrate-and-fire design's trace (`model if`): the RTL runs the image's T timesteps one after the
// other, so each timestep's events (memory addresses, ADC outputs, spikes and other activations, the network output
// of that timestep) are compared with the reference model's result of the same timestep. The rate-coded result, the
// sum of the T outputs, then agrees too.
import type { BlockShape, Schedule } from '../memory/schedule.js';
import type { ReferenceResult } from '../reference/mapped.js';
import { compareTrace, type Comparison, type CoreInfo, type Mismatch } from './compare.js';
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
  const total: Comparison = { comparisons: 0, mismatches: 0, firstMismatch: null, byKind: { memory: 0, adc: 0, timing: 0, handshake: 0, activation: 0, output: 0, incomplete: 0 } };
  const add = (c: Comparison, step: number): void => {
    total.comparisons += c.comparisons;
    total.mismatches += c.mismatches;
    for (const [kind, n] of Object.entries(c.byKind)) total.byKind[kind as Mismatch['kind']] += n;
    // Timesteps run in order: the first mismatch is in the earliest timestep that has one.
    if (total.firstMismatch === null && c.firstMismatch !== null) {
      total.firstMismatch = { ...c.firstMismatch, what: `integrate-and-fire timestep ${step}: ${c.firstMismatch.what}` };
    }
  };
  for (let step = 0; step < expected.length; step++) {
    const run = runs[step];
    if (run) {
      add(compareTrace(run, cores, schedules, expected[step], outputShape, outputBlock), step);
      continue;
    }
    const missing: Mismatch = {
      kind: 'incomplete',
      core: null,
      layer: null,
      timestep: null,
      scheduleTimestep: null,
      what: `integrate-and-fire timestep ${step} of ${expected.length} never started`,
      expected: expected.length,
      actual: runs.length,
    };
    add({ comparisons: 1, mismatches: 1, firstMismatch: missing, byKind: { memory: 0, adc: 0, timing: 0, handshake: 0, activation: 0, output: 0, incomplete: 1 } }, step);
  }
  if (runs.length > expected.length) {
    add(
      {
        comparisons: 1,
        mismatches: 1,
        firstMismatch: { kind: 'incomplete', core: null, layer: null, timestep: null, scheduleTimestep: null, what: `the RTL ran ${runs.length} timesteps, not ${expected.length}`, expected: expected.length, actual: runs.length },
        byKind: { memory: 0, adc: 0, timing: 0, handshake: 0, activation: 0, output: 0, incomplete: 1 },
      },
      expected.length,
    );
  }
  return total;
}
