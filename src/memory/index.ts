// The memory phase: input-memory layouts (IWAP / KLIP / PLIP, Table 1), the per-core memory plan, and Algorithm 2's
// address schedules. Entry points: planMemories, coreSchedule.
export { planMemories, coreSchedule, coreStreamedSchedule, coreParams, cyclesPerTimestep, layoutRequest, readCyclesPerComputation } from './plan.js';
export type { MemoryPlan, MemoryPlanOptions, CoreMemoryPlan, LayoutCandidate } from './plan.js';
export {
  LAYOUTS,
  iwapLayout,
  klipLayout,
  plipLayout,
  makeLayout,
  storeAddress,
  layoutFigures,
  compareLayouts,
  wordsTouched,
} from './layout.js';
export type { Layout, LayoutFigures, PixelAddress, StoredVolume } from './layout.js';
export {
  buildSchedule,
  streamSchedule,
  forEachEmitted,
  emissionIndex,
  coreTiming,
  requiredColumns,
  storedColumns,
  minimumOccupancy,
  outputSize,
  patchPositions,
  MemoryOverrunError,
} from './schedule.js';
export type { CoreMemoryParams, MemoryOp, MemoryOpKind, Schedule, StreamedSchedule, ScheduleHeader, RegionPosition, Timing, Computation } from './schedule.js';
export { replaySchedule, expectedPatch, ReplayError } from './replay.js';
export type { PixelPlane, ReplayedPatch } from './replay.js';
