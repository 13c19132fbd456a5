// The block tables of cores on a ragged lattice (src/emit/rtl/lattice.ts): every output pixel computed by exactly one
// table block's on-plane replica, every value the controller derives from an entry within its counters, the positions
// only idle replicas read always the region corner the controller masks (every small geometry), and the $readmemh
// packing of negative fields.
import { describe, expect, it } from 'vitest';
import { prepare } from './helpers.js';
import { planRtl, readExtent } from '../../../src/emit/rtl/plan.js';
import { controllerParameters } from '../../../src/emit/rtl/controllerParameters.js';
import { latticeTables, packedEntry, type LatticeGeometry } from '../../../src/emit/rtl/lattice.js';
import { blockRegion, blockShape, type BlockShape } from '../../../src/mapping/block.js';
import { replicaOffsets } from '../../../src/mapping/kernel.js';
import type { ReplicaOffset } from '../../../src/mapping/types.js';
import { patchPositions } from '../../../src/memory/schedule.js';
import { windowCount, type Padding } from '../../../src/ir/padding.js';

type Kernel = { kernelHeight: number; kernelWidth: number; stride: number };

/**
 * A core's lattice geometry as the plan gives it (its positions: every patch slot, given when the caller has them;
 * memory steps of one bit a pixel).
 */
function geometry(replicas: ReplicaOffset[], inBlock: BlockShape, input: { height: number; width: number }, kernel: Kernel, padding: Padding, positions = patchPositions({ replicas, ...kernel })): LatticeGeometry {
  const out = {
    height: windowCount(input.height, padding.top, padding.bottom, kernel.kernelHeight, kernel.stride),
    width: windowCount(input.width, padding.left, padding.right, kernel.kernelWidth, kernel.stride),
  };
  const regionWidth = blockRegion(blockShape(replicas), kernel).width;
  return {
    replicas,
    out,
    input,
    inBlock,
    read: readExtent({ inputShape: { channels: 1, ...input }, outputShape: { channels: 1, ...out }, matrix: kernel }, padding),
    ...kernel,
    padding,
    positions,
    regionWidth,
    columns: regionWidth,
    deltaKernel: 1,
    deltaPix: input.height,
  };
}

/** Every kernel up to 3x3, stride up to 3, padding of each side smaller than the window (IMC046), plane up to 5x5. */
function* smallGeometries(replicas: ReplicaOffset[], inBlock: BlockShape): Generator<LatticeGeometry> {
  for (let kh = 1; kh <= 3; kh++)
    for (let kw = 1; kw <= 3; kw++)
      for (let stride = 1; stride <= 3; stride++) {
        const kernel = { kernelHeight: kh, kernelWidth: kw, stride };
        const positions = patchPositions({ replicas, ...kernel });
        for (let top = 0; top < kh; top++)
          for (let bottom = 0; bottom < kh; bottom++)
            for (let left = 0; left < kw; left++)
              for (let right = 0; right < kw; right++)
                for (let height = 1; height <= 5; height++)
                  for (let width = 1; width <= 5; width++) {
                    if (height + top + bottom < kh || width + left + right < kw) continue;
                    yield geometry(replicas, inBlock, { height, width }, kernel, { top, left, bottom, right }, positions);
                  }
      }
}

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

  // The argument in src/emit/rtl/lattice.ts: the positions only idle replicas read are a corner for any geometry, so
  // its check (an internal error) never fires. Here it runs over every small one: ragged blocks of up to 10 replicas,
  // and full blocks reading a ragged producer.
  it('masks exactly the positions only idle replicas read, as a bottom-right corner, in every small geometry', () => {
    // Each ragged block once (5 replicas dW 4 fill 3 columns, as dW 3 does).
    const blocks = new Map<string, ReplicaOffset[]>();
    for (const dW of [2, 3, 4]) for (let n = 3; n <= 10; n++) blocks.set(`${n}/${blockShape(replicaOffsets(n, dW)).cols}`, replicaOffsets(n, dW));
    const ragged = [...blocks.values()].filter((r) => blockShape(r).ragged);
    expect(ragged.map((r) => `${r.length}/${blockShape(r).cols}`)).toEqual(['3/2', '5/2', '7/2', '9/2', '5/3', '7/3', '8/3', '10/3', '7/4', '10/4']);
    let geometries = 0;
    // Idle replicas' windows reach the box in two ways: an off-plane full column's left of the plane, below the rows
    // of the short last column's windows; the short column's above the plane, right of the full columns' windows.
    const corners = { leftOfPlane: 0, abovePlane: 0 };
    for (const replicas of ragged) {
      const { cols } = blockShape(replicas);
      for (const g of smallGeometries(replicas, { rows: 1, cols: 1 })) {
        geometries++;
        for (const b of latticeTables(g).blocks) {
          if (b.lastDx >= g.regionWidth) continue;
          if (b.lastDx < (cols - 2) * g.stride + g.kernelWidth) corners.leftOfPlane++;
          if (b.iy0 + b.lastDy + 1 <= 0) corners.abovePlane++;
        }
      }
    }
    // A full block has no such positions.
    let fullCorners = 0;
    for (const replicas of [replicaOffsets(1, 1), replicaOffsets(4, 2), replicaOffsets(6, 3)]) {
      for (const g of smallGeometries(replicas, blockShape(replicaOffsets(3, 2)))) {
        geometries++;
        fullCorners += latticeTables(g).blocks.filter((b) => b.lastDx < g.regionWidth).length;
      }
    }
    expect(geometries).toBeGreaterThan(100_000);
    expect(fullCorners).toBe(0);
    expect(corners.leftOfPlane).toBeGreaterThan(0);
    expect(corners.abovePlane).toBeGreaterThan(0);
  });

  it('fails with an internal error on replicas that do not fill their block y fastest', () => {
    // The last column's replica at the bottom: only idle replicas read the region's top-right positions.
    const replicas = [
      { oy: 0, ox: 0 },
      { oy: 1, ox: 0 },
      { oy: 1, ox: 1 },
    ];
    expect(() => latticeTables(geometry(replicas, { rows: 1, cols: 1 }, { height: 6, width: 6 }, { kernelHeight: 3, kernelWidth: 3, stride: 1 }, { top: 1, left: 1, bottom: 1, right: 1 }))).toThrow(
      /RTL lattice: the positions only idle replicas read in the block at \(-?\d+, -?\d+\) are not the bottom-right corner/,
    );
  });

  it('packs fields lowest first, two\'s complement', () => {
    expect(packedEntry([1, -1, 3], 4)).toBe('3f1');
    expect(packedEntry([-2, 0], 8)).toBe('00fe');
  });
});
