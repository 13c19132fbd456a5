// The shortcut buffer of a residual add that a plain FIFO cannot pair with the adding core's pixels: the shortcut
// arrives in another pixel order (e.g. 2x2 blocks into a layer of columns), either side's blocks have idle pixels, or
// a column part takes every arriving pixel. The buffer keeps each arriving pixel at its arrival index modulo its
// depth, and the core reads its i-th pixel at the slot of that pixel's arrival index, through a table that also says
// what each block waits for and frees.
import { blockOrigins, blockShape } from '../../mapping/block.js';
import type { ReplicaOffset } from '../../mapping/types.js';
import { emissionIndex } from '../../memory/schedule.js';

/**
 * One entry of a core's shortcut table (`<core>_res_slots.mem`, read by the wrapper as `res_entry`): the shortcut pixels
 * its block waits for (at a block's first pixel), the pixels freed after it (at a block's last), each `ptrBits` + 1
 * bits, and its FIFO slot in the lowest `ptrBits` bits.
 */
export interface ShortcutEntry {
  need: number;
  advance: number;
  slot: number;
}

export function encodeShortcutEntry(e: ShortcutEntry, ptrBits: number): number {
  return (e.need * 2 ** (ptrBits + 1) + e.advance) * 2 ** ptrBits + e.slot;
}

export function decodeShortcutEntry(value: number, ptrBits: number): ShortcutEntry {
  return {
    need: Math.floor(value / 2 ** (2 * ptrBits + 1)),
    advance: Math.floor(value / 2 ** ptrBits) % 2 ** (ptrBits + 1),
    slot: value % 2 ** ptrBits,
  };
}

/**
 * The table of the shortcut buffer. With idle pixels on either side (edge blocks cut by the plane, or ragged blocks
 * on their lattice, src/mapping/block.ts) the adding core keeps only the arriving pixels in the plane, packed in
 * arrival order (emissionIndex counts only those). It walks a table with one entry per pixel its neuron core computes
 * (every replica of every block, idle ones too; a column part's own replicas). Each core frees a block's kept pixels
 * at its last pixel, so column parts, each with a buffer of all the pixels, stay in step; a block waits for its last
 * pixel's arrival, in any arrival order.
 */
export interface MaskedShortcut {
  /** Per computed pixel: the kept pixels freed after it (a block's in-plane pixels, at its last), and the buffer slot holding it. */
  advances: number[];
  slots: number[];
  /** Per computed pixel: at a block's first pixel, the kept pixels the block waits for beyond those it used up before (else 0). */
  needs: number[];
  /** Per arriving block (absent when no arriving pixel is idle): bit r says replica r's pixel is in the plane. */
  arrivalMasks?: number[];
  depth: number;
}

/**
 * The table of a residual add on an H x W plane whose shortcut arrives in blocks of `arriving` replicas and is read
 * in blocks of `reading` replicas (both y fastest), given the depth an in-order FIFO would need. A block waits until
 * the last arrival among its pixels is kept (an exact count, since the core compares kept minus used-up pixels).
 */
export function maskedShortcut(
  height: number,
  width: number,
  arriving: readonly ReplicaOffset[],
  reading: readonly ReplicaOffset[],
  fifoDepth: number,
  part?: { first: number; count: number },
): MaskedShortcut {
  const plane = { height, width };
  const inPlane = (y: number, x: number): boolean => y >= 0 && y < height && x >= 0 && x < width;
  const theirs = blockShape(arriving);
  const computed = blockOrigins(reading, plane).map((o) => reading.map((r) => ({ y: o.y + r.oy, x: o.x + r.ox })));
  const arrival = computed.map((block) => block.map((p) => (inPlane(p.y, p.x) ? [emissionIndex(height, width, theirs, p.y, p.x)] : [])));
  return shortcutTable(plane, arrival, arriving, reading.length, fifoDepth, part);
}

/** One pool of a core's chain: `height` x `width` windows every `strideY` x `strideX` pixels of its input plane. */
export interface ChainPool {
  input: { height: number; width: number };
  height: number;
  width: number;
  strideY: number;
  strideX: number;
  padding: { top: number; left: number };
  pooledHeight: number;
  pooledWidth: number;
}

/**
 * The table of a residual add right after the core's pools: the shortcut is on the last pool's plane, arriving in
 * blocks of `arriving` replicas, and each pooled pixel reads its shortcut pixel at the computed pixel that completes
 * it (through the pools, the pixel the core computes last among those it pools), so the block holding that pixel
 * waits for it. The conv plane is computed in blocks of `reading` replicas. A queued pool completes several pooled
 * pixels at one computed pixel: its block waits for all of them, and the core's last queue reads each pixel of the
 * last pool at its slot (`pooledSlots`, column-major; the computed pixels' slots are then unused).
 */
