// The optimize phase: chooses the replication of every weight layer (replicas, method, dW) for a core budget, by a
// named strategy, evaluated with the mapping, memory plan and dataflow simulation (docs/optimize.md,
// docs/optimize.md).
export { optimizeDesign, paretoFront, compareByObjective, OBJECTIVES, type Objective, type OptimizeOptions, type OptimizeResult, type FrontPoint, type LayerChoice, type RtlTiming } from './optimize.js';
export { STRATEGIES, BASELINES, type StrategyName } from './strategies.js';
export { searchUnits, type SearchUnit, type UnitOption } from './units.js';
export { optimizeJson, type OptimizeJson } from './json.js';
export { formatOptimizeReport } from './report.js';
export { mappingBlock, rewriteMapping, writeMapping } from './write.js';
export { compareStrategies, formatComparison, type Comparison, type ComparisonCell } from './compare.js';
export { createSearcher, type Searcher } from './optimize.js';
export { applyOptimizeDirective } from './directive.js';
export {
  raggedComparison,
  formatRaggedTable,
  raggedBlockOrigins,
  raggedOperations,
  formatRaggedOperations,
  type RaggedRow,
  type RaggedOperationsRow,
} from './ragged.js';
