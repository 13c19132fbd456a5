// Pools fused into a replicated layer: how the RTL pools them and which pooled pixels a block sends. One rule for
// the RTL plan, the memory plan (a consumer's arriving blocks) and the mapping (a column-split layer whose parts
// cannot pool their own windows is gathered in one core), so they agree on every replicated layer.
//
// A block's pixels pass the neuron core column by column, y fastest; the blocks come in column order (a strip of
// block.cols columns, top to bottom, then the next strip). Every window's last pixel is then the last of its pixels
// the core sees, so a block completes the windows whose last pixels it holds, and emits them column by column.
// The consumer takes the pooled pixels of one block together, as a `rows` x `cols` block of the pooled plane
// (`PooledGroup`): every block that completes a pooled pixel must complete such a block, and these blocks tile the
// pooled plane in its column order of blocks. Method 1 (blocks one column wide) sees the conv plane in column order,
// which also lets a chain of pools or overlapping windows stream through pool stages; a method-2 block (dW > 1)
// pools one pool (overlapping windows too) where each pixel lies; so does a layer whose plane is not a whole
// number of blocks (its edge blocks' idle replicas join no window), while a chain of pools there streams through
// stages (method-1 edge blocks keep the column order; their idle pixels enter no stage). A chain of pools in a
// method-2 block runs in stages that pool by position too, counting each window's pixels, since each pool's pixels
// leave the blocks in no column order (chainWindows follows them). Column parts pool by position too, pools of
// windows that do not overlap, each part holding whole replicas and whole windows of every pool (partShares,
// chainPartShares); other column parts are gathered in one core, which pools the whole block as an unsplit layer's
// neuron core does (`gathered`). Ragged blocks
// (src/mapping/block.ts) step a skewed lattice, so a window's pixels come in no fixed order: the core counts them
// (chainWindows), and its blocks must still complete equal blocks of the pooled plane in its column order.
// An integrate-and-fire neuron before the pool keeps a potential per conv pixel (indexed by the replica's pixel),
// after it one per pooled pixel (integrated when the block completes the window).
// Method-1 blocks take any other pool too: their core queues the pooled pixels (the queue of an unreplicated core
// whose windows end together, templates/rtl/imcc_pool_queue.v.hbs) and sends them one per timestep, a group of one
// pixel (queuedPools); a residual add after the pools is the last queue's, as in an unreplicated core. So do method-2
// blocks (ragged too) whose pools' windows end unevenly or together: the neuron core (one pool) or its stages (a
// chain) pool by position, emitting every window a pixel ends one at a time (heldPoolCycles), and a queue only orders
// and sends the last pool's pixels; a residual add between or after them is a stage's or the queue's. Column
// parts whose pools must queue are gathered, and the gathering core queues as an unsplit layer's does.
import type { IrDesign, IrNode } from '../ir/types.js';
import { nodeIndex } from '../ir/nodeIndex.js';
import { uniformPadding, windowCount, type Padding } from '../ir/padding.js';
import { blockOrigins, blockShape, type BlockShape } from './block.js';
import type { LayerMapping, ReplicaOffset } from './types.js';
import { balancedRanges } from './split.js';
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

/** chainWindowEnds along the rows and the columns (a global pool is one window, stride its height, ending at the last pixel). */
function chainEnds(height: number, width: number, pools: readonly PoolGeometry[]): { rows?: number[]; cols?: number[] } {
  return {
    rows: chainWindowEnds(height, pools, (p) => p.height, (p) => p.padding.top, (p) => p.padding.bottom),
    cols: chainWindowEnds(width, pools, (p) => p.width, (p) => p.padding.left, (p) => p.padding.right),
  };
}

/**
 * The pooled pixels a block sends together: a `rows` x `cols` block of the pooled plane, `pixels` of them; in a
 * layer split in column parts, `partPixels` of them come from each part (part 0's first, in the block's order), or,
 * `gathered`, one core sends them all: every other part of the layer sends it its ADC codes (a partial-sum link) and
 * its neuron core pools the whole block as an unsplit layer's does.
 */
