// The block tables of cores on a ragged lattice (src/emit/rtl/lattice.ts): every output pixel computed by exactly one
// table block's on-plane replica, every value the controller derives from an entry within its counters, and the
// $readmemh packing of negative fields.
import { describe, expect, it } from 'vitest';
import { prepare } from './helpers.js';
import { planRtl } from '../../../src/emit/rtl/plan.js';
import { controllerParameters } from '../../../src/emit/rtl/controllerParameters.js';
import { packedEntry } from '../../../src/emit/rtl/lattice.js';

describe('ragged-lattice block tables', () => {
  for (const fixture of ['test/verify/fixtures/ragged.imc', 'test/verify/fixtures/ragged-split.imc', 'test/verify/fixtures/ragged-shapes.imc']) {
    it(`${fixture}: the blocks cover each output pixel once, and the controller's values fit its counters`, () => {
      const p = prepare(fixture);
      const plan = planRtl(p.program);
      const tabled = plan.cores.filter((c) => c.lattice);
      expect(tabled.length).toBeGreaterThan(0);
      for (const core of tabled) {
        const g = controllerParameters(core);
        const { height, width } = core.layer.outputShape;
        const seen = new Uint8Array(height * width);
        const values: number[] = [];
        for (const b of core.lattice!.blocks) {
          for (const r of core.layer.matrix.replicas) {
            const y = b.oy + r.oy;
            const x = b.ox + r.ox;
            if (y >= 0 && y < height && x >= 0 && x < width) seen[x * height + y]++;
          }
          // The region walk's row addresses and positions from the entry (Algorithm 2: row address + column base).
          const regionH = (g.BLOCK_H - 1) * g.STRIDE + g.KERNEL_H;
          for (let dy = 0; dy < regionH; dy++) values.push(b.iy0 + dy, b.row0 + dy * g.DELTA_KERNEL + b.col0 + 2 * g.COLUMNS * g.DELTA_PIX);
          values.push(...Object.values(b));
        }
        for (const a of core.lattice!.arrivals ?? []) values.push(a.ry + g.IN_BLOCK_H, a.rx + g.IN_BLOCK_W, a.row0 + g.IN_BLOCK_H * g.DELTA_KERNEL + a.col0 + g.COLUMNS * g.DELTA_PIX);
        expect([...seen].every((n) => n === 1), core.core.id).toBe(true);
        expect(2 * Math.max(...values.map(Math.abs)), core.core.id).toBeLessThanOrEqual(2 ** (g.CW - 1) - 1);
        // A block needs at most every producer block (the table's readiness counts them).
        expect(Math.max(...core.lattice!.blocks.map((b) => b.need))).toBeLessThanOrEqual(core.lattice!.arrivals?.length ?? Infinity);
      }
    });
  }

  it('packs fields lowest first, two\'s complement', () => {
    expect(packedEntry([1, -1, 3], 4)).toBe('3f1');
    expect(packedEntry([-2, 0], 8)).toBe('00fe');
  });
});
