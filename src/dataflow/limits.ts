// The simulator's memory bound, counted in needed inputs (output pixels x kernel positions): a large plane computes its
// windows on the fly, so its peak grows with its pixels (1x4096x4096 with a 3x3 conv, 151 million needed inputs:
// about 0.9 GB; 1x8192x8192, 604 million: compile's whole run, report simulations included, peaks at 3.5 GB).
// Larger designs are refused before any work, with their size.
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { designWork } from '../ir/size.js';

/** Needed inputs the simulator accepts (a 4096x4096 3x3 conv is 151 million, 8192x8192 604 million). */
export const MAX_NEEDED_INPUTS = 650_000_000;

/** IMC190 when simulating DESIGN would exceed MAX_NEEDED_INPUTS; undefined when it fits. */
export function simulationSizeDiagnostic(design: IrDesign): Diagnostic | undefined {
  const work = designWork(design.network);
  if (work === undefined || work.neededInputs <= MAX_NEEDED_INPUTS) return undefined;
  return diagnostic(
    'IMC190',
    work.largest.span,
    { network: design.network.name, neededInputs: work.neededInputs.toLocaleString('en-US'), largest: work.largest.name, max: MAX_NEEDED_INPUTS.toLocaleString('en-US') },
  );
}
