// The queue of a neuron core's first pool when several of its windows end at the same conv-output pixel (padding >=
// stride): a walk pools those windows from the line buffer into a ring of pooled pixels, which leave one per timestep
// in column-major order (templates/rtl/pool_queue.v.hbs, pool_queue_walk.v.hbs; docs/rtl.md "Pools whose windows end
// together").
import { renderTemplate } from '../../support/templates.js';
import { ulit, unsignedBits } from './literals.js';
import type { PoolGeometry } from './plan.js';
import { poolWindowsAll, type PoolWindowEnd } from '../../mapping/poolWindows.js';
import { poolWindowTaps } from './poolTaps.js';

/** Widths and sizes of the neuron core the queue lives in. */
export interface QueueWidths {
  cw: number;
  cols: number;
  chBits: number;
  /** Bits of one emitted pixel (cols x OUT_BITS). */
  pixelBits: number;
  /** Line-buffer entries' bits and the pool's value bits (LINE_BITS, POOL_BITS). */
  lineBits: number;
  poolBits: number;
}

/** The first and last window ending at each row (column) some window ends at. */
function endGroups(windows: readonly PoolWindowEnd[], cw: number): Array<{ end: string; lo: string; hi: string }> {
  const groups: Array<{ end: number; lo: number; hi: number }> = [];
  for (const w of windows) {
    const last = groups[groups.length - 1];
    if (last && last.end === w.end) last.hi = w.index;
    else groups.push({ end: w.end, lo: w.index, hi: w.index });
  }
  return groups.map((g) => ({ end: ulit(cw, g.end), lo: ulit(cw, g.lo), hi: ulit(cw, g.hi) }));
}

/** The queue's datapath (declared before the neuron's result) and its walk (after it), as text for neuron.v.hbs. */
export function poolQueueText(pool: PoolGeometry, convHeight: number, convWidth: number, w: QueueWidths): { datapath: string; walk: string } {
  if (!pool.queue) throw new Error('RTL: the pool has no queue');
  const { cw, cols, chBits } = w;
  const slots = pool.queue.slots;
  const ringBits = unsignedBits(slots - 1);
  if (2 ** ringBits !== slots) throw new Error(`RTL: a pool queue of ${slots} slots is not a power of two`);
  const rows = poolWindowsAll(convHeight, pool.height, pool.stride, pool.padding.top, pool.padding.bottom);
  const columns = poolWindowsAll(convWidth, pool.width, pool.stride, pool.padding.left, pool.padding.right);
  const slotBits = unsignedBits(Math.max(1, pool.width - 1));
  const lineSlotEntries = convHeight * cols;
  const lineEntries = pool.width * lineSlotEntries;
  const { slots: slotsJ, taps } = poolWindowTaps(pool, { prefix: 'queue', slot: 'queue_slot_q', row: 'queue_y_q', rowSpan: 'queue_row_span', colSpan: 'queue_col_span' }, cw, w);
  const spans = (windows: readonly PoolWindowEnd[]) => windows.map((x) => ({ index: ulit(cw, x.index), span: ulit(cw, x.span) }));
  const datapath = renderTemplate('rtl/pool_queue.v.hbs', {
    cw,
    slots,
    ringBits,
    pixelBits: w.pixelBits,
    slotBits,
    chBits,
    cols,
    rowEnds: endGroups(rows, cw),
    colEnds: endGroups(columns, cw),
    rowSpans: spans(rows),
    colSpans: spans(columns),
    slotsJ,
    taps,
    lineSlotEntries,
    lineIndexBits: unsignedBits(lineEntries - 1),
  }).replace(/\n$/, '');
  const walk = renderTemplate('rtl/pool_queue_walk.v.hbs', {
    cw,
    slots,
    ringBits,
    pooledHeight: pool.pooledHeight,
    ringZero: ulit(ringBits, 0),
    ringOne: ulit(ringBits, 1),
    chZero: ulit(chBits, 0),
    chOne: ulit(chBits, 1 % 2 ** chBits),
    lastRow: ulit(cw, convHeight - 1),
    lastCol: ulit(cw, convWidth - 1),
    imageStep: ulit(ringBits, (pool.pooledHeight * pool.pooledWidth) % slots),
  }).replace(/\n$/, '');
  return { datapath, walk };
}
