// The windows of a pool along one dimension of the conv-output plane: where each ends. The RTL's pool stages and
// queues build on them (src/emit/rtl/poolWindows.ts), and so does the rule of which pools a replicated layer may fuse
// (replicatedPool.ts), which the optimizer shares.

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
