// Which input pixels each crossbar operation needs, and what the fused neuron-core ops do to a stream of pixel
// times. Image independent, computed once per simulation. Pixels of a plane are indexed column-major, y fastest
// (index = x * height + y), the order in which they travel (src/mapping/types.ts conventions).
import type { IrNode } from '../ir/types.js';
import { windowCount } from '../ir/padding.js';
import type { CollectiveKernelMatrix, TilePart } from '../mapping/types.js';
import { blockGrid, blockOrigins, blockShape, isRaggedBlock, pixelBlocks } from '../mapping/block.js';

export interface Plane {
  height: number;
  width: number;
}

export function planeSize(p: Plane): number {
  return p.height * p.width;
}

/** Compressed lists: item i owns values[start[i] .. start[i+1]). */
export interface IndexLists {
  start: Int32Array;
  values: Int32Array;
}

/**
 * The input pixels each unit (pixel or block) of a core reads, in the two bulk forms the simulation needs. Pixel units
 * compute their windows on the fly: as lists, a 4096x4096 input's 9 offsets per pixel took 600 MB and most of the
 * simulation's time in page faults.
 */
export interface NeededInputs {
  readonly units: number;
  /** The input pixels unit `u` reads, in no particular order (tests, small uses). */
  inputsOf(u: number): number[];
  /** Per unit, the latest of `arrivals` over its input pixels, or `floor` when that is later. */
  readyTimes(arrivals: Int32Array, floor: number, out: Int32Array): void;
  /** Per input pixel, the last unit that reads it (-1: none). */
  lastReaders(inputPixels: number): Int32Array;
  /** The explicit lists, when kept: the simulation walks them inline (its fastest form for small planes). */
  readonly lists?: IndexLists;
}

/** Most list entries a core's pixel units keep as explicit lists (16 MB); above, windows are computed. */
const LISTED_INPUTS_MAX = 1 << 22;

/** NeededInputs over explicit lists (block units, whose replicas share input pixels). */
export function listedInputs(lists: IndexLists): NeededInputs {
  const { start, values } = lists;
  const units = start.length - 1;
  return {
    units,
    lists,
    inputsOf: (u) => Array.from(values.subarray(start[u], start[u + 1])),
    readyTimes(arrivals, floor, out) {
      for (let u = 0; u < units; u++) {
        let ready = floor;
        for (let k = start[u]; k < start[u + 1]; k++) if (arrivals[values[k]] > ready) ready = arrivals[values[k]];
        out[u] = ready;
      }
    },
    lastReaders(inputPixels) {
      const last = new Int32Array(inputPixels).fill(-1);
      for (let u = 0; u < units; u++) for (let k = start[u]; k < start[u + 1]; k++) last[values[k]] = u;
      return last;
    },
  };
}

/**
 * Builds the lists of COUNT items. With `perItemMax` (a bound on any item's length) the values are allocated once and
 * never copied: growing by doubling and trimming at the end took three times the final size at the peak (2 GB for a
 * 4096x4096 input).
 */
function buildLists(count: number, fill: (i: number, push: (v: number) => void) => void, perItemMax?: number): IndexLists {
  const start = new Int32Array(count + 1);
  let values = new Int32Array(Math.max(16, perItemMax !== undefined ? count * perItemMax : count * 4));
  let size = 0;
  const push = (v: number) => {
    if (size === values.length) {
      const grown = new Int32Array(values.length * 2);
      grown.set(values);
      values = grown;
    }
    values[size++] = v;
  };
  for (let i = 0; i < count; i++) {
    start[i] = size;
    fill(i, push);
  }
  start[count] = size;
  // A view when little is unused (no copy at the peak); a trimmed copy when much is.
  return { start, values: size >= values.length - (values.length >> 3) ? values.subarray(0, size) : values.slice(0, size) };
}

/**
 * How a weight layer's output plane is cut into blocks: one block is what the crossbar computes in one operation
 * (all replicas at once). Full blocks tile the plane with the replicas' bounding box, block columns outermost, y
 * fastest; a ragged block (its last column partly filled) tiles it on its skewed lattice (mapping/block.ts), in the
 * same order by origin. A block at the plane's edge holds only the replicas whose pixel lies inside the plane.
 */
export interface BlockPlan {
  blockHeight: number;
  blockWidth: number;
  /** Grid blocks per column and per row (full blocks; 0 for a ragged block, whose blocks are not on a grid). */
  blocksY: number;
  blocksX: number;
  blocks: number;
  /** Output pixel -> block that computes it. */
  pixelBlock: Int32Array;
  /** Valid output pixels per block. */
  blockPixels: Int32Array;
  /** A ragged block's lattice: per block its origin (output pixel of replica 0, may lie off the plane), and per output pixel its replica. */
  lattice?: { originY: Int32Array; originX: Int32Array; pixelReplica: Int32Array };
}

