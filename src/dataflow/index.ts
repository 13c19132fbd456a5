// The dataflow phase: a timestep simulation of the mapped network (Algorithm 1; sections 2.4, 3.1.3, 3.1.4 and
// equation 7 of Dazzi et al. 2021): latency, initiation interval, batch time, throughput, link bandwidth, residual
// buffering, a per-core activity trace and Figure 10's replication sweep.
export { simulateDataflow } from './simulate.js';
export { blockDataflow, waitingRingColumns } from './waitingRings.js';
export { inputPixelsPerTimestep } from '../mapping/inputRate.js';
export { peakOccupancy, peakPerTimestep } from './occupancy.js';
export { linkLoads, bandwidthDiagnostics, formatGbps, type LayerLoad } from './links.js';
export type { Granularity } from './geometry.js';
export type * from './types.js';
export { formatDataflowReport, groupDigits, alignTable } from './report.js';
export { simulateJson, validateSimulateJson, type SimulateJson } from './json.js';
export { formatTrace, traceLines } from './trace.js';
export { forEachBusyTimestep, busyTimesteps, activityPixels } from './activity.js';
export {
  sweepReplication,
  replicationStages,
  sweepDirective,
  formatSweepCsv,
  sweepJson,
  sweepBatches,
  formatBatchSweepCsv,
  batchSweepJson,
  SWEEP_BATCHES,
  type BatchSweepRow,
  type SweepResult,
  type SweepRow,
  type ReplicationStage,
} from './sweep.js';
