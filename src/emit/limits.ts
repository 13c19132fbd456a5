// The memory bound of compile and `imcc schedule`: the schedules are built and rendered whole (one line per memory operation, about 700 bytes
// of heap each at the peak, measured: 1x512x512 with a 3x3 conv, 2.86 million operations, 2.1 GB). Larger designs
// are refused before any work, with their size.
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import type { IrDesign } from '../ir/types.js';
import { designWork } from '../ir/size.js';

/** Schedule operations compile accepts: about 3 GB at its peak. */
export const MAX_SCHEDULE_OPS = 4_000_000;

/** IMC191 when compiling DESIGN would exceed MAX_SCHEDULE_OPS; undefined when it fits. */
export function compileSizeDiagnostic(design: IrDesign): Diagnostic | undefined {
  const work = designWork(design.network);
  if (work === undefined || work.scheduleOps <= MAX_SCHEDULE_OPS) return undefined;
  return diagnostic(
    'IMC191',
    work.largest.span,
    `network ${design.network.name} is too large to compile or schedule: its schedules hold ${work.scheduleOps.toLocaleString('en-US')} memory ` +
      `operations (a write per input pixel, a read per kernel position, a compute per output pixel; the most in layer ` +
      `'${work.largest.name}'), more than the ${MAX_SCHEDULE_OPS.toLocaleString('en-US')} that fit the memory bound of compile and schedule (about 3 GB)`,
  );
}
