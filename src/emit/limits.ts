// The size bounds of compile and `imcc schedule`, decided from the IR alone before any work (src/ir/size.ts).
// Schedules are streamed (src/memory/schedule.ts streamSchedule): compile's memory no longer grows with them, so what
// bounds compile is the dataflow simulation its reports need (IMC190, src/dataflow/limits.ts) and the disk the
// schedule text takes. Only `imcc schedule --json` still builds schedules whole.
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { designWork } from '../ir/size.js';
import { simulationSizeDiagnostic } from '../dataflow/limits.js';

/**
 * Schedule operations `imcc schedule --json` builds whole: about 700 bytes of heap each at the peak (measured:
 * 1x512x512 with a 3x3 conv, 2.86 million operations, 2.1 GB), so about 3 GB.
 */
export const MAX_WHOLE_SCHEDULE_OPS = 4_000_000;

/**
 * Schedule operations compile writes as `.sched` text: 44 to 50 bytes a line (measured: 1x256x256, 3x3 conv, 710,696
 * lines in 31.3 MB), so about 2.5 GB of files (a 1x2048x2048 3x3 conv is 46 million). Above it the schedules are
 * skipped with IMC192: a 4096x4096 input would write 9 GB, an 8192x8192 one 37 GB.
 */
export const MAX_WRITTEN_SCHEDULE_OPS = 50_000_000;

/** Bytes a schedule line takes at most in the estimate IMC192 states. */
const BYTES_PER_SCHEDULE_LINE = 50;

function gigabytes(bytes: number): string {
  return (bytes / 1e9).toFixed(1);
}

/** What refuses compile before any work: the simulation of its report (IMC190); undefined when it fits. */
export function compileSizeDiagnostic(design: IrDesign): Diagnostic | undefined {
  return simulationSizeDiagnostic(design);
}

/** IMC191 when `imcc schedule --json` would build more than MAX_WHOLE_SCHEDULE_OPS operations; undefined when it fits. */
export function wholeScheduleDiagnostic(design: IrDesign): Diagnostic | undefined {
  const work = designWork(design.network);
  if (work === undefined || work.scheduleOps <= MAX_WHOLE_SCHEDULE_OPS) return undefined;
  return diagnostic(
    'IMC191',
    work.largest.span,
    { network: design.network.name, scheduleOps: work.scheduleOps.toLocaleString('en-US'), largest: work.largest.name, max: MAX_WHOLE_SCHEDULE_OPS.toLocaleString('en-US') },
  );
}

/**
 * IMC192 (a warning) when compile's `.sched` files would hold more than MAX_WRITTEN_SCHEDULE_OPS lines: compile skips
 * schedules/ and writes the rest; undefined when they fit.
 */
export function scheduleTextWarning(design: IrDesign, limit: number = MAX_WRITTEN_SCHEDULE_OPS): Diagnostic | undefined {
  const work = designWork(design.network);
  if (work === undefined || work.scheduleOps <= limit) return undefined;
  return diagnostic(
      'IMC192',
      work.largest.span,
      { network: design.network.name, scheduleOps: work.scheduleOps.toLocaleString('en-US'), largest: work.largest.name, gigabytes: gigabytes(work.scheduleOps * BYTES_PER_SCHEDULE_LINE), limit: limit.toLocaleString('en-US') },
  );
}
