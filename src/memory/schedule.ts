// Algorithm 2 of the paper: the address sequence a core's dataflow controller issues to its input memory.
//
// Timing model (per core, timesteps counted from the core's first arriving pixel = timestep 0):
//  - Arrival: the core's input pixels arrive in the order their producer computes them, `arrivalsPerTimestep` of them
//    per timestep: the producer's blocks (`arrivalBlock`: 1 x 1 for an unreplicated producer; the network input in
//    blocks of inputPixelsPerTimestep rows, src/mapping/inputRate.ts) in column order, each block's pixels y fastest;
//    the i-th pixel arrives in timestep floor(i / arrivalsPerTimestep) and is written (W) then. For 1 x 1 blocks this
//    is plain column order, pixel i = x * H + y.
//  - Computation: the layer's output pixels are grouped in blocks, one block per computation, the replicas' offsets
//    giving the block's shape (method 1: a column of n pixels; method 2: dW wide). Blocks are computed in column
//    order (block column outer, block row fastest), at most one block per timestep, each in the first timestep in
//    which every pixel its region reads has arrived (writes of a timestep come before its reads, as in Algorithm 1)
//    and after the previous block's timestep. The row parts of a split layer compute each block together, so a row
//    part waits for the pixels of its siblings' rows too.
//  - A computation reads the block's input region once (the collective kernel matrix takes each distinct input
//    pixel once): region rows in order, in each row the columns in order (Algorithm 2's read_data: one kernel row
//    of contiguous words, the circular slots visited as Δpix[x mod columns]). A region position in the image that
//    an active replica needs is read (R); padding, and positions only idle replicas of an edge block need, give a
//    zero to the crossbar without a memory access (Z).
//  - The memory keeps `columns` input columns (circular, slot = x mod columns): the paper's F (a method-2 block's
//    (dW - 1) * stride + F), or more when a pixel would otherwise be overwritten before its last read
//    (requiredColumns; a pixel takes its slot when its producer block's first pixel arrives, as the controller writes
//    a block at once). MemoryOverrunError is an internal check of that.
import type { LayoutName } from '../ir/types.js';
import { symmetricPad, windowCount, type Padding } from '../ir/padding.js';
import type { ReplicaOffset } from '../mapping/types.js';
import { blockGrid, blockOrigins, blockRegion, blockShape, isFullBlock, isRaggedBlock, type BlockShape } from '../mapping/block.js';
import { replicaOffsets } from '../mapping/kernel.js';

import { makeLayout, layoutFigures, type StoredVolume } from './layout.js';

/** Everything the memory phase needs to know about one core; built from the design and mapping by planMemories. */
export interface CoreMemoryParams {
  layer: string;
  core: string;
  /** Input plane of the layer (H x W) and the channels this core stores. */
  height: number;
  width: number;
  channels: number;
  /** Activation bits per channel. */
  bits: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  padding: Padding;
  /** Output offsets of the replicas within a block (mapping convention); [{oy:0,ox:0}] when not replicated. */
  replicas: ReplicaOffset[];
  method: 1 | 2;
  dW: number;
  wordBits: number;
  depth: number;
  layout: LayoutName;
  arrivalsPerTimestep: number;
  /** Block of output pixels the producer computes at once (its replicas' shape); 1 x 1 when absent. */
  arrivalBlock?: BlockShape;
  /**
   * Block-region positions whose crossbar rows sit on this core (a row part of a split layer); undefined = all
   * positions covered by the replicas' patches.
   */
  positions?: RegionPosition[];
}

/** Offset of an input pixel from the block's input origin (the pixel under kernel (0,0) of replica 0, unpadded). */
export interface RegionPosition {
  dy: number;
  dx: number;
}

export type MemoryOpKind = 'W' | 'C' | 'R' | 'Z';

/**
 * One line of a schedule. W: write an arriving pixel. C: a computation starts (block origin and active replicas).
 * R: read one pixel of the block's region. Z: zero for a region position without a memory read.
 */
