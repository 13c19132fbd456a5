// `mapping { optimize throughput cores 52 }`: every loader of a design (the CLI commands, imcc verify) hands the
// design through here, so map, simulate, compile and verify all use the optimizer's choice.
import type { IrDesign } from '../ir/types.js';
import { optimizeDesign } from './optimize.js';

/** The design with the optimizer's replication when its mapping block asks for it; otherwise the design itself. */
export function applyOptimizeDirective(design: IrDesign): IrDesign {
  const d = design.network.optimize;
  if (d === undefined) return design;
  return optimizeDesign(design, {
    strategy: d.strategy,
    objective: d.objective,
    budget: d.cores,
    budgetSpan: d.span,
    ignoreBandwidth: d.ignoreBandwidth,
    batch: 100,
  }).design;
}
