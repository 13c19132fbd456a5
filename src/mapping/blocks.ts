// Where a layer's blocks sit on its output plane: one block is one crossbar operation (all replicas at once). A full
// block (replicas a multiple of dW) tiles the plane on a grid; a ragged block (the last of its dW columns partly
// filled) cannot (every grid position would leave the same holes) and tiles it on a skewed lattice instead
// (docs/optimize.md "Ragged blocks"). Every later phase walks the same list, in arrival order: by block column (x),
// then y.
import type { ReplicaOffset } from './types.js';

export interface BlockOrigin {
  /** Output pixel of replica 0 (offset (0, 0)); may lie above or left of the plane for a ragged block. */
  y: number;
  x: number;
}

/** Rows (h) and columns (dW) of the replicas' bounding box. */
export function blockBox(replicas: readonly ReplicaOffset[]): { rows: number; cols: number } {
  let rows = 1;
  let cols = 1;
  for (const r of replicas) {
    rows = Math.max(rows, r.oy + 1);
    cols = Math.max(cols, r.ox + 1);
  }
  return { rows, cols };
}

/** Whether the replicas leave part of their bounding box empty (its last column partly filled). */
export function isRaggedBlock(replicas: readonly ReplicaOffset[]): boolean {
  const { rows, cols } = blockBox(replicas);
  return replicas.length !== rows * cols;
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
  const { rows: h, cols: dW } = blockBox(replicas);
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