export interface MemoryOp {
  t: number;
  op: MemoryOpKind;
  /** Input pixel (W, R, Z), may be outside the image for Z; for C the block's first output pixel. */
  y: number;
  x: number;
  /** W and R: first and last word touched, bit offset of the pixel in the first word. */
  word?: number;
  lastWord?: number;
  bit?: number;
  /** C, R, Z: computation (block) index. */
  block?: number;
  /** R, Z: region position. */
  dy?: number;
  dx?: number;
  /** C: replicas of the block that produce an output pixel (edge blocks may have idle ones). */
  active?: number;
}

export interface ScheduleHeader {
  layer: string;
  core: string;
  layout: LayoutName;
  wordBits: number;
  depth: number;
  pixelBits: number;
  channels: number;
  activationBits: number;
  height: number;
  width: number;
  columns: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  /** One pad on every side, or [top, left, bottom, right] when they differ. */
  padding: number | [number, number, number, number];
  replicas: number;
  method: 1 | 2;
  dW: number;
  arrivalsPerTimestep: number;
  deltaKernelBits: number;
  deltaPixBits: number[];
  words: number;
  minOccupancy: number;
  outputHeight: number;
  outputWidth: number;
}

export interface Schedule {
  header: ScheduleHeader;
  ops: MemoryOp[];
}

export class MemoryOverrunError extends Error {
  readonly core: string;
  constructor(core: string, message: string) {
    super(message);
    this.name = 'MemoryOverrunError';
    this.core = core;
  }
}

/** True for a ragged block laid out as the mapping lays one out (replicaOffsets: y fastest, last column partly filled). */
function isLatticeBlock(replicas: readonly ReplicaOffset[]): boolean {
  const { cols } = blockShape(replicas);
  const expected = replicaOffsets(replicas.length, cols);
  return isRaggedBlock(replicas) && expected.every((e, i) => e.oy === replicas[i].oy && e.ox === replicas[i].ox);
}

/** Input columns the memory keeps: F for one block column, (dW - 1) * stride + F for a method-2 block. */
export function storedColumns(p: Pick<CoreMemoryParams, 'replicas' | 'stride' | 'kernelHeight' | 'kernelWidth'>): number {
  return blockRegion(blockShape(p.replicas), p).width;
}

export function outputSize(p: Pick<CoreMemoryParams, 'height' | 'width' | 'kernelHeight' | 'kernelWidth' | 'stride' | 'padding'>): {
  height: number;
  width: number;
} {
  return {
    height: windowCount(p.height, p.padding.top, p.padding.bottom, p.kernelHeight, p.stride),
    width: windowCount(p.width, p.padding.left, p.padding.right, p.kernelWidth, p.stride),
  };
}

/** The paper's minimum occupancy before the first computation, H*(F-P-1)+(F-P), for an Fh x Fw kernel. */
export function minimumOccupancy(p: Pick<CoreMemoryParams, 'height' | 'kernelHeight' | 'kernelWidth' | 'padding'>): number {
  return p.height * Math.max(0, p.kernelWidth - p.padding.left - 1) + Math.max(0, p.kernelHeight - p.padding.top);
}

/** The volume the core's memory keeps: H x requiredColumns pixels. */
export function storedVolume(p: CoreMemoryParams, timing?: Timing): StoredVolume {
  return storedVolumeOf(p, requiredColumns(p, timing));
}

/** H x `columns` pixels of the core's channels. */
export function storedVolumeOf(p: CoreMemoryParams, columns: number): StoredVolume {
  return { height: p.height, columns, channels: p.channels, bits: p.bits, wordBits: p.wordBits };
}

