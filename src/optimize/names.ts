// The optimizer's option vocabularies, in a module with no imports so the CLI can offer them without loading the
// optimizer itself.
export const OBJECTIVES = ['throughput', 'latency', 'balanced'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const STRATEGIES = ['pareto', 'paper', 'balance', 'w0h0', 'uniform'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
