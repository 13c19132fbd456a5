// Timing of integrate-and-fire neuron cores (`model if`, T timesteps per image): every timestep of the static
// schedule becomes a macro-step of T timesteps, in which each crossbar operation is repeated T times (once per
// spike timestep, on the same stored input pixel) and the pixel's spikes go out as they fire. The schedule is the
// static one stretched by T (docs/dataflow.md "Integrate-and-fire cores").
import type { DataflowResult } from './types.js';

/** The first timestep of static timestep `t`'s macro-step. */
const startOf = (t: number, steps: number) => t * steps;
/** The last timestep of static timestep `t`'s macro-step: a result is complete only when its T reads are done. */
const endOf = (t: number, steps: number) => t * steps + steps - 1;

/** `result` (a static schedule) with every time stretched by `steps` timesteps per static timestep. */
export function stretchBySteps(result: DataflowResult, steps: number): DataflowResult {
  if (steps === 1) return result;
  const batchTimesteps = result.batchTimesteps * steps;
  const stretched: DataflowResult = {
    ...result,
    latencyTimesteps: result.latencyTimesteps * steps,
    intervalTimesteps: result.intervalTimesteps * steps,
    batchTimesteps,
    throughputImagesPerSecond: result.batch / (batchTimesteps * result.timestepNs * 1e-9),
    layers: result.layers.map((l) => ({
      ...l,
      firstTimestep: startOf(l.firstTimestep, steps),
      lastTimestep: endOf(l.lastTimestep, steps),
      busyTimesteps: l.busyTimesteps * steps,
    })),
    imageStarts: result.imageStarts.map((t) => startOf(t, steps)),
    imageOutputs: result.imageOutputs.map((t) => endOf(t, steps)),
  };
  if (result.activity) {
    // A core that computes p pixels in a static timestep computes them in each of the macro-step's T timesteps: a run
    // of static timesteps becomes a run T times as long.
    stretched.activity = result.activity.map((a) => ({
      ...a,
      starts: Float64Array.from(a.starts, (t) => startOf(t, steps)),
      lengths: Float64Array.from(a.lengths, (n) => n * steps),
    }));
  }
  if (result.outputs) stretched.outputs = result.outputs.map((o) => ({ ...o, timesteps: Float64Array.from(o.timesteps, (t) => endOf(t, steps)) }));
  return stretched;
}