/** Region positions covered by the replicas' patches, rows then columns. */
export function patchPositions(p: Pick<CoreMemoryParams, 'replicas' | 'stride' | 'kernelHeight' | 'kernelWidth'>, only?: readonly ReplicaOffset[]): RegionPosition[] {
  const seen = new Set<string>();
  const out: RegionPosition[] = [];
  for (const r of only ?? p.replicas) {
    for (let ky = 0; ky < p.kernelHeight; ky++) {
      for (let kx = 0; kx < p.kernelWidth; kx++) {
        const dy = r.oy * p.stride + ky;
        const dx = r.ox * p.stride + kx;
        const key = `${dy},${dx}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ dy, dx });
        }
      }
    }
  }
  return out.sort((a, b) => a.dy - b.dy || a.dx - b.dx);
}

function checkParams(p: CoreMemoryParams): void {
  const ints: Array<[string, number, number]> = [
    ['height', p.height, 1],
    ['width', p.width, 1],
    ['channels', p.channels, 1],
    ['bits', p.bits, 1],
    ['kernelHeight', p.kernelHeight, 1],
    ['kernelWidth', p.kernelWidth, 1],
    ['stride', p.stride, 1],
    ['padding top', p.padding.top, 0],
    ['padding left', p.padding.left, 0],
    ['padding bottom', p.padding.bottom, 0],
    ['padding right', p.padding.right, 0],
    ['wordBits', p.wordBits, 1],
    ['depth', p.depth, 1],
    ['arrivalsPerTimestep', p.arrivalsPerTimestep, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`core ${p.core}: ${name} must be an integer >= ${min}, got ${v}`);
  }
  if (p.arrivalBlock && !(Number.isSafeInteger(p.arrivalBlock.rows) && p.arrivalBlock.rows >= 1 && Number.isSafeInteger(p.arrivalBlock.cols) && p.arrivalBlock.cols >= 1)) {
    throw new RangeError(`core ${p.core}: the arrival block must be at least 1 x 1 pixels`);
  }
  if (p.replicas.length === 0) throw new RangeError(`core ${p.core}: at least one replica`);
  if (!isFullBlock(p.replicas) && !isLatticeBlock(p.replicas)) {
    throw new RangeError(`core ${p.core}: the replicas' output offsets neither fill a rectangle nor form a ragged block, so blocks cannot tile the output`);
  }
  const o = outputSize(p);
  if (o.height < 1 || o.width < 1) throw new RangeError(`core ${p.core}: the kernel does not fit the padded input`);
}

/**
 * One computation of the timing model: a block of output pixels and the region positions it reads. The timing hands
 * the same object to every visit (compile streams 67 million computations for an 8192 x 8192 input), so a visitor
 * that keeps one copies it.
 */
export interface Computation {
  block: number;
  t: number;
  /** The block's first output pixel and input origin (unpadded coordinates of region position (0,0)). */
  oy: number;
  ox: number;
  y0: number;
  x0: number;
  active: number;
  /** Region positions of this core, in read order; `read` false for a zero (padding or idle replicas only). */
  positions: Array<RegionPosition & { y: number; x: number; read: boolean }>;
}

export interface Timing {
  /** Timestep in which input pixel (y, x) arrives (closed form, no per-pixel table). */
  arrival: (y: number, x: number) => number;
  /**
   * Timestep in which the first pixel of the producer block that brings (y, x) arrives: the controller writes a
   * block's pixels together when the block arrives, so (y, x) may take its slot that early.
   */
  written: (y: number, x: number) => number;
  /** Computations of the core: the output blocks. */
  computationCount: number;
  /** Visits the computations in order; the argument is reused between visits (see Computation). */
  forEachComputation: (visit: (c: Computation) => void) => void;
}

/**
 * Visits the pixels of an H x W plane in the order a producer computing `block`-shaped blocks emits them: block
 * columns left to right, in each the blocks top to bottom, in each block the pixels y fastest (edge blocks keep only
 * the pixels inside).
 */
export function forEachEmitted(height: number, width: number, block: BlockShape, visit: (y: number, x: number) => void): void {
  const order = emissionCursor(height, width, block);
  const pixel = { y: 0, x: 0 };
  while (order.next(pixel)) visit(pixel.y, pixel.x);
}

/** Whether producers of `a`- and `b`-shaped blocks emit an H x W plane in the same pixel order. */
export function sameEmissionOrder(height: number, width: number, a: BlockShape, b: BlockShape): boolean {
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) if (emissionIndex(height, width, a, y, x) !== emissionIndex(height, width, b, y, x)) return false;
  }
  return true;
}

