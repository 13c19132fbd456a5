// Counting helpers of the simulation: the most pixels sent in one timestep, and the most items waiting in a buffer.

/** Most entries sharing one value (pixels emitted in the same timestep), by counting over the values' range. */
export function peakPerTimestep(times: Int32Array): number {
  if (times.length === 0) return 0;
  let lo = times[0];
  let hi = times[0];
  for (let i = 1; i < times.length; i++) {
    if (times[i] < lo) lo = times[i];
    if (times[i] > hi) hi = times[i];
  }
  const counts = new Int32Array(hi - lo + 1);
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    const c = ++counts[times[i] - lo];
    if (c > best) best = c;
  }
  return best;
}

/**
 * Most items held at the end of a timestep, an item being held from its arrival up to (not including) the timestep
 * of its use: occupancy(T) = #(arrival <= T) - #(use <= T), largest at some arrival timestep.
 */
export function peakOccupancy(arrivals: ArrayLike<number>, uses: ArrayLike<number>): number {
  const a = Int32Array.from(arrivals).sort();
  const u = Int32Array.from(uses).sort();
  let used = 0;
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    if (i + 1 < a.length && a[i + 1] === a[i]) continue;
    while (used < u.length && u[used] <= a[i]) used++;
    best = Math.max(best, i + 1 - used);
  }
  return best;
}
