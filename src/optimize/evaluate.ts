// Evaluating one candidate: the design with the candidate's mapping directives goes through the same phases as
// `imcc map`, the memory plan (input-memory depth, reads per timestep, the rings residual adds wait with, as compile
// plans them) and `imcc simulate`, so every figure is the one simulate prints for the written mapping. The
// link-bandwidth rule: no link may need more than the target's bandwidth, except links already over it in the minimal
// mapping (one replica everywhere), which may not get worse.
import { DiagnosticError } from '../diagnostics/index.js';
import type { IrDesign, MappingDirective } from '../ir/types.js';
import { nodeIndex, producerOf } from '../ir/nodeIndex.js';
import { layerIndex } from '../mapping/layerIndex.js';
import { mapDesign, type LayerMapping, type Mapping } from '../mapping/index.js';
import { planMemories } from '../memory/index.js';
import { simulateDataflow, waitingRingColumns, type GeometryCache, type Granularity, type LinkLoad } from '../dataflow/index.js';
import type { SearchUnit } from './units.js';

/** Option index per unit. */
export type Allocation = number[];

export interface Evaluation {
  allocation: Allocation;
  cores: number;
  latencyTimesteps: number;
  throughputImagesPerSecond: number;
  /** Equation 7's figure as simulate reports it: the most bandwidth an activation link needs. */
  maxLinkGbps: number;
  /** Null when legal; else why not (a diagnostic code and message, or the link over its bandwidth). */
  illegal: string | null;
}

/** The design with every member layer of every unit mapped with the unit's chosen option. */
export function applyAllocation(design: IrDesign, units: readonly SearchUnit[], allocation: Allocation): IrDesign {
  const settings = new Map<string, { replicas: number; dW: number }>();
  units.forEach((u, i) => u.layers.forEach((l) => settings.set(l, u.options[allocation[i]])));
  const nodes = design.network.nodes.map((node) => {
    const s = settings.get(node.name);
    if (s === undefined) return node;
    const mapping: MappingDirective = {
      replicas: s.replicas,
      method: s.dW > 1 ? 2 : 1,
      dW: s.dW,
      layout: node.mapping?.layout ?? 'auto',
      span: node.mapping?.span ?? node.span,
    };
    return { ...node, mapping };
  });
  return { ...design, network: { ...design.network, nodes } };
}

/** Images the bandwidth rule's minimal mapping is simulated with (a link's busiest timestep shows within a few). */
const PROBE_IMAGES = 3;

/** Per (sending layer, link kind): the most bandwidth a link may need. */
export type LinkLimits = Map<string, number>;

/** The layer that sends over a link (the network input's scratchpad when no core does) and the link kind. */
function linkKeys(mapping: Mapping): (from: string, kind: string) => string {
  const layerOf = new Map(mapping.cores.map((c) => [c.id, c.layer]));
  return (from, kind) => `${layerOf.get(from) ?? 'input'}|${kind}`;
}

/** The limits of the bandwidth rule, from the minimal mapping's simulation. */
export function linkLimits(design: IrDesign, units: readonly SearchUnit[], geometryCache?: GeometryCache): LinkLimits {
  const minimal = applyAllocation(design, units, units.map(() => 0));
  const mapping = mapDesign(minimal);
  const result = simulateDataflow(minimal, mapping, { batch: PROBE_IMAGES, geometryCache });
  const limits: LinkLimits = new Map();
  const linkKey = linkKeys(mapping);
  const target = design.target.link.bandwidthGbps;
  for (const l of result.links) {
    const key = linkKey(l.from, l.kind);
    limits.set(key, Math.max(limits.get(key) ?? target, l.gbps));
  }
  return limits;
}

export interface EvaluateOptions {
  batch: number;
  /** Null: the bandwidth rule is lifted (--ignore-bandwidth). */
  limits: LinkLimits | null;
  /** Memory-plan verdicts per layer setting, shared across the evaluations of one search. */
  memoryCache?: Map<string, { layer: string; verdict: string | null }>;
  /** The simulator's image-independent geometry, shared across the evaluations of one search (one design). */
  geometryCache?: GeometryCache;
  /** The timing model ranked by ('pixel' when absent). */
  granularity?: Granularity;
}

/**
 * The memory plan's verdict for every layer (depth and reads per timestep, IMC070-IMC072, and IMC076 for a ring
 * widened for a residual add's wait), or null. A core's memory depends only on its layer's geometry and setting, the
 * block its producer sends and the ring columns it keeps for its wait (`ringColumns`, sized as the Program sizes
 * them), so each such combination is planned once (with the producer present but without cores of its own to plan):
 * ResNet-32's ten 16-channel layers share their verdicts. A verdict reused for another layer says which layer it was
 * planned for.
 */