/** forEachEmitted's order as a list. */
export function emissionOrder(height: number, width: number, block: BlockShape = { rows: 1, cols: 1 }): Array<{ y: number; x: number }> {
  const order: Array<{ y: number; x: number }> = [];
  forEachEmitted(height, width, block, (y, x) => order.push({ y, x }));
  return order;
}

/**
 * A ragged producer's emission order (its blocks on their lattice, each block's pixels in replica order, y fastest),
 * as a table: `order` lists the pixels (x * H + y) as emitted, `index` is its inverse. The last few planes are kept:
 * the memory timing asks for every pixel's index.
 */
const raggedEmissions: Array<{ key: string; order: Int32Array; index: Int32Array; first: Int32Array }> = [];

/** A ragged producer's emission table; `first` gives, per pixel, the index of its block's first emitted pixel. */
function raggedEmission(height: number, width: number, replicas: readonly ReplicaOffset[]): { order: Int32Array; index: Int32Array; first: Int32Array } {
  const key = `${height}x${width}:${replicas.map((r) => `${r.oy},${r.ox}`).join(' ')}`;
  const kept = raggedEmissions.find((e) => e.key === key);
  if (kept) return kept;
  const order = new Int32Array(height * width);
  const index = new Int32Array(height * width);
  const first = new Int32Array(height * width);
  let next = 0;
  for (const { y, x } of blockOrigins(replicas, { height, width })) {
    const start = next;
    for (const r of replicas) {
      const py = y + r.oy;
      const px = x + r.ox;
      if (py < 0 || py >= height || px < 0 || px >= width) continue;
      order[next] = px * height + py;
      first[px * height + py] = start;
      index[px * height + py] = next++;
    }
  }
  const entry = { key, order, index, first };
  raggedEmissions.unshift(entry);
  raggedEmissions.length = Math.min(raggedEmissions.length, 8);
  return entry;
}

/** Position of pixel (y, x) in forEachEmitted's order, in closed form: full block columns, then full blocks, then the pixel. */
export function emissionIndex(height: number, width: number, block: BlockShape, y: number, x: number): number {
  if (block.ragged) return raggedEmission(height, width, block.ragged).index[x * height + y];
  const bx = Math.floor(x / block.cols) * block.cols;
  const by = Math.floor(y / block.rows) * block.rows;
  const columnWidth = Math.min(block.cols, width - bx);
  const blockHeight = Math.min(block.rows, height - by);
  return bx * height + by * columnWidth + (x - bx) * blockHeight + (y - by);
}

/** Position in forEachEmitted's order of the first pixel of the block that emits pixel (y, x). */
export function blockFirstEmissionIndex(height: number, width: number, block: BlockShape, y: number, x: number): number {
  if (block.ragged) return raggedEmission(height, width, block.ragged).first[x * height + y];
  return emissionIndex(height, width, block, Math.floor(y / block.rows) * block.rows, Math.floor(x / block.cols) * block.cols);
}

