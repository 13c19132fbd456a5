// Block geometry, derived here only: a replicated layer computes a block of output pixels per timestep, one per
// replica at offset (oy, ox), and reads the input region under it. The memory schedules, the dataflow model, the
// mapped reference model, the RTL plan and the replication drawing all take a block's shape and region from here.
import type { ReplicaOffset } from './types.js';

export interface BlockShape {
  /** Block height and width in output pixels. */
  rows: number;
  cols: number;
}

/** The bounding rectangle of the replica offsets (1x1 for an unreplicated layer). */
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