function memoryVerdict(
  design: IrDesign,
  mapping: Mapping,
  ringColumns: ReadonlyMap<string, number> | undefined,
  cache: Map<string, { layer: string; verdict: string | null }>,
): string | null {
  const byName = layerIndex(mapping);
  const nodes = nodeIndex(design.network);
  for (const lm of mapping.layers) {
    const producer = byName.get(lm.source);
    const node = nodes.get(lm.layer)!;
    const block = (l: LayerMapping | undefined) => (l === undefined ? '-' : l.matrix.replicas.map((r) => `${r.oy}.${r.ox}`).join(' '));
    // Everything planMemories reads of the layer: its op and layout request, what it receives, its tiles, the blocks.
    const key = [
      JSON.stringify(node.op),
      node.mapping?.layout ?? '-',
      JSON.stringify(lm.inputShape),
      producerOf(design.network, node).activationBits,
      mapping.cores.filter((c) => c.layer === lm.layer).map((c) => `${c.part.rowStart}-${c.part.rowEnd}`).join(' '),
      block(lm),
      lm.matrix.dW,
      block(producer),
      ringColumns === undefined ? '-' : lm.cores.map((c) => ringColumns.get(c) ?? '-').join(' '),
    ].join('|');
    let entry = cache.get(key);
    if (entry === undefined) {
      let verdict: string | null = null;
      try {
        planMemories(design, { ...mapping, layers: producer === undefined ? [lm] : [{ ...producer, cores: [] }, lm] }, { ringColumns, ringColumnsOf: waitingRingColumns });
      } catch (err) {
        if (!(err instanceof DiagnosticError)) throw err;
        const d = err.diagnostics[0];
        verdict = d === undefined ? 'memory plan failed' : `${d.code}: ${d.message}`;
      }
      entry = { layer: lm.layer, verdict };
      cache.set(key, entry);
    }
    if (entry.verdict !== null) return entry.layer === lm.layer ? entry.verdict : `layer '${lm.layer}' as planned for '${entry.layer}', ${entry.verdict}`;
  }
  return null;
}

/** Maps, plans and simulates one allocation. */
export function evaluateAllocation(design: IrDesign, units: readonly SearchUnit[], allocation: Allocation, o: EvaluateOptions): Evaluation {
  const variant = applyAllocation(design, units, allocation);
  const cores = units.reduce((n, u, i) => n + u.options[allocation[i]].cores, 0);
  const fail = (illegal: string): Evaluation => ({
    allocation,
    cores,
    latencyTimesteps: Number.POSITIVE_INFINITY,
    throughputImagesPerSecond: 0,
    maxLinkGbps: 0,
    illegal,
  });
  let mapping: Mapping;
  try {
    mapping = mapDesign(variant);
  } catch (err) {
    if (!(err instanceof DiagnosticError)) throw err;
    const d = err.diagnostics[0];
    return fail(d === undefined ? 'mapping failed' : `${d.code}: ${d.message}`);
  }
  const ringColumns = waitingRingColumns(variant, mapping, { geometryCache: o.geometryCache });
  const memory = memoryVerdict(variant, mapping, ringColumns, o.memoryCache ?? new Map());
  if (memory !== null) return fail(memory);
  const overLimit = (links: readonly LinkLoad[]): string | null => {
    if (o.limits === null) return null;
    const target = design.target.link.bandwidthGbps;
    const linkKey = linkKeys(mapping);
    for (const l of links) {
      const limit = o.limits.get(linkKey(l.from, l.kind)) ?? target;
      if (l.gbps > limit * (1 + 1e-9)) return `link ${l.from} -> ${l.to} (${l.kind}) would need at least ${l.gbps} Gbit/s, over ${limit}`;
    }
    return null;
  };
  // A link's load is the most its sender emits in one timestep, which only grows with the images simulated: a link
  // over its limit in the first image is over it in the batch. The first image settles most illegal candidates,
  // which are also the costliest to simulate whole (no steady state: their images queue at a bottleneck).
  if (o.limits !== null && o.batch > 1) {
    const probe = overLimit(simulateDataflow(variant, mapping, { batch: 1, granularity: o.granularity, geometryCache: o.geometryCache }).links);
    if (probe !== null) return fail(probe);
  }
  // The simulator itself extends a long batch once its images repeat themselves, exactly.
  const result = simulateDataflow(variant, mapping, { batch: o.batch, granularity: o.granularity, geometryCache: o.geometryCache });
  const over = overLimit(result.links);
  if (over !== null) return fail(over);
  return {
    allocation,
    cores: mapping.cores.length,
    latencyTimesteps: result.latencyTimesteps,
    throughputImagesPerSecond: result.throughputImagesPerSecond,
    maxLinkGbps: result.linkBandwidthGbps,
    illegal: null,
  };
}