export interface PooledGroup {
  pixels: number;
  rows: number;
  cols: number;
  partPixels?: number[];
  gathered?: boolean;
  /**
   * The pools (indices in the chain) that queue their pooled pixels: a method-1 layer whose windows end together or
   * unevenly in its blocks (`queuedPools`), or a method-2 layer (ragged too) whose pools' windows end unevenly or
   * together (the last pool), sends them one per timestep, in column order, so the group is one pixel (a layer split in column
   * parts: `gathered` too).
   */
  queued?: number[];
}

/**
 * How many of the pooled rows (columns) whose windows end at `ends` each block row (strip) of `length` conv rows
 * (columns) completes: the common count of those that complete any, or why there is none.
 */
function pooledAlong(ends: readonly number[], length: number, blocks: string, unit: 'rows' | 'columns'): { count: number } | { reason: string } {
  const perBlock = new Map<number, number>();
  for (const end of ends) {
    const b = Math.floor(end / length);
    perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
  }
  const counts = new Set(perBlock.values());
  if (counts.size !== 1) return { reason: `${blocks} that complete ${[...counts].sort((a, b) => a - b).join(' or ')} pooled ${unit}` };
  const count = [...counts][0];
  if (ends.length % count !== 0) return { reason: `${ends.length} pooled ${unit} that are not a whole number of ${count}-pixel groups` };
  return { count };
}

/** A pool whose windows do not overlap: stride = size, or one window over the whole plane (a global pool). */
function nonOverlapping(pool: PoolGeometry, convHeight: number, convWidth: number): boolean {
  const global = pool.height === convHeight && pool.width === convWidth && pool.padding.top + pool.padding.bottom + pool.padding.left + pool.padding.right === 0;
  return global || (pool.stride === pool.height && pool.stride === pool.width);
}

/**
 * Which pooled pixels a block completes: per block of `block` conv-output pixels (in the layer's block order), the
 * last pool's pixels whose windows (through the chain of `pools`) end in it. Returns the block of the pooled plane
 * every block that completes any completes, or a reason why there is none (the counts differ, the pooled plane does
 * not split into them, or on a ragged lattice one pixel ends two windows). A method-2 block (ragged too) pools where
 * each pixel lies, a chain of pools in stages that count each window's pixels (they leave a block in no column order).
 */
export function pooledPerBlock(
  convHeight: number,
  convWidth: number,
  block: BlockShape,
  pools: readonly PoolGeometry[],
): PooledGroup | { reason: string } {
  const { rows, cols } = chainEnds(convHeight, convWidth, pools);
  if (rows === undefined || cols === undefined) return { reason: 'two pool windows that end at the same row or column' };
  if (block.ragged) return latticePooledPerBlock(chainWindows(convHeight, convWidth, block, pools));
  // Every column with a window end sees the same rows end: count them per block row, and the columns per strip.
  const down = pooledAlong(rows, block.rows, `blocks of ${block.rows} rows`, 'rows');
  if ('reason' in down) return down;
  const across = pooledAlong(cols, block.cols, `blocks ${block.cols} columns wide`, 'columns');
  if ('reason' in across) return across;
  return { pixels: down.count * across.count, rows: down.count, cols: across.count };
}

/** A window of a pool over a plane whose pixels a core computes in some order, as the core sees the window's pixels. */
export interface LatticeWindow {
  /** The window's place in the pooled plane. */
  py: number;
  px: number;
  /** When the core computes the window's first and last pixel (pixels counted in computation order), and in which block the last. */
  first: number;
  last: number;
  block: number;
  /** The column part whose replicas hold all its pixels, -1 for several (when the order labels parts). */
  part?: number;
}

/**
 * When a core computes each pixel of a `height` x `width` plane (index x * height + y): its place in the core's
 * order (`at`, -1 for none) and the block that computes it.
 */
interface PlaneOrder {
  height: number;
  width: number;
  at: Int32Array;
  block: Int32Array;
  /** The column part that computes each pixel (-1: several), when asked for. */
  part?: Int32Array;
}

/**
 * The order in which a replicated layer computes its conv plane: blocks (src/mapping/block.ts, on the grid or the
 * ragged lattice) in order, each block's in-plane replicas in order, y fastest (replica r of a full block at
 * (r mod rows, r / rows)).
 */