export function blockPlan(matrix: CollectiveKernelMatrix, out: Plane): BlockPlan {
  const { rows: blockHeight, cols: blockWidth } = blockShape(matrix.replicas);
  if (isRaggedBlock(matrix.replicas)) {
    const origins = blockOrigins(matrix.replicas, out);
    const { block: pixelBlock, replica } = pixelBlocks(matrix.replicas, out, origins);
    const blockPixels = new Int32Array(origins.length);
    for (const b of pixelBlock) blockPixels[b]++;
    const lattice = { originY: Int32Array.from(origins, (o) => o.y), originX: Int32Array.from(origins, (o) => o.x), pixelReplica: replica };
    return { blockHeight, blockWidth, blocksY: 0, blocksX: 0, blocks: origins.length, pixelBlock, blockPixels, lattice };
  }
  const { rows: blocksY, cols: blocksX } = blockGrid(out, { rows: blockHeight, cols: blockWidth });
  const blocks = blocksY * blocksX;
  const pixelBlock = new Int32Array(planeSize(out));
  const blockPixels = new Int32Array(blocks);
  for (let x = 0; x < out.width; x++) {
    for (let y = 0; y < out.height; y++) {
      const b = Math.floor(x / blockWidth) * blocksY + Math.floor(y / blockHeight);
      pixelBlock[x * out.height + y] = b;
      blockPixels[b]++;
    }
  }
  return { blockHeight, blockWidth, blocksY, blocksX, blocks, pixelBlock, blockPixels };
}

/** Output-pixel origin of block `b`. */
function blockOrigin(plan: BlockPlan, b: number): { y: number; x: number } {
  if (plan.lattice) return { y: plan.lattice.originY[b], x: plan.lattice.originX[b] };
  return { y: (b % plan.blocksY) * plan.blockHeight, x: Math.floor(b / plan.blocksY) * plan.blockWidth };
}

export interface ConvGeometry {
  stride: number;
  /** Top and left padding: the origin of the first window (bottom and right padding only add outputs). */
  padTop: number;
  padLeft: number;
  input: Plane;
  out: Plane;
}

/**
 * What a core computes in order, with a limit per timestep:
 *  - 'pixel' (the default, the paper's model): output pixels one by one in column-major order, at most `replicas`
 *    per timestep, each as soon as its own inputs are present;
 *  - 'block': whole crossbar operations, one per timestep, a block when the inputs of all its replicas are present.
 */
export type Granularity = 'pixel' | 'block';

/** Which replica of a block computes each output pixel (replica offsets fill the block y fastest). */
export function pixelReplica(matrix: CollectiveKernelMatrix, plan: BlockPlan, out: Plane): Int32Array {
  if (plan.lattice) return plan.lattice.pixelReplica;
  const byOffset = new Map<number, number>();
  matrix.replicas.forEach(({ oy, ox }, r) => byOffset.set(ox * plan.blockHeight + oy, r));
  const replica = new Int32Array(planeSize(out));
  for (let x = 0; x < out.width; x++) {
    for (let y = 0; y < out.height; y++) {
      const r = byOffset.get((x % plan.blockWidth) * plan.blockHeight + (y % plan.blockHeight));
      if (r === undefined) throw new Error(`dataflow: no replica computes output pixel (${y}, ${x}): the replicas do not fill their block`);
      replica[x * out.height + y] = r;
    }
  }
  return replica;
}

/**
 * For each unit (pixel or block), the input pixels one core's rows read (rows rowStart..rowEnd of the collective
 * kernel matrix): a row (dy, dx) feeds replica r only if it lies in r's patch, and only replicas whose pixel is in
 * the plane count. Padding positions need no input. A partial-sum core whose rows stop early waits for fewer pixels.
 */