/** The timing model of this file's header: when pixels arrive and when each block is computed. */
export function coreTiming(p: CoreMemoryParams): Timing {
  checkParams(p);
  const H = p.height;
  const W = p.width;
  const k = p.arrivalsPerTimestep;
  const arrivalBlock = p.arrivalBlock ?? { rows: 1, cols: 1 };
  // One pixel per block (the network input, an unreplicated producer): plain column order, without the block arithmetic.
  const single = arrivalBlock.rows === 1 && arrivalBlock.cols === 1;
  const arrival = single
    ? (y: number, x: number): number => Math.floor((x * H + y) / k)
    : (y: number, x: number): number => Math.floor(emissionIndex(H, W, arrivalBlock, y, x) / k);
  const written = single ? arrival : (y: number, x: number): number => Math.floor(blockFirstEmissionIndex(H, W, arrivalBlock, y, x) / k);
  const out = outputSize(p);
  const shape = blockShape(p.replicas);
  const allPositions = patchPositions(p);
  const mine = p.positions ? new Set(p.positions.map((b) => `${b.dy},${b.dx}`)) : null;
  const corePositions = mine ? allPositions.filter((a) => mine.has(`${a.dy},${a.dx}`)) : allPositions;
  // The blocks in computation order: a grid (walked without a list: an 8192 x 8192 input has 67 million), or a
  // ragged block's lattice (whose origins may lie off the plane).
  const lattice = isRaggedBlock(p.replicas) ? blockOrigins(p.replicas, out) : null;
  const { rows: blockRows, cols: blockCols } = blockGrid(out, shape);
  const forEachOrigin = (visit: (oy: number, ox: number) => void): void => {
    if (lattice) for (const o of lattice) visit(o.y, o.x);
    else for (let bx = 0; bx < blockCols; bx++) for (let by = 0; by < blockRows; by++) visit(by * shape.rows, bx * shape.cols);
  };
  // Whether a region position is read: inside the image and needed by an active replica (`needed` null: all are).
  const reads = (needed: Set<string> | null, dy: number, dx: number, y: number, x: number): boolean =>
    y >= 0 && y < H && x >= 0 && x < W && (needed === null || needed.has(`${dy},${dx}`));
  const forEachComputation = (visit: (c: Computation) => void): void => {
    const positions = corePositions.map((q) => ({ dy: q.dy, dx: q.dx, y: 0, x: 0, read: false }));
    const c: Computation = { block: 0, t: 0, oy: 0, ox: 0, y0: 0, x0: 0, active: 0, positions };
    let previous = -1;
    let block = 0;
    forEachOrigin((oy, ox) => {
      const inside = oy >= 0 && ox >= 0 && oy + shape.rows <= out.height && ox + shape.cols <= out.width;
      const active = inside
        ? p.replicas
        : p.replicas.filter((r) => oy + r.oy >= 0 && oy + r.oy < out.height && ox + r.ox >= 0 && ox + r.ox < out.width);
      // Only an edge block (some replicas idle) needs fewer positions than all.
      const needed = inside || active.length === p.replicas.length ? null : new Set(patchPositions(p, active).map((q) => `${q.dy},${q.dx}`));
      const y0 = oy * p.stride - p.padding.top;
      const x0 = ox * p.stride - p.padding.left;
      // The row parts of a split layer compute a block together (the accumulating core adds its siblings' partial
      // sums in the same timestep), so a block waits for every pixel of its region, not only this core's.
      let ready = 0;
      for (const q of allPositions) {
        const y = y0 + q.dy;
        const x = x0 + q.dx;
        if (reads(needed, q.dy, q.dx, y, x)) ready = Math.max(ready, arrival(y, x));
      }
      for (const q of positions) {
        q.y = y0 + q.dy;
        q.x = x0 + q.dx;
        q.read = reads(needed, q.dy, q.dx, q.y, q.x);
      }
      const t = Math.max(ready, previous + 1);
      previous = t;
      c.block = block++;
      c.t = t;
      c.oy = oy;
      c.ox = ox;
      c.y0 = y0;
      c.x0 = x0;
      c.active = active.length;
      visit(c);
    });
  };
  return { arrival, written, computationCount: lattice ? lattice.length : blockRows * blockCols, forEachComputation };
}

/**
 * Input columns the memory must keep: the block's width in input columns ((dW - 1) * stride + F, the paper's F for
 * one block column) or the producer's block width if wider, more when a read comes so late that the pixel `columns` columns further on in the same row has
 * already arrived (several pixels per timestep into a short column, or computations lagging behind arrivals).
 */