function computationOrder(height: number, width: number, block: BlockShape, partOf?: (replica: number) => number): PlaneOrder {
  const replicas = block.ragged ?? Array.from({ length: block.rows * block.cols }, (_, r) => ({ oy: r % block.rows, ox: Math.floor(r / block.rows) }));
  const at = new Int32Array(height * width).fill(-1);
  const blockOf = new Int32Array(height * width).fill(-1);
  const part = partOf ? new Int32Array(height * width).fill(-1) : undefined;
  let count = 0;
  blockOrigins(replicas, { height, width }).forEach(({ y, x }, b) => {
    replicas.forEach((r, k) => {
      const py = y + r.oy;
      const px = x + r.ox;
      if (py < 0 || py >= height || px < 0 || px >= width) return;
      at[px * height + py] = count++;
      blockOf[px * height + py] = b;
      if (part) part[px * height + py] = partOf!(k);
    });
  });
  return { height, width, at, block: blockOf, ...(part ? { part } : {}) };
}

/** The windows of `pool` over a plane computed in `order`, column by column of windows. */
function windowsInOrder(order: PlaneOrder, pool: PoolGeometry): LatticeWindow[] {
  const { height, width } = order;
  const down = windowCount(height, pool.padding.top, pool.padding.bottom, pool.height, pool.stride);
  const across = windowCount(width, pool.padding.left, pool.padding.right, pool.width, pool.stride);
  const windows: LatticeWindow[] = [];
  for (let px = 0; px < across; px++) {
    for (let py = 0; py < down; py++) {
      let first = Number.POSITIVE_INFINITY;
      let last = -1;
      let block = -1;
      const parts = new Set<number>();
      const y0 = Math.max(0, py * pool.stride - pool.padding.top);
      const x0 = Math.max(0, px * pool.stride - pool.padding.left);
      for (let x = x0; x < Math.min(width, px * pool.stride - pool.padding.left + pool.width); x++) {
        for (let y = y0; y < Math.min(height, py * pool.stride - pool.padding.top + pool.height); y++) {
          const at = order.at[x * height + y];
          first = Math.min(first, at);
          if (at > last) [last, block] = [at, order.block[x * height + y]];
          if (order.part) parts.add(order.part[x * height + y]);
        }
      }
      windows.push({ py, px, first, last, block, ...(order.part ? { part: parts.size === 1 ? [...parts][0] : -1 } : {}) });
    }
  }
  return windows;
}

/** The pooled plane's order: each pooled pixel is computed with the last pixel of its window. */
function pooledOrder(windows: readonly LatticeWindow[]): PlaneOrder {
  const height = Math.max(...windows.map((w) => w.py)) + 1;
  const width = Math.max(...windows.map((w) => w.px)) + 1;
  const at = new Int32Array(height * width);
  const block = new Int32Array(height * width);
  const part = windows[0].part === undefined ? undefined : new Int32Array(height * width);
  for (const w of windows) {
    at[w.px * height + w.py] = w.last;
    block[w.px * height + w.py] = w.block;
    if (part) part[w.px * height + w.py] = w.part!;
  }
  return { height, width, at, block, ...(part ? { part } : {}) };
}

/**
 * The windows of each pool of a chain over the conv plane of a layer computed in `block`-shaped blocks
 * (computationOrder), each pool's over the pixels the one before it completes, when the core completes them; with
 * `partOf` (a replica's column part), which part's replicas hold each window's pixels.
 */
export function chainWindows(convHeight: number, convWidth: number, block: BlockShape, pools: readonly PoolGeometry[], partOf?: (replica: number) => number): LatticeWindow[][] {
  let order = computationOrder(convHeight, convWidth, block, partOf);
  return pools.map((pool) => {
    const windows = windowsInOrder(order, pool);
    order = pooledOrder(windows);
    return windows;
  });
}

/**
 * The windows of `pool` over the conv plane of a layer computed in ragged blocks of `replicas` (src/mapping/block.ts:
 * blocks on their lattice in order, each block's in-plane replicas in order, y fastest), pooled column by column.
 */
