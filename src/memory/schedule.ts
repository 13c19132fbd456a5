// Algorithm 2 of the paper: the address sequence a core's dataflow controller issues to its input memory.
//
// Timing model (per core, timesteps counted from the core's first arriving pixel = timestep 0):
//  - Arrival: the core's input pixels arrive in column order (x outer, y fastest), `arrivalsPerTimestep` of them per
//    timestep; pixel i = x * H + y arrives in timestep floor(i / arrivalsPerTimestep) and is written (W) then.
//  - Computation: the layer's output pixels are grouped in blocks, one block per computation, the replicas' offsets
//    giving the block's shape (method 1: a column of n pixels; method 2: dW wide). Blocks are computed in column
//    order (block column outer, block row fastest), at most one block per timestep, each in the first timestep in
//    which every pixel it reads has arrived (writes of a timestep come before its reads, as in Algorithm 1) and
//    after the previous block's timestep.
//  - A computation reads the block's input region once (the collective kernel matrix takes each distinct input
//    pixel once): region rows in order, in each row the columns in order (Algorithm 2's read_data: one kernel row
//    of contiguous words, the circular slots visited as Δpix[x mod columns]). A region position in the image that
//    an active replica needs is read (R); padding, and positions only idle replicas of an edge block need, give a
//    zero to the crossbar without a memory access (Z).
//  - The memory keeps `columns` input columns (circular, slot = x mod columns): the paper's F (a method-2 block's
//    (dW - 1) * stride + F), or more when a pixel would otherwise be overwritten before its last read
//    (requiredColumns). MemoryOverrunError is an internal check of that.
import type { LayoutName } from '../ir/types.js';
import type { ReplicaOffset } from '../mapping/types.js';
import { makeLayout, layoutFigures, type Layout, type StoredVolume } from './layout.js';

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
  padding: number;
  /** Output offsets of the replicas within a block (mapping convention); [{oy:0,ox:0}] when not replicated. */
  replicas: ReplicaOffset[];
  method: 1 | 2;
  dW: number;
  wordBits: number;
  depth: number;
  layout: LayoutName;
  arrivalsPerTimestep: number;
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
  padding: number;
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

export interface BlockShape {
  /** Block height and width in output pixels. */
  rows: number;
  cols: number;
}

export function blockShape(replicas: readonly ReplicaOffset[]): BlockShape {
  let rows = 1;
  let cols = 1;
  for (const r of replicas) {
    rows = Math.max(rows, r.oy + 1);
    cols = Math.max(cols, r.ox + 1);
  }
  return { rows, cols };
}

/** True when the replica offsets are exactly the pixels of their bounding rectangle. */
export function isFullBlock(replicas: readonly ReplicaOffset[]): boolean {
  const { rows, cols } = blockShape(replicas);
  const seen = new Set(replicas.map((r) => `${r.oy},${r.ox}`));
  return seen.size === replicas.length && replicas.length === rows * cols && replicas.every((r) => r.oy >= 0 && r.ox >= 0);
}

/** Input columns the memory keeps: F for one block column, (dW - 1) * stride + F for a method-2 block. */
export function storedColumns(p: Pick<CoreMemoryParams, 'replicas' | 'stride' | 'kernelWidth'>): number {
  return (blockShape(p.replicas).cols - 1) * p.stride + p.kernelWidth;
}

export function outputSize(p: Pick<CoreMemoryParams, 'height' | 'width' | 'kernelHeight' | 'kernelWidth' | 'stride' | 'padding'>): {
  height: number;
  width: number;
} {
  return {
    height: Math.floor((p.height + 2 * p.padding - p.kernelHeight) / p.stride) + 1,
    width: Math.floor((p.width + 2 * p.padding - p.kernelWidth) / p.stride) + 1,
  };
}

/** The paper's minimum occupancy before the first computation, H*(F-P-1)+(F-P), for an Fh x Fw kernel. */
export function minimumOccupancy(p: Pick<CoreMemoryParams, 'height' | 'kernelHeight' | 'kernelWidth' | 'padding'>): number {
  return p.height * Math.max(0, p.kernelWidth - p.padding - 1) + Math.max(0, p.kernelHeight - p.padding);
}

/** The volume the core's memory keeps: H x requiredColumns pixels. */
export function storedVolume(p: CoreMemoryParams, timing?: Timing): StoredVolume {
  return { height: p.height, columns: requiredColumns(p, timing), channels: p.channels, bits: p.bits, wordBits: p.wordBits };
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
    ['padding', p.padding, 0],
    ['wordBits', p.wordBits, 1],
    ['depth', p.depth, 1],
    ['arrivalsPerTimestep', p.arrivalsPerTimestep, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`core ${p.core}: ${name} must be an integer >= ${min}, got ${v}`);
  }
  if (p.replicas.length === 0) throw new RangeError(`core ${p.core}: at least one replica`);
  if (!isFullBlock(p.replicas)) {
    throw new RangeError(`core ${p.core}: the replicas' output offsets do not fill a rectangle, so blocks cannot tile the output`);
  }
  const o = outputSize(p);
  if (o.height < 1 || o.width < 1) throw new RangeError(`core ${p.core}: the kernel does not fit the padded input`);
}

/** One computation of the timing model: a block of output pixels and the region positions it reads. */
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
  /** Timestep in which input pixel (y, x) arrives. */
  arrival: (y: number, x: number) => number;
  computations: Computation[];
}