export function requiredColumns(p: CoreMemoryParams, timing: Timing = coreTiming(p)): number {
  // At least the arriving block's width: the write address steps one block column at a time and wraps the ring once
  // (a sparse reader, e.g. a 1x1 kernel at stride 3 under a two-column ragged block, needs fewer for its reads).
  let columns = Math.max(storedColumns(p), p.arrivalBlock?.cols ?? 1);
  timing.forEachComputation((c) => {
    for (const q of c.positions) {
      if (!q.read) continue;
      // The pixel `columns` columns further on in the row would take this pixel's slot: keep one more column while
      // it has been written (arrivals along a row are in x order, so the first that has not ends the search). A
      // block's pixels are written together, when its first one arrives: a ragged block or an edge block straddles
      // the model's timesteps, and its later pixels may land in the ring before this read.
      while (q.x + columns < p.width && timing.written(q.y, q.x + columns) <= c.t) columns++;
    }
  });
  return columns;
}

/** A core's schedule before its operations are listed: the header, the operation count and a way to visit them. */
export interface StreamedSchedule {
  header: ScheduleHeader;
  /** Operations the visit gives: a write per input pixel, and per computation its C and one R or Z per position. */
  opCount: number;
  /** Visits the operations in schedule order; the argument is reused between visits (copy it to keep it). */
  forEachOp: (visit: (op: Readonly<MemoryOp>) => void) => void;
}

/**
 * Algorithm 2's address sequence for one core (see the timing model at the top of this file), produced one
 * operation at a time: memory stays constant in the pixel count.
 */
export function streamSchedule(p: CoreMemoryParams, planned?: { columns: number }): StreamedSchedule {
  const timing = coreTiming(p);
  // The memory plan has walked the computations for the columns already; a second walk would find the same.
  const volume = planned ? storedVolumeOf(p, planned.columns) : storedVolume(p, timing);
  const layout = makeLayout(p.layout, volume);
  const columns = layout.volume.columns;
  const figures = layoutFigures(layout);
  const H = p.height;
  const W = p.width;
  const { arrival, written } = timing;
  const wl = layout.volume.wordBits;
  // The words a pixel at bit address `a` spans, and its first bit in the first word.
  const setWords = (op: MemoryOp, a: number): void => {
    op.word = Math.floor(a / wl);
    op.lastWord = Math.floor((a + layout.pixelBits - 1) / wl);
    op.bit = a % wl;
  };
  const positionCount = (p.positions ?? patchPositions(p)).length;

  const forEachOp = (visit: (op: Readonly<MemoryOp>) => void): void => {
    // Writes (Algorithm 2, store_data): pixel (y, x) goes to y * Δkernel + Δpix[x mod F]. In column order this is
    // addr_w_0 reset to Δpix[x mod F] at a column's first pixel and advanced by Δkernel for each following pixel.
    // Writes arrive in emission order; a computation's timestep is never before the writes it needs, so the writes
    // of timesteps up to each computation's are let out just before it (writes first, as in Algorithm 1).
    const write: MemoryOp = { t: 0, op: 'W', y: 0, x: 0, word: 0, lastWord: 0, bit: 0 };
    const pending = { y: 0, x: 0, t: 0, has: false };
    const emitWrite = (y: number, x: number): void => {
      write.t = arrival(y, x);
      write.y = y;
      write.x = x;
      setWords(write, y * layout.deltaKernelBits + layout.deltaPixBits[x % columns]);
      visit(write);
    };
    const compute: MemoryOp = { t: 0, op: 'C', y: 0, x: 0, block: 0, active: 0 };
    const read: MemoryOp = { t: 0, op: 'R', y: 0, x: 0, word: 0, lastWord: 0, bit: 0, block: 0, dy: 0, dx: 0 };
    const zero: MemoryOp = { t: 0, op: 'Z', y: 0, x: 0, block: 0, dy: 0, dx: 0 };
    // The writes are a resumable walk of the emission order: `nextWrite` advances it by one pixel.
    const order = emissionCursor(H, W, p.arrivalBlock ?? { rows: 1, cols: 1 });
    const flushWritesUpTo = (t: number): void => {
      for (;;) {
        if (!pending.has) {
          if (!order.next(pending)) return;
          pending.t = arrival(pending.y, pending.x);
          pending.has = true;
        }
        if (pending.t > t) return;
        emitWrite(pending.y, pending.x);
        pending.has = false;
      }
    };
    timing.forEachComputation((c) => {
      flushWritesUpTo(c.t);
      compute.t = c.t;
      compute.y = c.oy;
      compute.x = c.ox;
      compute.block = c.block;
      compute.active = c.active;
      visit(compute);
      for (const q of c.positions) {
        if (!q.read) {
          zero.t = c.t;
          zero.y = q.y;
          zero.x = q.x;
          zero.block = c.block;
          zero.dy = q.dy;
          zero.dx = q.dx;
          visit(zero);
          continue;
        }
        if (q.x + columns < W && written(q.y, q.x + columns) <= c.t) {
          throw new MemoryOverrunError(
            p.core,
            `core ${p.core}: computation ${c.block} in timestep ${c.t} reads pixel (${q.y},${q.x}) after it was overwritten`,
          );
        }
        // read_data: addr_r_0 is the row's base (y * Δkernel), each pixel at addr_r_0 + Δpix[x mod F].
        read.t = c.t;
        read.y = q.y;
        read.x = q.x;
        setWords(read, q.y * layout.deltaKernelBits + layout.deltaPixBits[q.x % columns]);
        read.block = c.block;
        read.dy = q.dy;
        read.dx = q.dx;
        visit(read);
      }
    });
    flushWritesUpTo(Infinity);
  };

  const out = outputSize(p);
  return {
    header: {
      layer: p.layer,
      core: p.core,
      layout: p.layout,
      wordBits: p.wordBits,
      depth: p.depth,
      pixelBits: layout.pixelBits,
      channels: p.channels,
      activationBits: p.bits,
      height: H,
      width: W,
      columns,
      kernelHeight: p.kernelHeight,
      kernelWidth: p.kernelWidth,
      stride: p.stride,
      padding: symmetricPad(p.padding) ?? [p.padding.top, p.padding.left, p.padding.bottom, p.padding.right],
      replicas: p.replicas.length,
      method: p.method,
      dW: p.dW,
      arrivalsPerTimestep: p.arrivalsPerTimestep,
      deltaKernelBits: layout.deltaKernelBits,
      deltaPixBits: [...layout.deltaPixBits],
      words: figures.words,
      minOccupancy: minimumOccupancy(p),
      outputHeight: out.height,
      outputWidth: out.width,
    },
    opCount: H * W + timing.computationCount * (1 + positionCount),
    forEachOp,
  };
}

