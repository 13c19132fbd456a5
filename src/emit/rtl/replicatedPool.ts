// A pool fused into a replicated layer (method 1: blocks one column wide): the pooled pixels each block completes.
// A block's pixels pass the neuron core y fastest, as an unreplicated core's do, so its window counters see the
// conv-output plane in column order and it emits pooled pixels in column order; the consumer takes the pooled
// pixels of one block together, so every block that completes a pooled pixel must complete the same number.
import type { BlockShape } from '../../mapping/block.js';
import { poolWindowEnds } from './poolWindows.js';

export interface PoolGeometry {
  height: number;
  width: number;
  stride: number;
  padding: { top: number; bottom: number; left: number; right: number };
}

/**
 * How many pooled pixels a block completes: per block of `block` conv-output pixels (in the layer's block order), the
 * windows whose last real pixel lies in it. Returns the common count of the blocks that complete any, or a reason
 * why there is none (the counts differ, or the pooled plane's columns do not split into them).
 */
export function pooledPerBlock(
  convHeight: number,
  convWidth: number,
  block: BlockShape,
  pool: PoolGeometry,
): { pixels: number } | { reason: string } {
  if (block.cols !== 1) return { reason: `blocks ${block.cols} columns wide (method 2)` };
  if (convHeight % block.rows !== 0) return { reason: `a ${convHeight}-row plane that is not a whole number of ${block.rows}-row blocks` };
  // A global pool is one window (stride = its height) over the plane: it ends at the last pixel.
  const rows = poolWindowEnds(convHeight, pool.height, pool.stride, pool.padding.top, pool.padding.bottom);
  const cols = poolWindowEnds(convWidth, pool.width, pool.stride, pool.padding.left, pool.padding.right);
  if (rows.length === 0 || cols.length === 0) return { reason: 'two pool windows that end at the same row or column' };
  // Every column with a window end sees the same rows end: count them per block of rows.
  const perBlock = new Map<number, number>();
  for (const r of rows) {
    const b = Math.floor(r.end / block.rows);
    perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
  }
  const counts = new Set(perBlock.values());
  if (counts.size !== 1) return { reason: `blocks of ${block.rows} rows that complete ${[...counts].sort((a, b) => a - b).join(' or ')} pooled rows` };
  const pixels = [...counts][0];
  if (rows.length % pixels !== 0) return { reason: `${rows.length} pooled rows that are not a whole number of ${pixels}-pixel groups` };
  return { pixels };
}