export function convNeededInputs(
  matrix: CollectiveKernelMatrix,
  part: TilePart,
  g: ConvGeometry,
  plan: BlockPlan,
  granularity: Granularity,
): NeededInputs {
  const offsets = new Map<number, { dy: number; dx: number }>();
  for (let row = part.rowStart; row < part.rowEnd; row++) {
    const { dy, dx } = matrix.rowSources[row];
    offsets.set(dx * 1_000_003 + dy, { dy, dx });
  }
  const s = matrix.stride;
  // Per replica, the offsets of this core that lie in its patch.
  const perReplica = matrix.replicas.map(({ oy, ox }) =>
    [...offsets.values()].filter(
      ({ dy, dx }) => dy - oy * s >= 0 && dy - oy * s < matrix.kernelHeight && dx - ox * s >= 0 && dx - ox * s < matrix.kernelWidth,
    ),
  );
  const replicaDy = perReplica.map((list) => Int32Array.from(list, (o) => o.dy));
  const replicaDx = perReplica.map((list) => Int32Array.from(list, (o) => o.dx));
  // Marks the input pixels already listed for the current unit: a block's replicas share input pixels. A pixel unit
  // is one replica, whose offsets are distinct, so it needs no marks (the hot path of a large input).
  const mark = granularity === 'block' ? new Int32Array(planeSize(g.input)).fill(-1) : null;
  const { height, width } = g.input;
  const patch = (unit: number, b: number, r: number, push: (v: number) => void): void => {
    const { y: by, x: bx } = blockOrigin(plan, b);
    const { oy, ox } = matrix.replicas[r];
    if (by + oy < 0 || by + oy >= g.out.height || bx + ox < 0 || bx + ox >= g.out.width) return;
    const originY = by * g.stride - g.padTop;
    const originX = bx * g.stride - g.padLeft;
    const dys = replicaDy[r];
    const dxs = replicaDx[r];
    for (let k = 0; k < dys.length; k++) {
      const iy = originY + dys[k];
      const ix = originX + dxs[k];
      if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
      const index = ix * height + iy;
      if (mark === null) push(index);
      else if (mark[index] !== unit) {
        mark[index] = unit;
        push(index);
      }
    }
  };
  if (granularity === 'block') {
    const blockMax = perReplica.reduce((n, list) => n + list.length, 0);
    return listedInputs(buildLists(
      plan.blocks,
      (b, push) => {
        for (let r = 0; r < matrix.replicas.length; r++) patch(b, b, r, push);
      },
      blockMax,
    ));
  }
  const windows = new PixelWindows(plan, pixelReplica(matrix, plan, g.out), replicaDy, replicaDx, g);
  // Lists are faster to walk than windows are to compute, and worth their memory when a small plane is simulated
  // many times (the optimizer times hundreds of mappings); a large plane computes its windows.
  const pixelMax = perReplica.reduce((n, list) => Math.max(n, list.length), 0);
  if (windows.units * pixelMax > LISTED_INPUTS_MAX) return windows;
  return listedInputs(buildLists(windows.units, (u, push) => windows.pushInputs(u, push), pixelMax));
}

/**
 * Pixel units' windows, computed on the fly. Output pixel (y, x) of replica r with block origin (by, bx) reads input
 * (by*s - padTop + dy, bx*s - padLeft + dx) for each of r's offsets that lies in the plane.
 */
class PixelWindows implements NeededInputs {
  readonly units: number;
  constructor(
    private readonly plan: BlockPlan,
    private readonly replica: Int32Array,
    private readonly replicaDy: Int32Array[],
    private readonly replicaDx: Int32Array[],
    private readonly g: ConvGeometry,
  ) {
    this.units = planeSize(g.out);
  }

  /** Input-plane coordinates of the first window pixel of output pixel p at (y, x), and p's offsets. */
  private window(y: number, x: number): { originY: number; originX: number; dys: Int32Array; dxs: Int32Array } {
    const { plan, replica, replicaDy, replicaDx, g } = this;
    const p = x * g.out.height + y;
    const r = replica[p];
    const lattice = plan.lattice;
    return {
      originY: (lattice ? lattice.originY[plan.pixelBlock[p]] : y - (y % plan.blockHeight)) * g.stride - g.padTop,
      originX: (lattice ? lattice.originX[plan.pixelBlock[p]] : x - (x % plan.blockWidth)) * g.stride - g.padLeft,
      dys: replicaDy[r],
      dxs: replicaDx[r],
    };
  }

  /** Pushes the input pixels unit `u` reads. */
  pushInputs(u: number, push: (input: number) => void): void {
    const { height, width } = this.g.input;
    const { originY, originX, dys, dxs } = this.window(u % this.g.out.height, Math.floor(u / this.g.out.height));
    for (let k = 0; k < dys.length; k++) {
      const iy = originY + dys[k];
      const ix = originX + dxs[k];
      if (iy >= 0 && iy < height && ix >= 0 && ix < width) push(ix * height + iy);
    }
  }

  inputsOf(u: number): number[] {
    const found: number[] = [];
    this.pushInputs(u, (i) => found.push(i));
    return found;
  }

