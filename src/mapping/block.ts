// Block geometry, derived here only: a replicated layer computes a block of output pixels per timestep, one per
// replica at offset (oy, ox), and reads the input region under it. The memory schedules, the dataflow model, the
// mapped reference model, the RTL plan and the replication drawing all take a block's shape, region and origins from
// here. A full block (replicas a multiple of dW) tiles the plane on a grid; a ragged block (the last of its dW
// columns partly filled) cannot (every grid position would leave the same holes) and tiles it on a skewed lattice
// instead (docs/optimize.md "Ragged blocks"). Every later phase walks the same list of origins, in arrival order: by
// block column (x), then y.
import type { ReplicaOffset } from './types.js';

export interface BlockShape {
  /** Block height and width in output pixels (a ragged block's bounding box). */
  rows: number;
  cols: number;
  /**
   * A ragged block's replica offsets (its last column partly filled): its blocks sit on a skewed lattice
   * (blockOrigins), not on the grid of rows x cols; absent for a full block.
   */
  ragged?: readonly ReplicaOffset[];
}

/** The bounding rectangle of the replica offsets (1x1 for an unreplicated layer), with the offsets if ragged. */
export function blockShape(replicas: readonly ReplicaOffset[]): BlockShape {
  let rows = 1;
  let cols = 1;
  for (const r of replicas) {
    rows = Math.max(rows, r.oy + 1);
    cols = Math.max(cols, r.ox + 1);
  }
  return replicas.length > 0 && replicas.length !== rows * cols ? { rows, cols, ragged: replicas } : { rows, cols };
}

/** True for a ragged block: fewer replicas than its bounding box has pixels. */
export function isRaggedBlock(replicas: readonly ReplicaOffset[]): boolean {
  return blockShape(replicas).ragged !== undefined;
}

/** Pixels a producer of `block`-shaped blocks sends per timestep (one block's replicas). */
export function blockPixels(block: BlockShape): number {
  return block.ragged?.length ?? block.rows * block.cols;
}

/** True when the replica offsets are exactly the pixels of their bounding rectangle. */
export function isFullBlock(replicas: readonly ReplicaOffset[]): boolean {
  const { rows, cols } = blockShape(replicas);
  const seen = new Set(replicas.map((r) => `${r.oy},${r.ox}`));
  return seen.size === replicas.length && replicas.length === rows * cols && replicas.every((r) => r.oy >= 0 && r.ox >= 0);
}

/** The block a `replicas N, dW D` directive asks for, before its offsets exist: ceil(N / D) rows of D columns. */
export function directiveBlock(replicas: number, dW: number): BlockShape {
  return { rows: Math.ceil(replicas / dW), cols: dW };
}

/** The input region a block reads: (rows - 1) * stride + kernel height tall, likewise wide. */
export function blockRegion(
  block: BlockShape,
  kernel: { kernelHeight: number; kernelWidth: number; stride: number },
): { height: number; width: number } {
  return {
    height: (block.rows - 1) * kernel.stride + kernel.kernelHeight,
    width: (block.cols - 1) * kernel.stride + kernel.kernelWidth,
  };
}

/** How many blocks cover an output plane in each direction (the last ones ragged when the block does not divide it). */
export function blockGrid(out: { height: number; width: number }, block: BlockShape): { rows: number; cols: number } {
  return { rows: Math.ceil(out.height / block.rows), cols: Math.ceil(out.width / block.cols) };
}

export interface BlockOrigin {
  /** Output pixel of replica 0 (offset (0, 0)); may lie above or left of the plane for a ragged block. */
  y: number;
  x: number;
}

/**
 * The blocks that compute an H x W plane, each with at least one replica inside it, by column then row.
 * Full blocks: the grid of rows x cols blocks (edge blocks cut by the plane). Ragged blocks of n replicas, h rows
 * and dW columns: the lattice spanned by (n, 0) and (-h, 1) in (y, x), i.e. blocks start at every pixel column, n
 * rows apart, each column's blocks h rows above the previous column's. Column x then receives from the blocks
 * starting in columns x - dW + 1 .. x runs of k, h, ..., h rows (k = n - h (dW - 1), the last column's) that follow
 * each other, n rows in all: every pixel exactly once.
 */
export function blockOrigins(replicas: readonly ReplicaOffset[], plane: { height: number; width: number }): BlockOrigin[] {
  const { rows: h, cols: dW } = blockShape(replicas);
  const origins: BlockOrigin[] = [];
  if (!isRaggedBlock(replicas)) {
    for (let x = 0; x < plane.width; x += dW) for (let y = 0; y < plane.height; y += h) origins.push({ y, x });
    return origins;
  }
  const n = replicas.length;
  for (let x = -(dW - 1); x < plane.width; x++) {
    const phase = (((-h * x) % n) + n) % n;
    for (let y = phase - n * Math.ceil((phase + h) / n); y < plane.height; y += n) {
      if (replicas.some((o) => y + o.oy >= 0 && y + o.oy < plane.height && x + o.ox >= 0 && x + o.ox < plane.width)) origins.push({ y, x });
    }
  }
  return origins;
}

/** Per output pixel (index x * H + y), the block that computes it and the replica within that block. */
export function pixelBlocks(
  replicas: readonly ReplicaOffset[],
  plane: { height: number; width: number },
  origins: readonly BlockOrigin[] = blockOrigins(replicas, plane),
): { block: Int32Array; replica: Int32Array } {
  const size = plane.height * plane.width;
  const block = new Int32Array(size).fill(-1);
  const replica = new Int32Array(size).fill(-1);
  origins.forEach(({ y, x }, b) => {
    replicas.forEach(({ oy, ox }, r) => {
      const py = y + oy;
      const px = x + ox;
      if (py < 0 || py >= plane.height || px < 0 || px >= plane.width) return;
      const p = px * plane.height + py;
      if (block[p] !== -1) throw new Error(`blocks: output pixel (${py}, ${px}) is computed by two blocks`);
      block[p] = b;
      replica[p] = r;
    });
  });
  const missing = block.indexOf(-1);
  if (missing >= 0) throw new Error(`blocks: no block computes output pixel (${missing % plane.height}, ${Math.floor(missing / plane.height)})`);
  return { block, replica };
}

/** The layers of a mapping whose blocks are ragged (phases that cannot compute them yet refuse these, naming them). */
export function raggedLayers(layers: ReadonlyArray<{ layer: string; matrix: { replicas: readonly ReplicaOffset[]; dW: number } }>): Array<{ layer: string; replicas: number; dW: number }> {
  return layers
    .filter((l) => isRaggedBlock(l.matrix.replicas))
    .map((l) => ({ layer: l.layer, replicas: l.matrix.replicas.length, dW: l.matrix.dW }));
}
