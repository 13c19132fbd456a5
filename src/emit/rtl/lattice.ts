// The block tables of a core whose blocks or whose producer's blocks sit on a ragged lattice (src/mapping/block.ts):
// the controller (templates/rtl/imcc_controller.v.hbs) then takes its blocks, and the blocks that arrive, from small
// ROMs instead of stepping a grid. Each of its blocks says how many producer blocks must have arrived before it is
// computed (the dataflow model's readiness: the last producer block among the pixels its active replicas read), where
// its window starts, and which region positions only its idle (off-plane) replicas read (given zeros, the memory
// schedule's Z): a bottom-right corner of its region, the controller's mask.
//
// Those positions always form such a corner. The replicas fill their block y fastest (the plan checks it): full
// columns of h rows and a last column holding rows 0..k-1 (a consumer's block is full). The on-plane replicas are the
// block's rows a..b and columns l..r that the plane holds, and a patch position inside the rows and columns some
// output window reaches (the box) lies in a window row among a..b and a window column among l..r (rows and columns
// off the plane read only padding, or past the last window). An on-plane replica reads it unless the window columns
// among l..r containing it are the last column alone and the window rows among a..b containing it all lie at or below
// row k; the first of those columns and rows only grows with dx and dy, so the positions only idle replicas read are
// the box's positions at or right of one column and at or below one row. (They are an off-plane full column's, left
// of the plane, below the short column's windows, or the short column's, above the plane.) Every entry is still
// checked against the replicas' windows (test/emit/rtl/lattice.test.ts runs the check over every small geometry): a
// mismatch is an internal error, never a silently wrong read.
import { blockOrigins, pixelBlocks, type BlockShape } from '../../mapping/block.js';
import type { ReplicaOffset } from '../../mapping/types.js';
import type { Padding } from '../../ir/padding.js';

/** One block the core computes, in computation order (every value a signed controller counter). */
export interface LatticeBlock {
  /** Producer blocks that must have arrived (0: the block reads only padding). */
  need: number;
  /** Output pixel of replica 0 (may lie above or left of the plane). */
  oy: number;
  ox: number;
  /** Input pixel of the region's first position, its row address and its column base (bits). */
  iy0: number;
  ix0: number;
  row0: number;
  col0: number;
  /** Region positions at or right of column lastDx and below row lastDy are read by idle replicas only. */
  lastDx: number;
  lastDy: number;
}

/** One producer block that arrives, in arrival order. */
export interface LatticeArrival {
  /** Plane pixel of its replica 0 (may lie off the plane). */
  ry: number;
  rx: number;
  /** Row address of row ry and column base of column rx (bits). */
  row0: number;
  col0: number;
}

export interface LatticeGeometry {
  /** The layer's replicas (y fastest) and its output plane. */
  replicas: readonly ReplicaOffset[];
  out: { height: number; width: number };
  /** Its input plane, the producer's block (the network input's rows per step), and the input rows and columns some output window reaches. */
  input: { height: number; width: number };
  inBlock: BlockShape;
  read: { height: number; width: number };
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  padding: Padding;
  /** Region positions that have patch slots (the replicas' patches). */
  positions: ReadonlyArray<{ dy: number; dx: number }>;
  regionWidth: number;
  /** Algorithm 2's steps (bits): rows DELTA_KERNEL apart, columns stepping DELTA_PIX through a ring of COLUMNS. */
  columns: number;
  deltaKernel: number;
  deltaPix: number;
}

export interface LatticeTables {
  blocks: LatticeBlock[];
  /** Present when the producer's blocks are ragged. */
  arrivals?: LatticeArrival[];
}

const modulo = (a: number, m: number): number => ((a % m) + m) % m;

