// How the generated RTL's steps compare with the target's timestep: each core reads its patch, then its neuron core
// walks its crossbar columns one per cycle, which may take longer than the target's timestep gives. The sequencer then
// waits for the slowest core, so the RTL runs slower than the dataflow model's timing there, with the same results.
import type { Core } from '../mapping/types.js';
import { cyclesPerTimestep } from '../memory/index.js';
import type { Program } from '../pipeline/program.js';
import { gathersColumnParts, heldPoolCycles } from '../mapping/replicatedPool.js';
import { groupDigits } from '../support/format.js';

/**
 * Clock cycles one timestep of each core's work takes in the generated RTL at least: it reads its patch (the memory
 * plan's read cycles), then its neuron core walks the crossbar columns, one per cycle (templates/rtl/imcc_neuron.v.hbs;
 * a partial core sends its ADC codes instead, and a core gathering its layer's parts walks all the layer's columns;
 * a method-2 core whose pixels end several windows of its queued pool holds its walk to emit them: heldPoolCycles).
 * The sequencer ends a timestep when every core is idle, so a core with more columns than the target's timestep has
 * cycles lengthens its timesteps: the RTL is slower than the dataflow model's timing there, not wrong.
 */
export function rtlStepCycles(program: Program): Map<string, number> {
  const { design, mapping } = program;
  const reads = new Map(program.memory.cores.map((c) => [c.core, c.readCyclesPerTimestep]));
  // Whether a layer's core gathers its parts, and its held cycles: the layer's, once per layer, not per core.
  const layers = new Map(mapping.layers.map((l) => [l.layer, { layer: l, gathers: gathersColumnParts(design, l), held: heldPoolCycles(design, l) }]));
  const columns = (c: Core): number => {
    if (c.role === 'partial') return 0;
    const { layer, gathers, held } = layers.get(c.layer)!;
    return (gathers ? layer.matrix.columnSinks.length : c.part.colEnd - c.part.colStart) + held;
  };
  return new Map(mapping.cores.map((c) => [c.id, (reads.get(c.id) ?? 0) + columns(c)]));
}

/**
 * The clock cycles of the target's timestep and of the generated RTL's longest core step (rtlStepCycles), and the cores
 * whose step takes longer than the timestep: the RTL stretches those timesteps (its sequencer waits for every core),
 * so it runs slower than the dataflow model's timing there, with the same results.
 */
export interface StepTiming {
  timestepCycles: number;
  slowestStepCycles: number;
  /** Cores of the design, and those whose step takes longer than the timestep. */
  cores: number;
  coresOver: string[];
}

/** The RTL's steps against the target's timestep (StepTiming). */
export function stepTiming(program: Program): StepTiming {
  const { clockHz, timestepNs } = program.design.target.controller;
  const timestepCycles = cyclesPerTimestep(clockHz, timestepNs);
  const steps = [...rtlStepCycles(program)];
  return {
    timestepCycles,
    slowestStepCycles: Math.max(0, ...steps.map(([, cycles]) => cycles)),
    cores: steps.length,
    coresOver: steps.filter(([, cycles]) => cycles > timestepCycles).map(([core]) => core),
  };
}

/** One line for the text report of verify. */
export function stepTimingText(t: StepTiming): string {
  if (t.coresOver.length === 0) return `timing: every core's RTL step fits the target's timestep (${t.slowestStepCycles} of ${t.timestepCycles} clock cycles at most)`;
  return (
    `timing: the RTL's steps take up to ${groupDigits(t.slowestStepCycles)} clock cycles at ${t.coresOver.length} of ${t.cores} cores ` +
    `(${t.coresOver.slice(0, 8).join(' ')}${t.coresOver.length > 8 ? ' ...' : ''}), over the target's ${t.timestepCycles} per timestep: those timesteps run longer in the RTL than in the dataflow model (same results)`
  );
}
