// The RTL's use of a pool's windows (src/mapping/poolWindows.ts): the size of the queue of pooled pixels whose
// windows end together.
import { poolWindowsAll } from '../../mapping/poolWindows.js';

/** A pool before the queued one in the same core (a stage of its chain): its input plane and its windows. */
export interface EarlierPool {
  inHeight: number;
  inWidth: number;
  height: number;
  width: number;
  strideY: number;
  strideX: number;
  padding: { top: number; bottom: number; left: number; right: number };
}

/**
 * Slots of the queue of pooled pixels of a pool whose windows may end together (padding >= stride), a power of two:
 * pooled pixel q of an image (column-major) goes to slot (base + q) mod slots when its window completes and leaves
 * one per timestep in order, at max(its completion, the previous pixel's departure + 1) (the dataflow model's
 * serial emission). With the conv pixels coming one per timestep (the fastest; slower leaves the queue emptier), over
 * two images back to back, a slot is written only after its previous pixel left: at an earlier timestep, or at the
 * start of the same one (a pixel that waited leaves when the step starts, before the windows are pooled). After
 * `earlier` pools (the core's chain of stages, first to last) the queue's input pixel is complete with the conv pixel
 * that completes its windows in every earlier pool (a stage emits with the pixel that completes a window).
 */
export function poolQueueSlots(
  height: number,
  width: number,
  size: number,
  stride: number,
  padding: { top: number; bottom: number; left: number; right: number },
  earlier: readonly EarlierPool[] = [],
): number {
  let convRow = (r: number): number => r;
  let convCol = (c: number): number => c;
  for (const e of earlier) {
    const rowEnds = poolWindowsAll(e.inHeight, e.height, e.strideY, e.padding.top, e.padding.bottom);
    const colEnds = poolWindowsAll(e.inWidth, e.width, e.strideX, e.padding.left, e.padding.right);
    const [outerRow, outerCol] = [convRow, convCol];
    convRow = (r) => outerRow(rowEnds[r].end);
    convCol = (c) => outerCol(colEnds[c].end);
  }
  const convHeight = earlier[0]?.inHeight ?? height;
  const convWidth = earlier[0]?.inWidth ?? width;
  const rows = poolWindowsAll(height, size, stride, padding.top, padding.bottom);
  const cols = poolWindowsAll(width, size, stride, padding.left, padding.right);
  const ready: number[] = [];
  for (let image = 0; image < 2; image++) {
    for (const c of cols) for (const r of rows) ready.push(image * convHeight * convWidth + convCol(c.end) * convHeight + convRow(r.end));
  }
  const leaves: number[] = [];
  ready.forEach((t, q) => leaves.push(q === 0 ? t : Math.max(t, leaves[q - 1] + 1)));
  for (let slots = 2; ; slots *= 2) {
    const fits = ready.every((t, q) => q < slots || leaves[q - slots] < t || (leaves[q - slots] === t && leaves[q - slots] > ready[q - slots]));
    if (fits) return slots;
  }
}
