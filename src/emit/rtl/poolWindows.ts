// The RTL's use of a pool's windows (src/mapping/poolWindows.ts): the size of the queue of pooled pixels whose
// windows end together.
import { poolWindowsAll } from '../../mapping/poolWindows.js';

/**
 * Slots of the queue of pooled pixels of a pool whose windows may end together (padding >= stride), a power of two:
 * pooled pixel q of an image (column-major) goes to slot (base + q) mod slots when its window completes and leaves
 * one per timestep in order, at max(its completion, the previous pixel's departure + 1) (the dataflow model's
 * serial emission). With the conv pixels coming one per timestep (the fastest; slower leaves the queue emptier), over
 * two images back to back, a slot is written only after its previous pixel left: at an earlier timestep, or at the
 * start of the same one (a pixel that waited leaves when the step starts, before the windows are pooled).
 */
export function poolQueueSlots(height: number, width: number, size: number, stride: number, padding: { top: number; bottom: number; left: number; right: number }): number {
  const rows = poolWindowsAll(height, size, stride, padding.top, padding.bottom);
  const cols = poolWindowsAll(width, size, stride, padding.left, padding.right);
  const ready: number[] = [];
  for (let image = 0; image < 2; image++) {
    for (const c of cols) for (const r of rows) ready.push(image * height * width + c.end * height + r.end);
  }
  const leaves: number[] = [];
  ready.forEach((t, q) => leaves.push(q === 0 ? t : Math.max(t, leaves[q - 1] + 1)));
  for (let slots = 2; ; slots *= 2) {
    const fits = ready.every((t, q) => q < slots || leaves[q - slots] < t || (leaves[q - slots] === t && leaves[q - slots] > ready[q - slots]));
    if (fits) return slots;
  }
}
