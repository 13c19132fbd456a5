import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  collectiveKernelMatrix,
  equation2AspectRatio,
  matrixWeights,
  replicaOffsets,
  replicationCost,
  deviceWeight,
  devicePosition,
} from '../../src/mapping/index.js';

describe('kernel matrix', () => {
  it('an unreplicated conv kernel matrix is Fh*Fw*Cin x Cout with rows in (kx, ky, channel) order', () => {
    const m = collectiveKernelMatrix({ inChannels: 2, outChannels: 5, kernelHeight: 2, kernelWidth: 3, stride: 1, replicas: 1, dW: 1 });
    expect(m.rowSources.length).toBe(12);
    expect(m.columnSinks.length).toBe(5);
    expect(m.kernelRows).toBe(12);
    expect(m.kernelCols).toBe(5);
    expect(m.rowSources.slice(0, 5)).toEqual([
      { dy: 0, dx: 0, channel: 0 },
      { dy: 0, dx: 0, channel: 1 },
      { dy: 1, dx: 0, channel: 0 },
      { dy: 1, dx: 0, channel: 1 },
      { dy: 0, dx: 1, channel: 0 },
    ]);
    expect(m.columnSinks[4]).toEqual({ replica: 0, outChannel: 4 });
  });

  it('every mapped device of a single replica holds its OIHW weight', () => {
    const cin = 3, cout = 2, F = 3;
    const weights = Array.from({ length: cout * cin * F * F }, (_, i) => i + 1);
    const m = collectiveKernelMatrix({ inChannels: cin, outChannels: cout, kernelHeight: F, kernelWidth: F, stride: 1, replicas: 1, dW: 1 });
    const dense = matrixWeights(m, weights);
    const seen = dense.flat().sort((a, b) => a - b);
    expect(seen).toEqual(weights);
    // row of (dy=2, dx=1, channel=1), output channel 1: OIHW ((1*3+1)*3+2)*3+1
    const row = m.rowSources.findIndex((s) => s.dy === 2 && s.dx === 1 && s.channel === 1);
    expect(deviceWeight(m, weights, row, 1)).toBe(weights[((1 * 3 + 1) * 3 + 2) * 3 + 1]);
  });
});

describe('replication', () => {
  it('replica offsets: method 1 stacks along y, method 2 fills a dW-wide block y fastest', () => {
    expect(replicaOffsets(3, 1)).toEqual([{ oy: 0, ox: 0 }, { oy: 1, ox: 0 }, { oy: 2, ox: 0 }]);
    expect(replicaOffsets(6, 2)).toEqual([
      { oy: 0, ox: 0 }, { oy: 1, ox: 0 }, { oy: 2, ox: 0 },
      { oy: 0, ox: 1 }, { oy: 1, ox: 1 }, { oy: 2, ox: 1 },
    ]);
  });

  it('Figure 4: three replicas (method 1, F=3) read a 5x3 input area and add F*Cin rows each', () => {
    const cin = 16;
    const c = replicationCost({ inChannels: cin, outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 3, dW: 1 });
    expect(c.rows).toBe(5 * 3 * cin);
    expect(c.rows).toBe(9 * cin + 2 * 3 * cin);
    expect(c.cols).toBe(3 * 16);
  });

  it('Figure 5: 6 replicas, dW 2, Cin = Cout = 16, F = 3 need 320 rows (a 5-by-4 input area)', () => {
    const c = replicationCost({ inChannels: 16, outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 6, dW: 2 });
    expect(c).toEqual({ rows: 320, cols: 96, aspectRatio: 320 / 96, method: 2 });
  });

  it('Figure 6: n = 20 needs 1,056 rows with method 1 and 672 with method 2 at dW = 5', () => {
    const p = { inChannels: 16, outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 20 };
    expect(replicationCost({ ...p, dW: 1 }).rows).toBe(1056);
    expect(replicationCost({ ...p, dW: 1 }).method).toBe(1);
    expect(replicationCost({ ...p, dW: 5 }).rows).toBe(672);
    expect(replicationCost({ ...p, dW: 5 }).method).toBe(2);
    expect(replicationCost({ ...p, dW: 5 }).cols).toBe(320);
  });

  it('Figure 6A: method 1 approaches aspect ratio F = 3, method 2 with dW >= 2 goes lower', () => {
    const p = { inChannels: 16, outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1 };
    expect(replicationCost({ ...p, replicas: 200, dW: 1 }).aspectRatio).toBeCloseTo(3 + 6 / 200, 10);
    for (const dW of [2, 3, 4, 5]) {
      expect(replicationCost({ ...p, replicas: 20, dW }).aspectRatio).toBeLessThan(replicationCost({ ...p, replicas: 20, dW: 1 }).aspectRatio);
    }
  });

  it('equation 2: the closed-form aspect ratio equals the constructed method-1 matrix for many n, F, Cin, Cout', () => {
    for (const F of [1, 3, 5]) {
      for (const [cin, cout] of [[16, 16], [3, 16], [28, 56], [56, 10]]) {
        for (let n = 1; n <= 40; n++) {
          const built = replicationCost({ inChannels: cin, outChannels: cout, kernelHeight: F, kernelWidth: F, stride: 1, replicas: n, dW: 1 });
          expect(built.aspectRatio).toBeCloseTo(equation2AspectRatio(F, cin, cout, n), 12);
        }
      }
    }
    expect(equation2AspectRatio(3, 16, 16, 1)).toBe(9);
  });

  it('equation 4 is independent of dW: each replica maps one full kernel matrix', () => {
    for (const dW of [1, 2, 4]) {
      const m = collectiveKernelMatrix({ inChannels: 16, outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 8, dW });
      const weights = Array.from({ length: 16 * 16 * 9 }, () => 1);
      const nonzero = matrixWeights(m, weights).flat().filter((w) => w !== 0).length;
      expect(nonzero).toBe(8 * 144 * 16);
    }
  });
});