  // The two bulk forms below repeat the window loop rather than share it through a callback: they are the hot path
  // of a large input (150 million window pixels at 4096x4096), and a call per pixel made a 2048x2048 simulation 40 %
  // slower (1.6 to 1.9 s instead of 1.1 to 1.2 s, measured on an idle machine).
  readyTimes(arrivals: Int32Array, floor: number, out: Int32Array): void {
    const { plan, replica, replicaDy, replicaDx, g } = this;
    const { height, width } = g.input;
    const outHeight = g.out.height;
    // A ragged block's windows start at their block's lattice origin (a branch per pixel, always the same way).
    const lattice = plan.lattice;
    for (let x = 0, p = 0; x < g.out.width; x++) {
      const gridX = (x - (x % plan.blockWidth)) * g.stride - g.padLeft;
      for (let y = 0; y < outHeight; y++, p++) {
        const originY = (lattice ? lattice.originY[plan.pixelBlock[p]] : y - (y % plan.blockHeight)) * g.stride - g.padTop;
        const originX = lattice ? lattice.originX[plan.pixelBlock[p]] * g.stride - g.padLeft : gridX;
        const dys = replicaDy[replica[p]];
        const dxs = replicaDx[replica[p]];
        let ready = floor;
        for (let k = 0; k < dys.length; k++) {
          const iy = originY + dys[k];
          const ix = originX + dxs[k];
          if (iy >= 0 && iy < height && ix >= 0 && ix < width && arrivals[ix * height + iy] > ready) ready = arrivals[ix * height + iy];
        }
        out[p] = ready;
      }
    }
  }

  lastReaders(inputPixels: number): Int32Array {
    const { plan, replica, replicaDy, replicaDx, g } = this;
    const { height, width } = g.input;
    const outHeight = g.out.height;
    const last = new Int32Array(inputPixels).fill(-1);
    // A ragged block's windows start at their block's lattice origin (a branch per pixel, always the same way).
    const lattice = plan.lattice;
    for (let x = 0, p = 0; x < g.out.width; x++) {
      const gridX = (x - (x % plan.blockWidth)) * g.stride - g.padLeft;
      for (let y = 0; y < outHeight; y++, p++) {
        const originY = (lattice ? lattice.originY[plan.pixelBlock[p]] : y - (y % plan.blockHeight)) * g.stride - g.padTop;
        const originX = lattice ? lattice.originX[plan.pixelBlock[p]] * g.stride - g.padLeft : gridX;
        const dys = replicaDy[replica[p]];
        const dxs = replicaDx[replica[p]];
        for (let k = 0; k < dys.length; k++) {
          const iy = originY + dys[k];
          const ix = originX + dxs[k];
          if (iy >= 0 && iy < height && ix >= 0 && ix < width) last[ix * height + iy] = p;
        }
      }
    }
    return last;
  }
}

/** One fused neuron-core op applied to a stream of pixel times. */
export type ChainStep =
  | { kind: 'identity'; node: string }
  | { kind: 'add'; node: string }
  /** Pooling (and global average pooling): an output pixel is ready when the last pixel of its window is. */
  | { kind: 'window'; node: string; lists: IndexLists; out: Plane };

/** The fused ops of a layer as steps on pixel times, and the plane that leaves the layer. */
export function chainSteps(fused: readonly IrNode[], start: Plane): { steps: ChainStep[]; out: Plane } {
  let plane = start;
  const steps: ChainStep[] = [];
  for (const node of fused) {
    const op = node.op;
    switch (op.kind) {
      case 'maxpool':
      case 'avgpool': {
        const input = plane;
        const out = {
          height: windowCount(input.height, op.padding.top, op.padding.bottom, op.size, op.stride),
          width: windowCount(input.width, op.padding.left, op.padding.right, op.size, op.stride),
        };
        const lists = buildLists(planeSize(out), (q, push) => {
          const oy = q % out.height;
          const ox = Math.floor(q / out.height);
          for (let dx = 0; dx < op.size; dx++) {
            for (let dy = 0; dy < op.size; dy++) {
              const iy = oy * op.stride - op.padding.top + dy;
              const ix = ox * op.stride - op.padding.left + dx;
              if (iy >= 0 && iy < input.height && ix >= 0 && ix < input.width) push(ix * input.height + iy);
            }
          }
        });
        steps.push({ kind: 'window', node: node.name, lists, out });
        plane = out;
        break;
      }
      case 'gap': {
        const n = planeSize(plane);
        const lists = buildLists(1, (_q, push) => {
          for (let i = 0; i < n; i++) push(i);
        });
        plane = { height: 1, width: 1 };
        steps.push({ kind: 'window', node: node.name, lists, out: plane });
        break;
      }
      case 'add':
        steps.push({ kind: 'add', node: node.name });
        break;
      case 'batchnorm':
      case 'relu':
      case 'threshold':
      case 'flatten':
        // Flatten only renames: the pixels keep travelling as they are, and an fc layer waits for all of them.
        steps.push({ kind: 'identity', node: node.name });
        break;
      default:
        throw new Error(`dataflow: '${node.name}' (${op.kind}) cannot run in a neuron core`);
    }
  }
  return { steps, out: plane };
}
