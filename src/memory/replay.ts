// Executes a schedule on a simulated bit-addressed memory: the W lines store the pixel stream, the R lines read it
// back, Z lines give zeros. Returns, per computation, the input patch of every active replica, so a test (or the RTL
// check) can compare them with the patches the convolution needs.
import type { ReplicaOffset } from '../mapping/types.js';
import type { Schedule } from './schedule.js';

/** Pixel values: input[y][x][c], each an unsigned `bits`-bit code. */
export type PixelPlane = number[][][];

export interface ReplayedPatch {
  /** The output pixel this replica computes. */
  oy: number;
  ox: number;
  /** patch[ky][kx][c]. */
  patch: number[][][];
  timestep: number;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

/**
 * Replays `schedule` with the core's input `input` arriving. `replicas` are the block offsets the schedule was built
 * with. Fails (ReplayError) on an access outside the words the schedule declares or the memory's size.
 */
export function replaySchedule(schedule: Schedule, replicas: readonly ReplicaOffset[], input: PixelPlane): ReplayedPatch[] {
  const h = schedule.header;
  const wl = h.wordBits;
  const memoryBits = h.words * wl;
  const bits = new Uint8Array(memoryBits);
  const pixelBits = h.pixelBits;
  const checkSpan = (op: Schedule['ops'][number]): number => {
    if (op.word === undefined || op.lastWord === undefined || op.bit === undefined) {
      throw new ReplayError(`${op.op} at timestep ${op.t} has no address`);
    }
    const start = op.word * wl + op.bit;
    if (op.bit >= wl || Math.floor((start + pixelBits - 1) / wl) !== op.lastWord) {
      throw new ReplayError(`${op.op} at timestep ${op.t}: words ${op.word}..${op.lastWord} bit ${op.bit} do not hold ${pixelBits} bits`);
    }
    if (start + pixelBits > memoryBits) throw new ReplayError(`${op.op} at timestep ${op.t} beyond the ${h.words} words`);
    return start;
  };

  const results: ReplayedPatch[] = [];
  let region = new Map<string, number[]>();
  let current: { t: number; oy: number; ox: number; active: number } | null = null;
  const finish = (): void => {
    if (!current) return;
    let n = 0;
    for (const r of replicas) {
      const oy = current.oy + r.oy;
      const ox = current.ox + r.ox;
      if (oy < 0 || oy >= h.outputHeight || ox < 0 || ox >= h.outputWidth) continue;
      n++;
      const patch: number[][][] = [];
      for (let ky = 0; ky < h.kernelHeight; ky++) {
        const row: number[][] = [];
        for (let kx = 0; kx < h.kernelWidth; kx++) {
          const v = region.get(`${r.oy * h.stride + ky},${r.ox * h.stride + kx}`);
          if (!v) throw new ReplayError(`computation at timestep ${current.t}: replica (${r.oy},${r.ox}) lacks region position (${r.oy * h.stride + ky},${r.ox * h.stride + kx})`);
          row.push(v);
        }
        patch.push(row);
      }
      results.push({ oy, ox, patch, timestep: current.t });
    }
    if (n !== current.active) throw new ReplayError(`computation at timestep ${current.t} declares ${current.active} active replicas, has ${n}`);
    current = null;
    region = new Map();
  };

  let lastT = 0;
  for (const op of schedule.ops) {
    if (op.t < lastT) throw new ReplayError(`timestep ${op.t} after ${lastT}: lines out of order`);
    lastT = op.t;
    if (op.op !== 'R' && op.op !== 'Z') finish();
    switch (op.op) {
      case 'W': {
        const start = checkSpan(op);
        const px = input[op.y][op.x];
        for (let c = 0; c < h.channels; c++) {
          for (let b = 0; b < h.activationBits; b++) bits[start + c * h.activationBits + b] = (px[c] >>> b) & 1;
        }
        break;
      }
      case 'C':
        current = { t: op.t, oy: op.y, ox: op.x, active: op.active ?? 0 };
        break;
      case 'R': {
        if (!current || op.t !== current.t) throw new ReplayError(`read at timestep ${op.t} outside a computation`);
        const start = checkSpan(op);
        const px: number[] = [];
        for (let c = 0; c < h.channels; c++) {
          let v = 0;
          for (let b = 0; b < h.activationBits; b++) v += bits[start + c * h.activationBits + b] * 2 ** b;
          px.push(v);
        }
        region.set(`${op.dy},${op.dx}`, px);
        break;
      }
      case 'Z':
        if (!current || op.t !== current.t) throw new ReplayError(`zero at timestep ${op.t} outside a computation`);
        region.set(`${op.dy},${op.dx}`, new Array<number>(h.channels).fill(0));
        break;
    }
  }
  finish();
  return results;
}

/** The patch the convolution needs for output (oy, ox), zero padded. */
export function expectedPatch(schedule: Schedule, input: PixelPlane, oy: number, ox: number): number[][][] {
  const h = schedule.header;
  const [top, left] = typeof h.padding === 'number' ? [h.padding, h.padding] : h.padding;
  const patch: number[][][] = [];
  for (let ky = 0; ky < h.kernelHeight; ky++) {
    const row: number[][] = [];
    for (let kx = 0; kx < h.kernelWidth; kx++) {
      const y = oy * h.stride - top + ky;
      const x = ox * h.stride - left + kx;
      row.push(y >= 0 && y < h.height && x >= 0 && x < h.width ? input[y][x] : new Array<number>(h.channels).fill(0));
    }
    patch.push(row);
  }
  return patch;
}