export function pooledShortcut(
  conv: { height: number; width: number },
  pools: readonly ChainPool[],
  arriving: readonly ReplicaOffset[],
  reading: readonly ReplicaOffset[],
  fifoDepth: number,
  part?: { first: number; count: number },
): MaskedShortcut & { pooledSlots: number[] } {
  const computed = blockOrigins(reading, conv).map((o) => reading.map((r) => ({ y: o.y + r.oy, x: o.x + r.ox })));
  // The computation index of every conv pixel (column-major), then of every pool's pixels: the last of its window's.
  const order = new Int32Array(conv.height * conv.width).fill(-1);
  computed.flat().forEach((p, i) => {
    if (p.y >= 0 && p.y < conv.height && p.x >= 0 && p.x < conv.width) order[p.x * conv.height + p.y] = i;
  });
  const completing = completingPixels(order, pools);
  const last = pools[pools.length - 1];
  const pooled = { height: last.pooledHeight, width: last.pooledWidth };
  const theirs = blockShape(arriving);
  const pooledArrival = Array.from(completing, (_, q) => emissionIndex(pooled.height, pooled.width, theirs, q % pooled.height, Math.floor(q / pooled.height)));
  const completes = new Map<number, number[]>();
  completing.forEach((i, q) => completes.set(i, [...(completes.get(i) ?? []), pooledArrival[q]]));
  let i = 0;
  const arrival = computed.map((block) => block.map(() => completes.get(i++) ?? []));
  const table = shortcutTable(pooled, arrival, arriving, reading.length, fifoDepth, part);
  return { ...table, pooledSlots: pooledArrival.map((a) => a % table.depth) };
}

/**
 * Through `pools` (the first pooling the plane `order` numbers, column-major), the number of the pixel completing each
 * pixel of the last pool's plane: the largest of its window's pixels', through the pools (-1: none).
 */
export function completingPixels(order: Int32Array, pools: readonly ChainPool[]): Int32Array {
  let completing = order;
  for (const pool of pools) {
    const next = new Int32Array(pool.pooledHeight * pool.pooledWidth).fill(-1);
    for (let px = 0; px < pool.pooledWidth; px++) {
      for (let py = 0; py < pool.pooledHeight; py++) {
        for (let dx = 0; dx < pool.width; dx++) {
          for (let dy = 0; dy < pool.height; dy++) {
            const y = py * pool.strideY - pool.padding.top + dy;
            const x = px * pool.strideX - pool.padding.left + dx;
            if (y >= 0 && y < pool.input.height && x >= 0 && x < pool.input.width) next[px * pool.pooledHeight + py] = Math.max(next[px * pool.pooledHeight + py], completing[x * pool.input.height + y]);
          }
        }
      }
    }
    completing = next;
  }
  return completing;
}

/**
 * The table of `arrival` (per computed block, per replica: the arrival indices of the shortcut pixels it reads, one or
 * none, several at a queued pool) over the shortcut's plane: a block waits until the last arrival among its own
 * pixels is kept, and frees the block's kept pixels after its own last pixel. A computed pixel's slot is its first
 * shortcut pixel's.
 */
function shortcutTable(
  plane: { height: number; width: number },
  arrival: number[][][],
  arriving: readonly ReplicaOffset[],
  readingPixels: number,
  fifoDepth: number,
  part?: { first: number; count: number },
): MaskedShortcut {
  const mine = (r: number): boolean => part === undefined || (r >= part.first && r < part.first + part.count);
  const inPlane = (y: number, x: number): boolean => y >= 0 && y < plane.height && x >= 0 && x < plane.width;
  const read = arrival.flat(2);
  if (read.length !== plane.height * plane.width) throw new Error(`RTL: a residual add reads ${read.length} shortcut pixels of a ${plane.height}x${plane.width} plane`);
  let lag = 0;
  let smallestUnread = Number.POSITIVE_INFINITY;
  for (let i = read.length - 1; i >= 0; i--) {
    smallestUnread = Math.min(smallestUnread, read[i]);
    lag = Math.max(lag, i - smallestUnread);
  }
  const needs: number[] = [];
  const advances: number[] = [];
  const slotOf: number[] = [];
  let used = 0;
  let mostNeeded = 0;
  for (const block of arrival) {
    const own = block.map((a, r) => ({ a, r })).filter(({ r }) => mine(r));
    // A column part waits for the whole block's pixels, not only its own: every part frees them all after the block
    // (a part freeing pixels still to come would pass the write pointer), and the dataflow model stalls the layer's
    // block on its last shortcut pixel.
    const need = Math.max(0, Math.max(-1, ...block.flat()) + 1 - used);
    mostNeeded = Math.max(mostNeeded, need);
    const kept = block.flat().length;
    own.forEach(({ a }, k) => {
      needs.push(k === 0 ? need : 0);
      advances.push(k === own.length - 1 ? kept : 0);
      slotOf.push(a[0] ?? -1);
    });
    used += kept;
  }
  // Room for the lag, for the most a block waits for with a whole arriving block on top, and for a block's pixels.
  const depth = Math.max(fifoDepth + lag, mostNeeded + arriving.length + 1, readingPixels + 1);
  const origins = blockOrigins(arriving, plane);
  const idle = origins.length * arriving.length > plane.height * plane.width;
  const arrivalMasks = idle
    ? origins.map((o) => arriving.reduce((mask, r, k) => (inPlane(o.y + r.oy, o.x + r.ox) ? mask + 2 ** k : mask), 0))
    : undefined;
  return {
    advances,
    slots: slotOf.map((a) => (a >= 0 ? a % depth : 0)),
    needs,
    arrivalMasks,
    depth,
  };
}

/** Whether a layer's blocks have idle pixels: edge blocks the plane cuts, or ragged blocks off the plane. */
export function hasIdlePixels(replicas: readonly ReplicaOffset[], plane: { height: number; width: number }): boolean {
  return blockOrigins(replicas, plane).length * Math.max(1, replicas.length) > plane.height * plane.width;
}