/** Algorithm 2's address sequence for one core, whole (streamSchedule's operations in a list). */
export function buildSchedule(p: CoreMemoryParams, planned?: { columns: number }): Schedule {
  const streamed = streamSchedule(p, planned);
  const ops: MemoryOp[] = [];
  streamed.forEachOp((o) => ops.push({ ...o }));
  return { header: streamed.header, ops };
}

/** The emission order (forEachEmitted) one pixel at a time: `next` fills `into` and returns false once the plane is done. */
function emissionCursor(height: number, width: number, block: BlockShape): { next: (into: { y: number; x: number }) => boolean } {
  if (block.ragged) {
    const { order } = raggedEmission(height, width, block.ragged);
    let i = 0;
    return {
      next(into) {
        if (i >= order.length) return false;
        into.y = order[i] % height;
        into.x = Math.floor(order[i] / height);
        i++;
        return true;
      },
    };
  }
  let bx = 0;
  let by = 0;
  let x = 0;
  let y = 0;
  return {
    next(into) {
      if (bx >= width) return false;
      into.y = y;
      into.x = x;
      // Advance: y fastest within the block, then x within the block, then the next block down, then the next block column.
      const yEnd = Math.min(by + block.rows, height);
      const xEnd = Math.min(bx + block.cols, width);
      if (++y < yEnd) return true;
      y = by;
      if (++x < xEnd) return true;
      by += block.rows;
      if (by < height) {
        x = bx;
        y = by;
        return true;
      }
      bx += block.cols;
      by = 0;
      x = bx;
      y = 0;
      return true;
    },
  };
}