export function latticeWindows(convHeight: number, convWidth: number, replicas: readonly ReplicaOffset[], pool: PoolGeometry): LatticeWindow[] {
  return chainWindows(convHeight, convWidth, blockShape(replicas), [pool])[0];
}

/**
 * The pooled pixels ragged blocks complete, given each pool's windows (chainWindows): the core (or a stage) emits a
 * window with the last of its pixels it computes, at most one per pixel, and every block that completes any pixel of
 * the last pool must complete a `rows` x `cols` block of its pooled plane, these blocks in its column order and each
 * block's pixels y fastest (the order its consumers write them). Else the reason.
 */
function latticePooledPerBlock(windowsPerPool: readonly LatticeWindow[][]): PooledGroup | { reason: string } {
  if (completesTwoWindows(windowsPerPool)) return { reason: 'ragged blocks in which one pixel completes two pool windows' };
  const windows = windowsPerPool[windowsPerPool.length - 1];
  // The windows each block completes, blocks in order, each block's in the order it completes them.
  const byBlock = new Map<number, LatticeWindow[]>();
  for (const w of [...windows].sort((a, b) => a.last - b.last)) {
    if (!byBlock.has(w.block)) byBlock.set(w.block, []);
    byBlock.get(w.block)!.push(w);
  }
  const sent = [...byBlock.values()];
  const rows = new Set(sent[0].map((w) => w.py)).size;
  const cols = new Set(sent[0].map((w) => w.px)).size;
  const down = Math.max(...windows.map((w) => w.py)) + 1;
  const tiled =
    sent.length * rows * cols === windows.length &&
    down % rows === 0 &&
    sent.every((group, i) => {
      const top = (i % (down / rows)) * rows;
      const left = Math.floor(i / (down / rows)) * cols;
      return group.length === rows * cols && group.every((w, k) => w.py === top + (k % rows) && w.px === left + Math.floor(k / rows));
    });
  return tiled ? { pixels: rows * cols, rows, cols } : { reason: 'ragged blocks that complete pooled pixels other than as equal blocks of the pooled plane in its column order' };
}

/** Whether one pixel completes two windows of a pool of the chain (a pool by position ends one window per pixel). */
function completesTwoWindows(windowsPerPool: readonly LatticeWindow[][]): boolean {
  return windowsPerPool.some((ws) => new Set(ws.map((w) => w.last)).size !== ws.length);
}

/**
 * The window columns a core pooling pixels in some order keeps running values of: a power of two above the distance
 * of any two windows of one pooled row whose pixels it computes at overlapping times (a window column's slot is its
 * index modulo them).
 */
function openWindowColumns(windows: readonly LatticeWindow[]): number {
  let apart = 0;
  for (const a of windows) {
    for (const b of windows) {
      if (a.py === b.py && b.px > a.px && a.first <= b.last && b.first <= a.last) apart = Math.max(apart, b.px - a.px);
    }
  }
  let slots = 1;
  while (slots <= apart) slots *= 2;
  return slots;
}

/** The window columns a core pooling a ragged layer's pixels keeps running values of (openWindowColumns). */
export function latticePoolColumns(convHeight: number, convWidth: number, replicas: readonly ReplicaOffset[], pool: PoolGeometry): number {
  return openWindowColumns(latticeWindows(convHeight, convWidth, replicas, pool));
}

/**
 * The window columns each stage of a chain of pools that pools by position keeps running values of (method-2
 * blocks: chainWindows, openWindowColumns).
 */
export function chainPoolColumns(convHeight: number, convWidth: number, block: BlockShape, pools: readonly PoolGeometry[]): number[] {
  return chainWindows(convHeight, convWidth, block, pools).map(openWindowColumns);
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
  /** The layer's output channels (its columns are replica-major): needed to place the column parts' boundaries. */
  outChannels?: number;
}

/**
 * The pooled pixels each column part of a layer pooled by position completes per block (src/mapping/split.ts's
 * balanced column ranges over replicas x outChannels columns): every part holds whole replicas, every window's
 * replicas lie in one part, and in every block that completes windows each part completes the same number, after
 * the parts before it in the block's order (the layer's pixel is its parts' outputs side by side). Else the reason.
 */
