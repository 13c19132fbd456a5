// The ring columns a core that adds a residual shortcut keeps for its wait (issue 19). The Program's memory plan, the
// optimizer's memory verdicts and the replica hints of IMC070-IMC072 and IMC076 all size those rings here, so that a
// candidate the optimizer offers, or a hint suggests, is planned as compile plans it.
import type { IrDesign } from '../ir/types.js';
import type { Mapping } from '../mapping/types.js';
import { simulateDataflow } from './simulate.js';
import type { DataflowResult, GeometryCache } from './types.js';

/** The dataflow of one image at block granularity: the timing the RTL's controllers follow (a block per timestep). */
export function blockDataflow(
  design: IrDesign,
  mapping: Mapping,
  options: { activity?: boolean; geometryCache?: GeometryCache } = {},
): DataflowResult {
  return simulateDataflow(design, mapping, { batch: 1, granularity: 'block', ...options });
}

/**
 * Per core of a layer with a residual add, the ring columns the block dataflow needs (planMemories' `ringColumns`): a
 * core that waits for its shortcut while its producer sends on must keep the columns that arrive meanwhile, which the
 * memory phase's per-core timing does not see. Undefined without residual adds (the dataflow is not run then).
 * `dataflow`: the caller's run of blockDataflow, when it has one.
 */
export function waitingRingColumns(
  design: IrDesign,
  mapping: Mapping,
  options: { dataflow?: () => DataflowResult; geometryCache?: GeometryCache } = {},
): Map<string, number> | undefined {
  const adding = new Set(mapping.layers.filter((l) => l.residualFrom !== undefined).map((l) => l.layer));
  if (adding.size === 0) return undefined;
  const result = options.dataflow?.() ?? blockDataflow(design, mapping, { geometryCache: options.geometryCache });
  const columns = new Map<string, number>();
  for (const layer of result.layers) {
    if (adding.has(layer.name)) layer.cores.forEach((core, i) => columns.set(core, layer.ringColumns[i]));
  }
  return columns;
}
