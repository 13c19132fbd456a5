// The dataflow of a ragged method-2 block (replicas not a multiple of dW, blocks on the skewed lattice of
// src/mapping/block.ts): every output pixel reads exactly its convolution window, a block the union of its active
// replicas' windows, and the timing model computes nothing before its inputs arrive, one block per timestep.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockPlan, convNeededInputs } from '../../src/dataflow/geometry.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { blockOrigins, collectiveKernelMatrix, replicaOffsets } from '../../src/mapping/index.js';
import { fixtureMapping, tinyDesign } from './fixtures.js';

/** The input pixels (x * H + y) output (y, x) of a plain convolution reads. */
function window(y: number, x: number, g: { stride: number; pad: number; kernel: number; input: number }): number[] {
  const out: number[] = [];
  for (let kx = 0; kx < g.kernel; kx++) {
    for (let ky = 0; ky < g.kernel; ky++) {
      const iy = y * g.stride - g.pad + ky;
      const ix = x * g.stride - g.pad + kx;
      if (iy >= 0 && iy < g.input && ix >= 0 && ix < g.input) out.push(ix * g.input + iy);
    }
  }
  return out.sort((a, b) => a - b);
}

const raggedCount = fc
  .record({ n: fc.integer({ min: 3, max: 9 }), dW: fc.integer({ min: 2, max: 4 }) })
  .filter(({ n, dW }) => n % dW !== 0 && Math.ceil(n / dW) * (dW - 1) < n);

describe('ragged block geometry', () => {
  it('property: a pixel unit reads its convolution window, a block unit the union of its active replicas\' windows', () => {
    fc.assert(
      fc.property(raggedCount, fc.integer({ min: 5, max: 11 }), fc.constantFrom(1, 3), fc.constantFrom(1, 2), fc.boolean(), ({ n, dW }, input, kernel, stride, padded) => {
        const pad = padded ? (kernel - 1) / 2 : 0;
        const side = Math.floor((input + 2 * pad - kernel) / stride) + 1;
        const out = { height: side, width: side };
        const m = collectiveKernelMatrix({ inChannels: 1, outChannels: 1, kernelHeight: kernel, kernelWidth: kernel, stride, replicas: n, dW });
        const plan = blockPlan(m, out);
        const origins = blockOrigins(m.replicas, out);
        expect(plan.blocks).toBe(origins.length);
        const g = { stride, padTop: pad, padLeft: pad, input: { height: input, width: input }, out };
        const all = { rowPart: 0, colPart: 0, rowStart: 0, rowEnd: m.rowSources.length, colStart: 0, colEnd: n };
        const pixels = convNeededInputs(m, all, g, plan, 'pixel');
        const geometry = { stride, pad, kernel, input };
        for (let x = 0; x < side; x++) {
          for (let y = 0; y < side; y++) expect(pixels.inputsOf(x * side + y).sort((a, b) => a - b)).toEqual(window(y, x, geometry));
        }
        const blocks = convNeededInputs(m, all, g, plan, 'block');
        origins.forEach((o, b) => {
          const union = new Set<number>();
          for (const r of replicaOffsets(n, dW)) {
            const [y, x] = [o.y + r.oy, o.x + r.ox];
            if (y >= 0 && y < side && x >= 0 && x < side) for (const i of window(y, x, geometry)) union.add(i);
          }
          expect(blocks.inputsOf(b).sort((p, q) => p - q)).toEqual([...union].sort((p, q) => p - q));
        });
      }),
      { numRuns: 60, seed: 15 },
    );
  });
});

describe('ragged block timing', () => {
  it('property: nothing before its window has arrived; block granularity takes one lattice block per timestep', () => {
    fc.assert(
      fc.property(raggedCount, fc.integer({ min: 6, max: 10 }), (r, height) => {
        const design = tinyDesign({ height, replicas: r.n, dW: r.dW });
        const mapping = fixtureMapping(design);
        const c = mapping.layers.find((l) => l.layer === 'c')!;
        expect(c.matrix.replicas.length).toBe(r.n);
        const geometry = { stride: 1, pad: 1, kernel: 3, input: height };
        for (const granularity of ['pixel', 'block'] as const) {
          const result = simulateDataflow(design, mapping, { batch: 1, activity: true, granularity });
          const rate = result.inputPixelsPerTimestep;
          const times = Array.from(result.outputs!.find((o) => o.layer === 'c')!.timesteps);
          times.forEach((t, p) => {
            const last = Math.max(...window(p % height, Math.floor(p / height), geometry));
            expect(t).toBeGreaterThanOrEqual(Math.floor(last / rate));
          });
          if (granularity === 'block') {
            // One operation per timestep: as many distinct timesteps as blocks on the lattice, every block's pixels together.
            const blocks = blockOrigins(c.matrix.replicas, { height, width: height });
            expect(new Set(times).size).toBe(blocks.length);
          } else {
            // At most n pixels per timestep.
            const per = new Map<number, number>();
            for (const t of times) per.set(t, (per.get(t) ?? 0) + 1);
            expect(Math.max(...per.values())).toBeLessThanOrEqual(r.n);
          }
        }
      }),
      { numRuns: 25, seed: 15 },
    );
  });

  it('7 replicas 2 wide on a 32x32 plane: 164 operations at block granularity, against 256 for 4 replicas 2 wide', () => {
    const operations = (replicas: number) => {
      const design = tinyDesign({ height: 32, replicas, dW: 2 });
      const result = simulateDataflow(design, fixtureMapping(design), { batch: 1, activity: true, granularity: 'block' });
      return new Set(result.outputs!.find((o) => o.layer === 'c')!.timesteps).size;
    };
    expect(operations(7)).toBe(164);
    expect(operations(4)).toBe(256);
  });
});