export function partShares(
  convHeight: number,
  convWidth: number,
  block: BlockShape,
  pool: PoolGeometry,
  outChannels: number,
  colParts: number,
): number[] | { reason: string } {
  const replicaPart = replicaParts(block, outChannels, colParts);
  if (!Array.isArray(replicaPart)) return replicaPart;
  const partOf = (y: number, x: number): number => replicaPart[(x % block.cols) * block.rows + (y % block.rows)];
  // The windows do not overlap: window (py, px) holds the rows and columns whose padded index / size is py (px).
  // (A global pool's one window steps by the plane.)
  const stepY = pool.stride === pool.height ? pool.height : convHeight;
  const stepX = pool.stride === pool.width ? pool.width : convWidth;
  const windowsDown = windowCount(convHeight, pool.padding.top, pool.padding.bottom, pool.height, stepY);
  const windowsAcross = windowCount(convWidth, pool.padding.left, pool.padding.right, pool.width, stepX);
  // Per block (by its origin), the parts of the windows ending in it, in the order the block emits them.
  const byBlock = new Map<string, Array<{ px: number; py: number; part: number }>>();
  for (let px = 0; px < windowsAcross; px++) {
    for (let py = 0; py < windowsDown; py++) {
      const y0 = Math.max(0, py * stepY - pool.padding.top);
      const y1 = Math.min(convHeight, py * stepY - pool.padding.top + pool.height);
      const x0 = Math.max(0, px * stepX - pool.padding.left);
      const x1 = Math.min(convWidth, px * stepX - pool.padding.left + pool.width);
      const parts = new Set<number>();
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) parts.add(partOf(y, x));
      if (parts.size !== 1) return { reason: 'column parts that each hold part of a window' };
      const key = `${Math.floor((y1 - 1) / block.rows)},${Math.floor((x1 - 1) / block.cols)}`;
      const list = byBlock.get(key) ?? [];
      list.push({ px, py, part: [...parts][0] });
      byBlock.set(key, list);
    }
  }
  return equalShares([...byBlock.values()].map((list) => list.sort((a, b) => a.px - b.px || a.py - b.py).map((w) => w.part)), colParts);
}

/** The column part of each replica of a block (balanced column ranges over replicas x outChannels), or why not whole replicas. */
function replicaParts(block: BlockShape, outChannels: number, colParts: number): number[] | { reason: string } {
  const ranges = balancedRanges(block.rows * block.cols * outChannels, colParts);
  if (ranges.some(([a, b]) => a % outChannels !== 0 || b % outChannels !== 0)) return { reason: 'column parts that start inside a replica' };
  return Array.from({ length: block.rows * block.cols }, (_, r) => ranges.findIndex(([a, b]) => r * outChannels >= a && r * outChannels < b));
}

/**
 * Given, per block that completes pooled pixels, their parts in the order the block emits them: the count every part
 * completes in every such block (parts in order), or the reason.
 */
function equalShares(blocks: readonly (readonly number[])[], colParts: number): number[] | { reason: string } {
  let shares: number[] | undefined;
  for (const order of blocks) {
    const counts = Array.from({ length: colParts }, (_, j) => order.filter((q) => q === j).length);
    const inOrder = order.every((q, i) => i === 0 || order[i - 1] <= q);
    if (!inOrder || counts.some((n) => n === 0) || (shares !== undefined && counts.some((n, j) => n !== shares![j]))) {
      return { reason: 'column parts that complete their pooled pixels in different blocks or out of order' };
    }
    shares = counts;
  }
  return shares ?? { reason: 'no window' };
}

/**
 * partShares for a chain of pools on the grid of blocks (chainWindows): no pool's windows overlap (as for one pool),
 * every window of every pool lies in one part's replicas (each part's stages pool its own pixels by position), and
 * the last pool's pixels are shared as partShares asks.
 */