/** The tables of one core. */
export function latticeTables(g: LatticeGeometry): LatticeTables {
  const { height: H, width: W } = g.input;
  const producerBlock = arrivalIndex(g.inBlock, g.input);
  const blocks: LatticeBlock[] = [];
  for (const { y: oy, x: ox } of blockOrigins(g.replicas, g.out)) {
    const active = g.replicas.filter((r) => oy + r.oy >= 0 && oy + r.oy < g.out.height && ox + r.ox >= 0 && ox + r.ox < g.out.width);
    const iy0 = oy * g.stride - g.padding.top;
    const ix0 = ox * g.stride - g.padding.left;
    const covered = (dy: number, dx: number): boolean =>
      active.some((r) => dy - r.oy * g.stride >= 0 && dy - r.oy * g.stride < g.kernelHeight && dx - r.ox * g.stride >= 0 && dx - r.ox * g.stride < g.kernelWidth);
    // What the model reads (in the image, under an active replica) and what the controller reads before its mask
    // (inside the rows and columns some output window reaches).
    const model = (q: { dy: number; dx: number }): boolean => {
      const y = iy0 + q.dy;
      const x = ix0 + q.dx;
      return y >= 0 && y < H && x >= 0 && x < W && covered(q.dy, q.dx);
    };
    const box = (q: { dy: number; dx: number }): boolean => {
      const y = iy0 + q.dy;
      const x = ix0 + q.dx;
      return y >= 0 && y < g.read.height && x >= 0 && x < g.read.width;
    };
    let need = 0;
    let lastDx = g.regionWidth;
    let lastDy = 0;
    const idleOnly = g.positions.filter((q) => box(q) && !model(q));
    if (idleOnly.length > 0) {
      lastDx = Math.min(...idleOnly.map((q) => q.dx));
      lastDy = Math.min(...idleOnly.map((q) => q.dy)) - 1;
    }
    for (const q of g.positions) {
      const read = box(q) && !(q.dx >= lastDx && q.dy > lastDy);
      if (read !== model(q)) {
        throw new Error(`RTL lattice: the positions only idle replicas read in the block at (${oy}, ${ox}) are not the bottom-right corner of its region (position (${q.dy}, ${q.dx}))`);
      }
      if (read) need = Math.max(need, producerBlock(iy0 + q.dy, ix0 + q.dx) + 1);
    }
    const row0 = iy0 * g.deltaKernel;
    const col0 = modulo(ix0, g.columns) * g.deltaPix;
    blocks.push({ need, oy, ox, iy0, ix0, row0, col0, lastDx, lastDy });
  }
  if (!g.inBlock.ragged) return { blocks };
  const arrivals = blockOrigins(g.inBlock.ragged, g.input).map(({ y, x }) => ({
    ry: y,
    rx: x,
    row0: y * g.deltaKernel,
    col0: modulo(x, g.columns) * g.deltaPix,
  }));
  return { blocks, arrivals };
}

/** Per input pixel, the index of the producer block (or input step) that brings it. */
function arrivalIndex(inBlock: BlockShape, plane: { height: number; width: number }): (y: number, x: number) => number {
  if (inBlock.ragged) {
    const { block } = pixelBlocks(inBlock.ragged, plane);
    return (y, x) => block[x * plane.height + y];
  }
  const perColumn = Math.ceil(plane.height / inBlock.rows);
  return (y, x) => Math.floor(x / inBlock.cols) * perColumn + Math.floor(y / inBlock.rows);
}

/** Fields of a block-table entry, lowest bits first (the controller's BLOCK_FILE). */
export const BLOCK_FIELDS = ['need', 'oy', 'ox', 'iy0', 'ix0', 'row0', 'col0', 'lastDx', 'lastDy'] as const;
/** Fields of an arrival-table entry, lowest bits first (the controller's ARRIVAL_FILE). */
export const ARRIVAL_FIELDS = ['ry', 'rx', 'row0', 'col0'] as const;

/** One $readmemh line: the fields as `bits`-bit two's-complement numbers, the first in the lowest bits. */
export function packedEntry(values: readonly number[], bits: number): string {
  const modulus = 1n << BigInt(bits);
  let packed = 0n;
  values.forEach((v, i) => {
    packed |= ((BigInt(v) % modulus) + modulus) % modulus << BigInt(i * bits);
  });
  return packed.toString(16).padStart(Math.ceil((values.length * bits) / 4), '0');
}
