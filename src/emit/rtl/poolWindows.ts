// The windows of a pool along one dimension of the conv-output plane: where each ends, for a neuron core that
// pools a stride other than the window size from a line buffer.

/** Where a pool window of one dimension ends (last real row or column) and how many real rows it holds before that. */
export interface PoolWindowEnd {
  /** The window's index in the pooled dimension. */
  index: number;
  /** Its last real row (column) in the conv-output plane. */
  end: number;
  /** Its real rows (columns) before `end`: end - max(start, 0). */
  span: number;
}

/**
 * The windows of one dimension (`length` conv-output rows, windows of `size` every `stride`, `before` rows of padding
 * before the plane and `after` after it)
 * in order, or [] when two windows end at the same row (the core could not emit both). Windows past the plane's
 * end clamp to its last row; padding < size (IMC014) keeps a real row in each.
 */
export function poolWindowEnds(length: number, size: number, stride: number, before: number, after = before): PoolWindowEnd[] {
  const ends = poolWindowsAll(length, size, stride, before, after);
  return ends.some((w, i) => i > 0 && ends[i - 1].end === w.end) ? [] : ends;
}

/** Every window of one dimension in order, also when several end at the same row (padding >= stride). */
export function poolWindowsAll(length: number, size: number, stride: number, before: number, after = before): PoolWindowEnd[] {
  const pooled = Math.floor((length + before + after - size) / stride) + 1;
  const ends: PoolWindowEnd[] = [];
  for (let index = 0; index < pooled; index++) {
    const start = index * stride - before;
    const end = Math.min(start + size - 1, length - 1);
    ends.push({ index, end, span: end - Math.max(start, 0) });
  }
  return ends;
}

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

/** The window of one dimension that holds a row (column) of the plane, for pools whose windows do not overlap. */
export interface PoolWindowRow {
  /** The row (column) in the plane the pool reads. */
  at: number;
  /** The window's index in the pooled dimension. */
  index: number;
  /** Whether it is the window's first real row (the running value starts) and its last (the window is complete). */
  first: boolean;
  last: boolean;
}

/**
 * The rows (columns) of one dimension that some window holds, for windows that do not overlap (stride >= size):
 * each row in at most one window. Rows in no window (gaps, or past the last window) are left out.
 */
export function poolWindowRows(length: number, size: number, stride: number, before: number, after = before): PoolWindowRow[] {
  if (stride < size) throw new RangeError(`pool windows of ${size} every ${stride} overlap`);
  const pooled = Math.floor((length + before + after - size) / stride) + 1;
  const rows: PoolWindowRow[] = [];
  for (let index = 0; index < pooled; index++) {
    const start = Math.max(index * stride - before, 0);
    const end = Math.min(index * stride - before + size - 1, length - 1);
    for (let at = start; at <= end; at++) rows.push({ at, index, first: at === start, last: at === end });
  }
  return rows;
}
