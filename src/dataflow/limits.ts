// The simulator's memory bound: it keeps, per core, the input pixels every crossbar operation needs (about 11 bytes
// each at the process's peak, measured: 1x4096x4096 with a 3x3 conv, 151 million entries, 1.7 GB). Larger designs
// are refused before any work, with their size.
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import type { IrDesign } from '../ir/types.js';
import { designWork } from '../ir/size.js';

/** Needed-input entries the simulator accepts: about 2.3 GB at its peak. */
export const MAX_NEEDED_INPUTS = 200_000_000;

/** IMC190 when simulating DESIGN would exceed MAX_NEEDED_INPUTS; undefined when it fits. */
export function simulationSizeDiagnostic(design: IrDesign): Diagnostic | undefined {
  const work = designWork(design.network);
  if (work === undefined || work.neededInputs <= MAX_NEEDED_INPUTS) return undefined;
  return diagnostic(
    'IMC190',
    work.largest.span,
    `network ${design.network.name} is too large to simulate: its crossbar operations need ${work.neededInputs.toLocaleString('en-US')} ` +
      `input pixels in all (output pixels x kernel positions; the most in layer '${work.largest.name}'), more than the ` +
      `${MAX_NEEDED_INPUTS.toLocaleString('en-US')} that fit the simulator's memory bound (about 2.3 GB)`,
  );
}
