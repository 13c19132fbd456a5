// The compilation of one checked design (like TypeScript's `Program`): each phase's result is computed on first use
// and kept, so `compile`, `verify`, the bench and the tests hand the same mapping, memory plan, dataflow results and
// compiled reference to every emitter instead of each emitter running the phases before it again.
import type { IrDesign } from '../ir/types.js';
import { mapDesign } from '../mapping/index.js';
import type { Mapping } from '../mapping/types.js';
import { planMemories, type MemoryPlan } from '../memory/index.js';
import { blockDataflow, simulateDataflow, waitingRingColumns, type DataflowResult } from '../dataflow/index.js';
import { compileReference, type CompiledReference } from '../reference/index.js';

/** Images in the batch whose throughput the report gives: the paper quotes throughput for a batch of 100. */
export const REPORT_BATCH = 100;

/** The phases a Program runs, each at most once. */
export type Phase = 'mapping' | 'memory' | 'reportDataflow' | 'singleImageDataflow' | 'blockDataflow' | 'reference';

export interface ProgramOptions {
  /** Called when a phase starts computing (tests count calls; a phase is never computed twice). */
  onPhase?: (phase: Phase) => void;
  /** A mapping the caller already has (e.g. a test's modified one); the mapping phase then does not run. */
  mapping?: Mapping;
  /** A memory plan the caller already has, for the same reason. */
  memory?: MemoryPlan;
}

export interface Program {
  readonly design: IrDesign;
  /** Cores and tiles of every weight layer (mapping/). */
  readonly mapping: Mapping;
  /**
   * Input-memory layouts and address schedules of every core (memory/); the rings of the cores that add a residual
   * shortcut keep the columns the block dataflow's timing needs (waitingRingColumns, src/dataflow/waitingRings.ts).
   */
  readonly memory: MemoryPlan;
  /** The dataflow of REPORT_BATCH images: the throughput and latency figures of report.txt and report.html. */
  readonly reportDataflow: DataflowResult;
  /** The dataflow of one image at pixel granularity: the RTL's residual FIFO depths and verify's cycle cap. */
  readonly singleImageDataflow: DataflowResult;
  /**
   * The dataflow of one image at block granularity, with the activity trace: the timing the RTL's controllers follow
   * (one crossbar operation per timestep), for verify's operation timesteps and the RTL's check of late shortcuts.
   */
  readonly blockDataflow: DataflowResult;
  /** The bit-exact reference compiled for the mapping (weights per tile, ADC, batch norm); run it per image. */
  readonly reference: CompiledReference;
}

/** A Program of DESIGN (checked, with any optimize directive already applied); nothing is computed yet. */
export function createProgram(design: IrDesign, options: ProgramOptions = {}): Program {
  const results = new Map<Phase, unknown>();
  if (options.mapping !== undefined) results.set('mapping', options.mapping);
  if (options.memory !== undefined) results.set('memory', options.memory);
  function once<T>(phase: Phase, compute: () => T): T {
    if (!results.has(phase)) {
      options.onPhase?.(phase);
      results.set(phase, compute());
    }
    return results.get(phase) as T;
  }
  const program: Program = {
    design,
    get mapping() {
      return once('mapping', () => mapDesign(design));
    },
    get memory() {
      return once('memory', () =>
        planMemories(design, program.mapping, {
          ringColumns: waitingRingColumns(design, program.mapping, { dataflow: () => program.blockDataflow }),
          ringColumnsOf: waitingRingColumns,
        }),
      );
    },
    get reportDataflow() {
      return once('reportDataflow', () => simulateDataflow(design, program.mapping, { batch: REPORT_BATCH }));
    },
    get singleImageDataflow() {
      return once('singleImageDataflow', () => simulateDataflow(design, program.mapping, { batch: 1, granularity: 'pixel' }));
    },
    get blockDataflow() {
      return once('blockDataflow', () => blockDataflow(design, program.mapping, { activity: true }));
    },
    get reference() {
      return once('reference', () => compileReference(design, program.mapping));
    },
  };
  return program;
}