function chainPartShares(convHeight: number, convWidth: number, block: BlockShape, pools: readonly PoolGeometry[], outChannels: number, colParts: number): number[] | { reason: string } {
  const replicaPart = replicaParts(block, outChannels, colParts);
  if (!Array.isArray(replicaPart)) return replicaPart;
  const windows = chainWindows(convHeight, convWidth, block, pools, (r) => replicaPart[r]);
  // (A global pool's one window overlaps nothing.)
  const overlapping = pools.find((p, k) => (windows[k].some((w) => w.py > 0) && p.stride < p.height) || (windows[k].some((w) => w.px > 0) && p.stride < p.width));
  if (overlapping) return { reason: `a ${overlapping.height}x${overlapping.width} pool with stride ${overlapping.stride}` };
  if (windows.some((ws) => ws.some((w) => w.part === -1))) return { reason: 'column parts that each hold part of a window' };
  const byBlock = new Map<number, number[]>();
  for (const w of [...windows[windows.length - 1]].sort((a, b) => a.last - b.last)) byBlock.set(w.block, [...(byBlock.get(w.block) ?? []), w.part!]);
  return equalShares([...byBlock.values()], colParts);
}

/**
 * The block of pooled pixels a block of a replicated layer sends together, and how (column parts, gathered, queued).
 * Callers pass a case with at least one pool.
 */
export function replicatedPoolRule(c: ReplicatedPoolCase): PooledGroup {
  if (c.colParts > 1) {
    // Where the parts cannot pool their own replicas' windows, one core gathers the block's codes and pools it whole
    // as an unsplit layer's core does, queueing the pooled pixels where that core would.
    return columnPartRule(c) ?? { ...replicatedPoolRule({ ...c, colParts: 1 }), gathered: true };
  }
  const sent = pooledPerBlock(c.convHeight, c.convWidth, c.block, c.pools);
  if (!('reason' in sent)) return sent;
  // Blocks one column wide see the conv plane in column order, as an unreplicated core does: its queue of pooled
  // pixels takes their windows as they end, however many a block ends, and sends them one per timestep.
  if (c.block.cols === 1) return { pixels: 1, rows: 1, cols: 1, queued: queuedPools(c.convHeight, c.convWidth, c.pools) };
  // A method-2 block pools by position (its one pool in the neuron core, a chain in stages): a queue after the last pool
  // takes the pooled pixels where they lie and sends them one per timestep in column order. A pixel may end several
  // windows of a pool (windows that end together, or on a ragged lattice, or through the chain): the neuron core or
  // the stage emits them one at a time, holding the walk. A last pool of one window (a global average pool) needs no
  // queue: its one pixel goes with the last block.
  // A residual add after the pools is the queue's (or the neuron core's, for one pool where no pixel ends two windows),
  // one between two pools the stage's after it (reading the shortcut of each window it takes): src/emit/rtl/plan.ts.
  const single = chainWindows(c.convHeight, c.convWidth, c.block, c.pools).at(-1)!.length === 1;
  return single ? { pixels: 1, rows: 1, cols: 1 } : { pixels: 1, rows: 1, cols: 1, queued: [c.pools.length - 1] };
}

/** Whether two windows of `pool` end at the same row or column of a `height` x `width` plane (padding >= stride). */
function endsTogether(height: number, width: number, pool: PoolGeometry): boolean {
  return (
    poolWindowEnds(height, pool.height, pool.stride, pool.padding.top, pool.padding.bottom).length === 0 ||
    poolWindowEnds(width, pool.width, pool.stride, pool.padding.left, pool.padding.right).length === 0
  );
}

/**
 * The pools of a method-1 layer's chain that queue their pooled pixels when its blocks do not send equal blocks of
 * the pooled plane: every pool whose windows end together on its input plane (a stage emits at most one pixel per
 * input pixel), or else the last pool (its windows end unevenly in the blocks); the pools after the first queue see
 * its pixels one per timestep.
 */
export function queuedPools(convHeight: number, convWidth: number, pools: readonly PoolGeometry[]): number[] {
  let plane = { height: convHeight, width: convWidth };
  const together: number[] = [];
  pools.forEach((p, k) => {
    if (endsTogether(plane.height, plane.width, p)) together.push(k);
    plane = {
      height: windowCount(plane.height, p.padding.top, p.padding.bottom, p.height, p.stride),
      width: windowCount(plane.width, p.padding.left, p.padding.right, p.width, p.stride),
    };
  });
  return together.length > 0 ? together : [pools.length - 1];
}

