// Pools fused into a replicated layer: which ones the RTL implements, and how many pooled pixels a block sends. One
// rule for the RTL plan (IMC112 for the rest) and the replication optimizer (which replicates a pooled layer only
// where the rule allows), so the optimizer never chooses a mapping the RTL refuses.
//
// Method 1 only (blocks one column wide): a block's pixels pass the neuron core y fastest, as an unreplicated core's
// do, so its window counters see the conv-output plane in column order and it emits pooled pixels in column order;
// the consumer takes the pooled pixels of one block together, so every block that completes a pooled pixel must
// complete the same number. An integrate-and-fire neuron before the pool keeps a potential per conv pixel (indexed by
// the replica's pixel), after it one per pooled pixel (integrated when the block completes the window).
import type { IrDesign, IrNode } from '../ir/types.js';
import { nodeIndex } from '../ir/nodeIndex.js';
import { uniformPadding, type Padding } from '../ir/padding.js';
import type { BlockShape } from './block.js';
import { poolWindowEnds } from './poolWindows.js';

export interface PoolGeometry {
  height: number;
  width: number;
  stride: number;
  padding: Padding;
}

/**
 * Where the windows of a chain of pools end along one dimension of `length` conv-output rows (columns): for each
 * pixel of the last pool's output, the conv row whose pixel completes it (a later pool's window ends with the earlier
 * pool's pixel that completes it). Undefined when two windows of a pool end at the same row.
 */
function chainWindowEnds(length: number, pools: readonly PoolGeometry[], size: (p: PoolGeometry) => number, before: (p: PoolGeometry) => number, after: (p: PoolGeometry) => number): number[] | undefined {
  let ends = Array.from({ length }, (_, i) => i);
  for (const pool of pools) {
    const windows = poolWindowEnds(ends.length, size(pool), pool.stride, before(pool), after(pool));
    if (windows.length === 0) return undefined;
    ends = windows.map((w) => ends[w.end]);
  }
  return ends;
}

/**
 * How many pooled pixels a block completes: per block of `block` conv-output pixels (in the layer's block order), the
 * last pool's pixels whose windows (through the chain of `pools`) end in it. Returns the common count of the blocks
 * that complete any, or a reason why there is none (the counts differ, or the pooled plane's columns do not split
 * into them).
 */
export function pooledPerBlock(
  convHeight: number,
  convWidth: number,
  block: BlockShape,
  pools: readonly PoolGeometry[],
): { pixels: number } | { reason: string } {
  if (block.cols !== 1) return { reason: `blocks ${block.cols} columns wide (method 2)` };
  if (convHeight % block.rows !== 0) return { reason: `a ${convHeight}-row plane that is not a whole number of ${block.rows}-row blocks` };
  // A global pool is one window (stride = its height) over the plane: it ends at the last pixel.
  const rows = chainWindowEnds(convHeight, pools, (p) => p.height, (p) => p.padding.top, (p) => p.padding.bottom);
  const cols = chainWindowEnds(convWidth, pools, (p) => p.width, (p) => p.padding.left, (p) => p.padding.right);
  if (rows === undefined || cols === undefined) return { reason: 'two pool windows that end at the same row or column' };
  // Every column with a window end sees the same rows end: count them per block of rows.
  const perBlock = new Map<number, number>();
  for (const end of rows) {
    const b = Math.floor(end / block.rows);
    perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
  }
  const counts = new Set(perBlock.values());
  if (counts.size !== 1) return { reason: `blocks of ${block.rows} rows that complete ${[...counts].sort((a, b) => a - b).join(' or ')} pooled rows` };
  const pixels = [...counts][0];
  if (rows.length % pixels !== 0) return { reason: `${rows.length} pooled rows that are not a whole number of ${pixels}-pixel groups` };
  return { pixels };
}

/** A replicated layer's fused pools as the rule sees them. */
export interface ReplicatedPoolCase {
  /** The layer's conv-output plane (before its pools). */
  convHeight: number;
  convWidth: number;
  block: BlockShape;
  /** The fused pools in order (a global average pool is one window over the plane, stride its height). */
  pools: readonly PoolGeometry[];
  colParts: number;
}

/**
 * The pooled pixels a block of a replicated layer sends together, or what the RTL does not implement (`pool`: the
 * index of the pool it is about, `what`: IMC112's text). Callers pass a case with at least one pool.
 */
export function replicatedPoolRule(c: ReplicatedPoolCase): { pixels: number } | { pool: number; what: string } {
  // A window spans several replicas' pixels, and a column part usually starts inside a replica: the part holding
  // some of a window's channels lacks the other replicas' values of them.
  if (c.colParts > 1) return { pool: 0, what: 'a pool in a replicated layer split in column parts' };
  const sent = pooledPerBlock(c.convHeight, c.convWidth, c.block, c.pools);
  return 'reason' in sent ? { pool: 0, what: `a pool in a replicated layer with ${sent.reason}` } : sent;
}

const POOLS = new Set(['maxpool', 'avgpool', 'gap']);

/** The pool nodes among a layer's fused nodes, in order. */
export function fusedPools(design: IrDesign, fused: readonly string[]): IrNode[] {
  const byName = nodeIndex(design.network);
  return fused.map((f) => byName.get(f)!).filter((f) => POOLS.has(f.op.kind));
}

/**
 * The rule for a weight layer of the design (`layer` its node, `fused` the nodes fused into its core) replicated in
 * `block`-shaped blocks over `colParts` column parts: undefined when it fuses no pool, else as replicatedPoolRule,
 * with the refused pool's node.
 */
export function replicatedPoolOf(
  design: IrDesign,
  layer: IrNode,
  fused: readonly string[],
  block: BlockShape,
  colParts: number,
): { pixels: number } | { pool: IrNode; what: string } | undefined {
  const pools = fusedPools(design, fused);
  if (pools.length === 0) return undefined;
  const geometry = pools.map((p): PoolGeometry => {
    if (p.op.kind === 'maxpool' || p.op.kind === 'avgpool') return { height: p.op.size, width: p.op.size, stride: p.op.stride, padding: p.op.padding };
    // A global average pool: one window over its input plane (the previous pool's output, or the conv's).
    const input = pools.indexOf(p) === 0 ? layer.shape : pools[pools.indexOf(p) - 1].shape;
    return { height: input.height, width: input.width, stride: input.height, padding: uniformPadding(0) };
  });
  const rule = replicatedPoolRule({
    convHeight: layer.shape.height,
    convWidth: layer.shape.width,
    block,
    pools: geometry,
    colParts,
  });
  return 'what' in rule ? { pool: pools[rule.pool], what: rule.what } : rule;
}
