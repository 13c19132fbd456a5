// A residual add whose shortcut arrives in another pixel order than the adding core computes its pixels (e.g. 2x2
// blocks into a layer of columns): the shortcut buffer keeps each arriving pixel at its arrival index modulo its
// depth, and the core reads its i-th pixel at the slot of that pixel's arrival index.
import type { BlockShape } from '../../mapping/block.js';
import { emissionIndex, emissionOrder } from '../../memory/schedule.js';

export interface ShortcutReorder {
  /** Per pixel the adding core reads, in its order: the buffer slot holding it. */
  slots: number[];
  /** Buffer depth: `depth` (the in-order FIFO's) plus the most arrivals a read may lag behind its own index. */
  depth: number;
}

/**
 * Slots and depth of the shortcut buffer for an H x W plane arriving in `arriving` blocks and read in `reading`
 * blocks, given the depth an in-order FIFO would need. A read of pixel i (in reading order) holds the slots of the
 * arrival indices from the smallest still unread (m_i) on, so the buffer needs i - m_i entries more than a FIFO.
 */
export function shortcutReorder(
  height: number,
  width: number,
  arriving: BlockShape,
  reading: BlockShape,
  fifoDepth: number,
  replicas?: { first: number; count: number },
): ShortcutReorder {
  const order = emissionOrder(height, width, reading);
  const arrival = order.map((p) => emissionIndex(height, width, arriving, p.y, p.x));
  let lag = 0;
  let smallestUnread = Number.POSITIVE_INFINITY;
  for (let i = arrival.length - 1; i >= 0; i--) {
    smallestUnread = Math.min(smallestUnread, arrival[i]);
    lag = Math.max(lag, i - smallestUnread);
  }
  // A column part reads the pixels of its replicas only, at the times the whole layer computes their blocks: the
  // whole layer's lag, and a block more.
  const part = replicas !== undefined;
  const depth = fifoDepth + lag + (part ? reading.rows * reading.cols : 0);
  const replica = (y: number, x: number): number => (y % reading.rows) + (x % reading.cols) * reading.rows;
  const read = order.flatMap((p, i) => {
    const r = replica(p.y, p.x);
    return !part || (r >= replicas.first && r < replicas.first + replicas.count) ? [arrival[i]] : [];
  });
  return { slots: read.map((t) => t % depth), depth };
}