/**
 * replicatedPoolRule for a layer split in column parts that each pool their own replicas' windows by position: each
 * part must hold whole replicas and whole windows (partShares, chainPartShares); undefined where they cannot.
 */
function columnPartRule(c: ReplicatedPoolCase): PooledGroup | undefined {
  // partShares places the windows' replicas on the grid of blocks.
  if (c.outChannels === undefined || c.block.ragged) return undefined;
  const sent = pooledPerBlock(c.convHeight, c.convWidth, c.block, c.pools);
  if ('reason' in sent) return undefined;
  // A chain: each part's stages pool its own replicas' pixels by position.
  if (c.pools.length > 1) {
    const shares = chainPartShares(c.convHeight, c.convWidth, c.block, c.pools, c.outChannels, c.colParts);
    return Array.isArray(shares) ? { ...sent, partPixels: shares } : undefined;
  }
  const [pool] = c.pools;
  if (!nonOverlapping(pool, c.convHeight, c.convWidth)) return undefined;
  const shares = partShares(c.convHeight, c.convWidth, c.block, pool, c.outChannels, c.colParts);
  return Array.isArray(shares) ? { ...sent, partPixels: shares } : undefined;
}

const POOLS = new Set(['maxpool', 'avgpool', 'gap']);

/** The pool nodes among a layer's fused nodes, in order. */
export function fusedPools(design: IrDesign, fused: readonly string[]): IrNode[] {
  const byName = nodeIndex(design.network);
  return fused.map((f) => byName.get(f)!).filter((f) => POOLS.has(f.op.kind));
}

/** The geometry of a weight layer's fused pools (`pools`, in order) as the rule sees them. */
function poolGeometries(layer: IrNode, pools: readonly IrNode[]): PoolGeometry[] {
  return pools.map((p, k): PoolGeometry => {
    if (p.op.kind === 'maxpool' || p.op.kind === 'avgpool') return { height: p.op.size, width: p.op.size, stride: p.op.stride, padding: p.op.padding };
    // A global average pool: one window over its input plane (the previous pool's output, or the conv's).
    const input = k === 0 ? layer.shape : pools[k - 1].shape;
    return { height: input.height, width: input.width, stride: input.height, padding: uniformPadding(0) };
  });
}

/**
 * The rule for a replicated layer's fused pools (undefined for a layer without both, or not replicated): the block of
 * the pooled plane it sends at once (its consumers' arriving blocks), and how (replicatedPoolRule).
 */
export function pooledGroupOf(design: IrDesign, lm: Omit<LayerMapping, 'cores'>): PooledGroup | undefined {
  if (lm.matrix.replicas.length <= 1) return undefined;
  const layer = nodeIndex(design.network).get(lm.layer)!;
  const pools = fusedPools(design, lm.fused);
  if (pools.length === 0) return undefined;
  return replicatedPoolRule({
    convHeight: layer.shape.height,
    convWidth: layer.shape.width,
    block: blockShape(lm.matrix.replicas),
    pools: poolGeometries(layer, pools),
    colParts: lm.colParts,
    outChannels: layer.shape.channels,
  });
}

/**
 * Whether one pixel of a replicated layer's conv plane ends two windows of one of its fused pools (through the chain;
 * of its first `count` pools, when given), in its blocks: a method-2 core's neuron core or stage then emits them one
 * at a time, so a residual add after its pools is its queue's, and one between two pools reads a shortcut per window
 * (src/emit/rtl/plan.ts).
 */
export function pixelEndsTwoWindows(design: IrDesign, lm: Omit<LayerMapping, 'cores'>, count?: number): boolean {
  const layer = nodeIndex(design.network).get(lm.layer)!;
  const pools = poolGeometries(layer, fusedPools(design, lm.fused)).slice(0, count);
  return completesTwoWindows(chainWindows(layer.shape.height, layer.shape.width, blockShape(lm.matrix.replicas), pools));
}