/** Direct convolution of one output pixel (zero padding), OIHW weights, CHW input. */
function directConv(
  input: number[], shape: { c: number; h: number; w: number }, weights: number[],
  g: { cout: number; fh: number; fw: number; stride: number; pad: number }, y: number, x: number, o: number,
): number {
  let acc = 0;
  for (let c = 0; c < shape.c; c++) {
    for (let ky = 0; ky < g.fh; ky++) {
      for (let kx = 0; kx < g.fw; kx++) {
        const iy = y * g.stride + ky - g.pad;
        const ix = x * g.stride + kx - g.pad;
        if (iy < 0 || ix < 0 || iy >= shape.h || ix >= shape.w) continue;
        acc += weights[((o * shape.c + c) * g.fh + ky) * g.fw + kx] * input[(c * shape.h + iy) * shape.w + ix];
      }
    }
  }
  return acc;
}

describe('collective kernel matrix property', () => {
  it('matrix times the input its placement data describes gives the n outputs of a direct convolution (any shape, stride, n, dW, padding)', () => {
    const arb = fc
      .record({
        cin: fc.integer({ min: 1, max: 3 }),
        cout: fc.integer({ min: 1, max: 3 }),
        fh: fc.integer({ min: 1, max: 4 }),
        fw: fc.integer({ min: 1, max: 4 }),
        stride: fc.integer({ min: 1, max: 3 }),
        pad: fc.integer({ min: 0, max: 2 }),
        n: fc.integer({ min: 1, max: 9 }),
        dWPick: fc.nat(),
        h: fc.integer({ min: 4, max: 14 }),
        w: fc.integer({ min: 4, max: 14 }),
        originPick: fc.tuple(fc.nat(), fc.nat()),
        seed: fc.integer(),
      })
      .map((r) => ({ ...r, dW: 1 + (r.dWPick % r.n) }))
      .filter((r) => {
        const ho = Math.floor((r.h + 2 * r.pad - r.fh) / r.stride) + 1;
        const wo = Math.floor((r.w + 2 * r.pad - r.fw) / r.stride) + 1;
        return r.fh <= r.h + 2 * r.pad && r.fw <= r.w + 2 * r.pad && Math.ceil(r.n / r.dW) <= ho && r.dW <= wo;
      });
    fc.assert(
      fc.property(arb, (r) => {
        const ho = Math.floor((r.h + 2 * r.pad - r.fh) / r.stride) + 1;
        const wo = Math.floor((r.w + 2 * r.pad - r.fw) / r.stride) + 1;
        let s = r.seed | 0;
        const rand = () => {
          s = (Math.imul(s, 1103515245) + 12345) | 0;
          return ((s >>> 16) % 15) - 7;
        };
        const weights = Array.from({ length: r.cout * r.cin * r.fh * r.fw }, rand);
        const input = Array.from({ length: r.cin * r.h * r.w }, rand);
        const m = collectiveKernelMatrix({
          inChannels: r.cin, outChannels: r.cout, kernelHeight: r.fh, kernelWidth: r.fw, stride: r.stride, replicas: r.n, dW: r.dW,
        });
        const blockH = Math.ceil(r.n / r.dW);
        const blockW = Math.max(...m.replicas.map((o) => o.ox)) + 1;
        const by = r.originPick[0] % (ho - blockH + 1);
        const bx = r.originPick[1] % (wo - blockW + 1);
        // The input vector the placement data describes: row (dy, dx, c) <- input pixel (by*S + dy, bx*S + dx) of the
        // padded input, i.e. (by*S + dy - P, bx*S + dx - P) unpadded, zero outside.
        const vector = m.rowSources.map(({ dy, dx, channel }) => {
          const y = by * r.stride + dy - r.pad;
          const x = bx * r.stride + dx - r.pad;
          return y < 0 || x < 0 || y >= r.h || x >= r.w ? 0 : input[(channel * r.h + y) * r.w + x];
        });
        const dense = matrixWeights(m, weights);
        m.columnSinks.forEach(({ replica, outChannel }, col) => {
          let acc = 0;
          for (let row = 0; row < vector.length; row++) acc += vector[row] * dense[row][col];
          const { oy, ox } = m.replicas[replica];
          const expected = directConv(input, { c: r.cin, h: r.h, w: r.w }, weights, { cout: r.cout, fh: r.fh, fw: r.fw, stride: r.stride, pad: r.pad }, by + oy, bx + ox, outChannel);
          expect(acc).toBe(expected);
        });
        expect(m.columnSinks.length).toBe(r.n * r.cout);
        // Every row is read by at least one replica (no dead rows, even with stride > kernel).
        m.rowSources.forEach((_, row) => {
          expect(m.columnSinks.some((__, col) => devicePosition(m, row, col) !== null)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
