// Kernel matrices and their replication (Dazzi et al. 2021, section 2.2): the collective kernel matrix of n replicas,
// with, for every crossbar row, the input pixel offset and channel it receives and, for every column, the replica and
// output channel it produces. Geometry conventions: the top of ./types.ts.
import { blockRegion, directiveBlock } from './block.js';
import type { CollectiveKernelMatrix, ColumnSink, ReplicaOffset, RowSource } from './types.js';

export interface ReplicationParams {
  inChannels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  replicas: number;
  /** Width of the block of output pixels (1: method 1, >= 2: method 2). */
  dW: number;
}

/**
 * Output-pixel offsets of the replicas: a block dW wide and ceil(n / dW) tall, filled y fastest (the order in which
 * the dataflow produces pixels). dW = 1 stacks the replicas along y (method 1).
 */
export function replicaOffsets(replicas: number, dW: number): ReplicaOffset[] {
  const height = directiveBlock(replicas, dW).rows;
  const out: ReplicaOffset[] = [];
  for (let r = 0; r < replicas; r++) out.push({ oy: r % height, ox: Math.floor(r / height) });
  return out;
}

function checkParams(p: ReplicationParams): void {
  for (const [name, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`collectiveKernelMatrix: ${name} must be a positive integer, got ${v}`);
  }
}

/**
 * The collective kernel matrix of `replicas` kernel replicas. Rows are the distinct (input pixel, channel) pairs the
 * replicas read, ordered by (dx, dy, channel), channel fastest; columns are replica-major, output channel fastest.
 * With one replica this is the plain kernel matrix: Fh*Fw*Cin rows in (kx, ky, channel) order, Cout columns.
 */
export function collectiveKernelMatrix(p: ReplicationParams): CollectiveKernelMatrix {
  checkParams(p);
  const replicas = replicaOffsets(p.replicas, p.dW);
  // Distinct input pixels read by any replica, keyed dx-major so the sort below gives the documented order.
  const pixels = new Map<number, { dy: number; dx: number }>();
  const spanY = blockRegion(directiveBlock(p.replicas, p.dW), p).height;
  for (const { oy, ox } of replicas) {
    for (let kx = 0; kx < p.kernelWidth; kx++) {
      for (let ky = 0; ky < p.kernelHeight; ky++) {
        const dy = oy * p.stride + ky;
        const dx = ox * p.stride + kx;
        pixels.set(dx * spanY + dy, { dy, dx });
      }
    }
  }
  const keys = [...pixels.keys()].sort((a, b) => a - b);
  const rowSources: RowSource[] = [];
  for (const key of keys) {
    const { dy, dx } = pixels.get(key)!;
    for (let channel = 0; channel < p.inChannels; channel++) rowSources.push({ dy, dx, channel });
  }
  const columnSinks: ColumnSink[] = [];
  for (let replica = 0; replica < p.replicas; replica++) {
    for (let outChannel = 0; outChannel < p.outChannels; outChannel++) columnSinks.push({ replica, outChannel });
  }
  return {
    kernelRows: p.kernelHeight * p.kernelWidth * p.inChannels,
    kernelCols: p.outChannels,
    replicas,
    rowSources,
    columnSinks,
    method: p.dW === 1 ? 1 : 2,
    dW: p.dW,
    stride: p.stride,
    kernelHeight: p.kernelHeight,
    kernelWidth: p.kernelWidth,
  };
}

/** Input channels of the layer a collective matrix was built for (kernelRows = Fh * Fw * Cin). */
export function matrixInChannels(m: CollectiveKernelMatrix): number {
  return m.kernelRows / (m.kernelHeight * m.kernelWidth);
}

/**
 * Kernel position (ky, kx) that crossbar row `row` holds for column `col`, or null when the row's input pixel is
 * outside that column's replica's patch (an unmapped device).
 */
export function devicePosition(m: CollectiveKernelMatrix, row: number, col: number): { ky: number; kx: number; channel: number; outChannel: number } | null {
  const src = m.rowSources[row];
  const sink = m.columnSinks[col];
  if (src === undefined || sink === undefined) throw new RangeError(`device (${row}, ${col}) outside the ${m.rowSources.length}x${m.columnSinks.length} matrix`);
  const { oy, ox } = m.replicas[sink.replica];
  const ky = src.dy - oy * m.stride;
  const kx = src.dx - ox * m.stride;
  if (ky < 0 || ky >= m.kernelHeight || kx < 0 || kx >= m.kernelWidth) return null;
  return { ky, kx, channel: src.channel, outChannel: sink.outChannel };
}

/**
 * The weight programmed on device (row, col), from the layer's OIHW weights (src/ir/weights.ts layout:
 * ((o * Cin + c) * Fh + ky) * Fw + kx); 0 for an unmapped device. An fc layer is treated as a conv whose kernel
 * covers its whole unflattened input, which is the same OIHW index as the flattened layout c * H * W + y * W + x.
 */
export function deviceWeight(m: CollectiveKernelMatrix, weights: ArrayLike<number>, row: number, col: number): number {
  const pos = devicePosition(m, row, col);
  if (pos === null) return 0;
  const cin = matrixInChannels(m);
  return weights[((pos.outChannel * cin + pos.channel) * m.kernelHeight + pos.ky) * m.kernelWidth + pos.kx];
}

/** Dense weights of a rectangle of the collective matrix (half-open ranges), row-major: tile[r][c]. */
export function matrixWeights(
  m: CollectiveKernelMatrix,
  weights: ArrayLike<number>,
  range: { rowStart: number; rowEnd: number; colStart: number; colEnd: number } = {
    rowStart: 0,
    rowEnd: m.rowSources.length,
    colStart: 0,
    colEnd: m.columnSinks.length,
  },
): number[][] {
  const out: number[][] = [];
  for (let r = range.rowStart; r < range.rowEnd; r++) {
    const line: number[] = [];
    for (let c = range.colStart; c < range.colEnd; c++) line.push(deviceWeight(m, weights, r, c));
    out.push(line);
  }
  return out;
}

/** Logical weights mapped on the matrix: every replica holds a full kernel matrix (equation 4's N * D_K). */
export function mappedWeights(m: CollectiveKernelMatrix): number {
  return m.replicas.length * m.kernelRows * m.kernelCols;
}

export interface ReplicationCost {
  rows: number;
  cols: number;
  /** rows / cols of the collective kernel matrix (equation 2 for method 1 at stride 1). */
  aspectRatio: number;
  method: 1 | 2;
}

/** Size of the collective kernel matrix without building the weights: the replication calculator. */
export function replicationCost(p: ReplicationParams): ReplicationCost {
  const m = collectiveKernelMatrix(p);
  const rows = m.rowSources.length;
  const cols = m.columnSinks.length;
  return { rows, cols, aspectRatio: rows / cols, method: m.method };
}

/** Equation 2: method 1's aspect ratio in closed form, F1 = F2 = F, stride 1. */
export function equation2AspectRatio(F: number, inChannels: number, outChannels: number, n: number): number {
  return F * F * (inChannels / outChannels) * ((1 + (n - 1) / F) / (1 + (n - 1)));
}
