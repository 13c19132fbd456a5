// What a verification run exercised, per core: activations emitted, how many were non-zero and how many sat at the
// limit of their range (saturation), and how many input columns reused a slot of the circular memory (ring wraps).
// A run whose activations are all zero or never saturate cannot catch a wrong weight or saturation bound: the report
// shows it.
import type { IrDesign } from '../ir/types.js';
import { nodeIndex } from '../ir/nodeIndex.js';
import { layerIndex } from '../mapping/layerIndex.js';
import type { Mapping } from '../mapping/types.js';
import type { Schedule } from '../memory/schedule.js';
import type { Trace } from './trace.js';
import { groupDigits } from '../support/format.js';

export interface CoreCoverage {
  core: string;
  layer: string;
  activations: number;
  nonZero: number;
  saturated: number;
  ringWraps: number;
}

export function coverage(trace: Trace, design: IrDesign, mapping: Mapping, schedules: ReadonlyMap<string, Schedule>): CoreCoverage[] {
  const nodes = nodeIndex(design.network);
  return mapping.cores.map((core) => {
    const lm = layerIndex(mapping).get(core.layer)!;
    const bits = (nodes.get(lm.output) ?? nodes.get(lm.layer))!.activationBits;
    const max = 2 ** (bits - 1) - 1;
    const min = -(2 ** (bits - 1));
    let activations = 0;
    let nonZero = 0;
    let saturated = 0;
    for (const a of trace.activations) {
      if (a.core !== core.index) continue;
      activations++;
      if (a.value !== 0) nonZero++;
      if (a.value === max || a.value === min) saturated++;
    }
    const schedule = schedules.get(core.id);
    const wrapped = new Set<number>();
    for (const op of schedule?.ops ?? []) if (op.op === 'W' && op.x >= schedule!.header.columns) wrapped.add(op.x);
    return { core: core.id, layer: core.layer, activations, nonZero, saturated, ringWraps: wrapped.size };
  });
}

/** One line for the text report: totals, and the emitting cores whose activations were all zero or never saturated. */
export function coverageText(cores: readonly CoreCoverage[]): string {
  const emitting = cores.filter((c) => c.activations > 0);
  // Grouped digits like every table of the CLI: several images' counts pass a thousand.
  const sum = (f: (c: CoreCoverage) => number): string => groupDigits(cores.reduce((s, c) => s + f(c), 0));
  const dead = emitting.filter((c) => c.nonZero === 0).map((c) => c.core);
  const unsaturated = emitting.filter((c) => c.saturated === 0).map((c) => c.core);
  return (
    `coverage: ${sum((c) => c.activations)} activations, ${sum((c) => c.nonZero)} non-zero, ${sum((c) => c.saturated)} saturated, ` +
    `${sum((c) => c.ringWraps)} ring wraps; all zero: ${dead.length > 0 ? dead.join(' ') : 'none'}; ` +
    `never saturated: ${unsaturated.length > 0 ? unsaturated.join(' ') : 'none'}`
  );
}
