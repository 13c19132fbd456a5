// The RTL's use of a pool's windows (src/mapping/poolWindows.ts): the size of the queue of pooled pixels whose
// windows end together.
import { poolWindowsAll, type PoolWindowEnd } from '../../mapping/poolWindows.js';

/** A pool before the queued one in the same core (a stage of its chain, or a queue): its input plane and its windows. */
export interface EarlierPool {
  inHeight: number;
  inWidth: number;
  height: number;
  width: number;
  strideY: number;
  strideX: number;
  padding: { top: number; bottom: number; left: number; right: number };
  /** Its windows end together: its pixels leave one per timestep (this queue reads them as they leave). */
  queue?: unknown;
}

/**
 * Slots of the queue of pooled pixels of a pool whose windows may end together (padding >= stride), a power of two:
 * pooled pixel q of an image (column-major) goes to slot (base + q) mod slots when its window completes and leaves
 * one per timestep in order, at max(its completion, the previous pixel's departure + 1) (the dataflow model's
 * serial emission). With the conv pixels coming one per timestep (the fastest; slower leaves the queue emptier), over
 * two images back to back, a slot is written only after its previous pixel left: at an earlier timestep, or at the
 * start of the same one (a pixel that waited leaves when the step starts, before the windows are pooled). After
 * `earlier` pools (the core's stages and queues, first to last) the queue's input pixel is complete when its windows
 * in every earlier pool are (a stage emits with the pixel that completes a window; a queue's pixels leave serialized).
 * A replicated (method-1) core computes a block of `blockRows` conv pixels of a column per timestep.
 */
export function poolQueueSlots(
  height: number,
  width: number,
  size: number,
  stride: number,
  padding: { top: number; bottom: number; left: number; right: number },
  earlier: readonly EarlierPool[] = [],
  blockRows = 1,
): number {
  const convHeight = earlier[0]?.inHeight ?? height;
  const convWidth = earlier[0]?.inWidth ?? width;
  // Per image, the timestep each pixel of the current plane is complete (column-major), two images back to back.
  const blocksDown = Math.ceil(convHeight / blockRows);
  let times = Array.from({ length: 2 * convHeight * convWidth }, (_, i) => {
    const image = Math.floor(i / (convHeight * convWidth));
    const at = i % (convHeight * convWidth);
    return (image * convWidth + Math.floor(at / convHeight)) * blocksDown + Math.floor((at % convHeight) / blockRows);
  });
  const pooled = (inHeight: number, inWidth: number, rows: PoolWindowEnd[], cols: PoolWindowEnd[]): number[] => {
    const out: number[] = [];
    for (let image = 0; image < 2; image++) {
      const base = image * inHeight * inWidth;
      for (const c of cols) {
        for (const r of rows) {
          let t = -1;
          for (let x = c.end - c.span; x <= c.end; x++) for (let y = r.end - r.span; y <= r.end; y++) t = Math.max(t, times[base + x * inHeight + y]);
          out.push(t);
        }
      }
    }
    return out;
  };
  for (const e of earlier) {
    const rows = poolWindowsAll(e.inHeight, e.height, e.strideY, e.padding.top, e.padding.bottom);
    const cols = poolWindowsAll(e.inWidth, e.width, e.strideX, e.padding.left, e.padding.right);
    times = pooled(e.inHeight, e.inWidth, rows, cols);
    if (e.queue !== undefined) times = serialized(times);
  }
  return ringSlots(pooled(height, width, poolWindowsAll(height, size, stride, padding.top, padding.bottom), poolWindowsAll(width, size, stride, padding.left, padding.right)));
}

/**
 * Slots of the ring of a queue that only sends a method-2 core's pooled pixels (its neuron core pools them by
 * position): pooled pixel q of an image (column-major) is complete in the timestep of the block that ends its window
 * (`windowBlocks[q]`, one block a timestep, the fastest), two images of `blocksPerImage` blocks back to back.
 */
export function sentPixelSlots(windowBlocks: readonly number[], blocksPerImage: number): number {
  return ringSlots([0, 1].flatMap((image) => windowBlocks.map((b) => image * blocksPerImage + b)));
}

/**
 * The power of two of slots a ring needs for pixels complete at `ready` (pooled pixel q at slot q mod slots) that
 * leave one per timestep in order, at max(their completion, the previous pixel's departure + 1): a slot is written
 * only after its previous pixel left, at an earlier timestep or at the start of the same one.
 */
function ringSlots(ready: readonly number[]): number {
  const leaves = serialized(ready);
  for (let slots = 2; ; slots *= 2) {
    const fits = ready.every((t, q) => q < slots || leaves[q - slots] < t || (leaves[q - slots] === t && leaves[q - slots] > ready[q - slots]));
    if (fits) return slots;
  }
}

/** When pixels complete at `ready` leave, one per timestep in order: each at max(its completion, the previous one's + 1). */
function serialized(ready: readonly number[]): number[] {
  const leaves: number[] = [];
  ready.forEach((t, q) => leaves.push(q === 0 ? t : Math.max(t, leaves[q - 1] + 1)));
  return leaves;
}