/** The timing model of this file's header: when pixels arrive and when each block is computed. */
export function coreTiming(p: CoreMemoryParams): Timing {
  checkParams(p);
  const H = p.height;
  const W = p.width;
  const k = p.arrivalsPerTimestep;
  const arrival = (y: number, x: number): number => Math.floor((x * H + y) / k);
  const out = outputSize(p);
  const shape = blockShape(p.replicas);
  const allPositions = patchPositions(p);
  const mine = p.positions ? new Set(p.positions.map((b) => `${b.dy},${b.dx}`)) : null;
  const corePositions = mine ? allPositions.filter((a) => mine.has(`${a.dy},${a.dx}`)) : allPositions;
  const computations: Computation[] = [];
  let previous = -1;
  for (let bx = 0; bx * shape.cols < out.width; bx++) {
    for (let by = 0; by * shape.rows < out.height; by++) {
      const oy = by * shape.rows;
      const ox = bx * shape.cols;
      const active = p.replicas.filter((r) => oy + r.oy < out.height && ox + r.ox < out.width);
      // Only an edge block (some replicas idle) needs fewer positions than all.
      const needed = active.length === p.replicas.length ? null : new Set(patchPositions(p, active).map((q) => `${q.dy},${q.dx}`));
      const y0 = oy * p.stride - p.padding;
      const x0 = ox * p.stride - p.padding;
      let ready = 0;
      const positions = corePositions.map((q) => {
        const y = y0 + q.dy;
        const x = x0 + q.dx;
        const read = (needed === null || needed.has(`${q.dy},${q.dx}`)) && y >= 0 && y < H && x >= 0 && x < W;
        if (read) ready = Math.max(ready, arrival(y, x));
        return { dy: q.dy, dx: q.dx, y, x, read };
      });
      const t = Math.max(ready, previous + 1);
      previous = t;
      computations.push({ block: computations.length, t, oy, ox, y0, x0, active: active.length, positions });
    }
  }
  return { arrival, computations };
}

/**
 * Input columns the memory must keep: the block's width in input columns ((dW - 1) * stride + F, the paper's F for
 * one block column), more when a read comes so late that the pixel `columns` columns further on in the same row has
 * already arrived (several pixels per timestep into a short column, or computations lagging behind arrivals).
 */
export function requiredColumns(p: CoreMemoryParams, timing: Timing = coreTiming(p)): number {
  let columns = storedColumns(p);
  for (const c of timing.computations) {
    for (const q of c.positions) {
      if (!q.read) continue;
      // Pixel (y, x + d) has arrived by timestep t iff (x + d) * H + y < (t + 1) * k.
      const arrived = Math.min(p.width - 1 - q.x, Math.ceil(((c.t + 1) * p.arrivalsPerTimestep - q.y) / p.height) - q.x - 1);
      columns = Math.max(columns, arrived + 1);
    }
  }
  return columns;
}

/** Algorithm 2's address sequence for one core (see the timing model at the top of this file). */
export function buildSchedule(p: CoreMemoryParams): Schedule {
  const timing = coreTiming(p);
  const layout = makeLayout(p.layout, storedVolume(p, timing));
  const columns = layout.volume.columns;
  const figures = layoutFigures(layout);
  const H = p.height;
  const W = p.width;
  const { arrival } = timing;

  // Writes (Algorithm 2, store_data): addr_w_0 is reset to Δpix[x mod F] at a column's first pixel and advanced by
  // Δkernel for each following pixel of the column.
  const writes: MemoryOp[] = [];
  let addrW = 0;
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) {
      if (y === 0) addrW = layout.deltaPixBits[x % columns];
      writes.push({ t: arrival(y, x), op: 'W', y, x, ...wordsOf(addrW, layout) });
      addrW += layout.deltaKernelBits;
    }
  }

  const computes: MemoryOp[][] = timing.computations.map((c) => {
    const ops: MemoryOp[] = [{ t: c.t, op: 'C', y: c.oy, x: c.ox, block: c.block, active: c.active }];
    for (const q of c.positions) {
      if (!q.read) {
        ops.push({ t: c.t, op: 'Z', y: q.y, x: q.x, block: c.block, dy: q.dy, dx: q.dx });
        continue;
      }
      if (q.x + columns < W && arrival(q.y, q.x + columns) <= c.t) {
        throw new MemoryOverrunError(
          p.core,
          `core ${p.core}: computation ${c.block} in timestep ${c.t} reads pixel (${q.y},${q.x}) after it was overwritten`,
        );
      }
      // read_data: addr_r_0 is the row's base (y * Δkernel), each pixel at addr_r_0 + Δpix[x mod F].
      const addrR = q.y * layout.deltaKernelBits + layout.deltaPixBits[q.x % columns];
      ops.push({ t: c.t, op: 'R', y: q.y, x: q.x, ...wordsOf(addrR, layout), block: c.block, dy: q.dy, dx: q.dx });
    }
    return ops;
  });

  // Merge: in each timestep the writes come first, then the computation (Algorithm 1).
  const ops: MemoryOp[] = [];
  let wi = 0;
  for (const c of computes) {
    while (wi < writes.length && writes[wi].t <= c[0].t) ops.push(writes[wi++]);
    ops.push(...c);
  }
  while (wi < writes.length) ops.push(writes[wi++]);

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
      padding: p.padding,
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
    ops,
  };
}

function wordsOf(bitAddress: number, layout: Layout): { word: number; lastWord: number; bit: number } {
  const wl = layout.volume.wordBits;
  return {
    word: Math.floor(bitAddress / wl),
    lastWord: Math.floor((bitAddress + layout.pixelBits - 1) / wl),
    bit: bitAddress % wl,
  };
}