/**
 * The clock cycles a method-2 layer's neuron core holds its walk in its slowest block when its pools are queued
 * (templates/rtl/imcc_neuron.v.hbs): a pool that pools by position emits every window a pixel ends, one at a time
 * (the neuron core's one pool, one a cycle per channel; a chain's stage, one a sweep of the pixel's channels), each
 * through the stages after it, so a pixel takes a sweep per window the chain's last stage emits for it, or per
 * window at which the chain stops, at least one.
 */
export function heldPoolCycles(design: IrDesign, lm: Omit<LayerMapping, 'cores'>): number {
  const rule = pooledGroupOf(design, lm);
  const block = blockShape(lm.matrix.replicas);
  if (rule?.queued === undefined || block.cols === 1) return 0;
  const layer = nodeIndex(design.network).get(lm.layer)!;
  const pools = poolGeometries(layer, fusedPools(design, lm.fused));
  const planes = [{ height: layer.shape.height, width: layer.shape.width }];
  for (const p of pools) {
    const plane = planes[planes.length - 1];
    planes.push({ height: windowCount(plane.height, p.padding.top, p.padding.bottom, p.height, p.stride), width: windowCount(plane.width, p.padding.left, p.padding.right, p.width, p.stride) });
  }
  // Each pool's windows' pixels seen so far (a window's real pixels: its rows and columns inside the plane).
  const seen = pools.map(() => new Map<number, number>());
  const sweeps = (stage: number, y: number, x: number): number => {
    if (stage === pools.length) return 1;
    const pool = pools[stage];
    const { height, width } = planes[stage];
    const ended: Array<{ py: number; px: number }> = [];
    const span = (pos: number, pad: number, size: number, count: number): number[] => {
      const first = Math.max(0, Math.ceil((pos + pad - size + 1) / pool.stride));
      return Array.from({ length: Math.max(0, Math.min(count - 1, Math.floor((pos + pad) / pool.stride)) - first + 1) }, (_, i) => first + i);
    };
    for (const py of span(y, pool.padding.top, pool.height, planes[stage + 1].height)) {
      for (const px of span(x, pool.padding.left, pool.width, planes[stage + 1].width)) {
        const rows = Math.min(height, py * pool.stride - pool.padding.top + pool.height) - Math.max(0, py * pool.stride - pool.padding.top);
        const cols = Math.min(width, px * pool.stride - pool.padding.left + pool.width) - Math.max(0, px * pool.stride - pool.padding.left);
        const key = px * planes[stage + 1].height + py;
        const count = (seen[stage].get(key) ?? 0) + 1;
        seen[stage].set(key, count);
        if (count === rows * cols) ended.push({ py, px });
      }
    }
    // The RTL emits the window starting last first (its lowest candidate).
    ended.sort((a, b) => b.py - a.py || b.px - a.px);
    return Math.max(1, ended.reduce((sum, w) => sum + sweeps(stage + 1, w.py, w.px), 0));
  };
  const order = computationOrder(layer.shape.height, layer.shape.width, block);
  const pixels = Array.from(order.at.keys()).filter((k) => order.at[k] >= 0).sort((a, b) => order.at[a] - order.at[b]);
  const held = new Map<number, number>();
  for (const k of pixels) {
    const extra = sweeps(0, k % layer.shape.height, Math.floor(k / layer.shape.height)) - 1;
    held.set(order.block[k], (held.get(order.block[k]) ?? 0) + extra);
  }
  return Math.max(0, ...held.values()) * layer.shape.channels;
}

/**
 * Whether one core of a layer gathers the other parts' ADC codes and runs the layer's one neuron core (its pools need
 * the whole block: replicatedPoolRule's `gathered`); the mapping makes the other parts partial cores of it.
 */
export function gathersColumnParts(design: IrDesign, lm: Omit<LayerMapping, 'cores'>): boolean {
  return pooledGroupOf(design, lm)?.gathered === true;
}

/** The block of pixels a layer sends at once: its replicas' block, or the block of its pooled plane (pooledGroupOf). */
export function sentBlock(design: IrDesign, lm: LayerMapping): BlockShape {
  const pooled = pooledGroupOf(design, lm);
  return pooled ? { rows: pooled.rows, cols: pooled.cols } : blockShape(lm.matrix.replicas);
}
