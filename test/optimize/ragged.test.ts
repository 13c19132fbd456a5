// A ragged method-2 block (replicas not a multiple of dW) tiles an output plane on the lattice (n, 0), (-h, 1)
// (src/optimize/ragged.ts): every output pixel is computed by exactly one replica of one block, and no block lies
// wholly outside the plane.
import { describe, expect, it } from 'vitest';
import { replicaOffsets } from '../../src/mapping/index.js';
import { raggedBlockOrigins, raggedOperations } from '../../src/optimize/index.js';
import { searchUnits } from '../../src/optimize/units.js';
import { loadDesign } from '../../src/ir/load.js';

describe('raggedBlockOrigins', () => {
  for (const [height, width] of [[32, 32], [16, 16], [8, 8], [7, 12], [1, 5], [13, 3]]) {
    it(`tiles a ${height}x${width} plane for every ragged count up to 13`, () => {
      let checked = 0;
      for (let n = 3; n <= 13; n++) {
        for (let dW = 2; dW < n; dW++) {
          const origins = raggedBlockOrigins({ height, width }, n, dW);
          if (n % dW === 0) expect(origins, `${n} replicas, dW ${dW} is a full block`).toBeNull();
          if (origins === null) continue;
          const covered = new Int32Array(height * width);
          for (const { y, x } of origins) {
            let inside = 0;
            for (const o of replicaOffsets(n, dW)) {
              const py = y + o.oy;
              const px = x + o.ox;
              if (py < 0 || py >= height || px < 0 || px >= width) continue;
              covered[px * height + py]++;
              inside++;
            }
            expect(inside, `${n} replicas, dW ${dW}: block at (${y}, ${x})`).toBeGreaterThan(0);
          }
          expect([...covered].every((c) => c === 1), `${n} replicas, dW ${dW}`).toBe(true);
          // At least one operation per n pixels; a block is cut by the edges only within h rows or dW columns of them.
          expect(origins.length).toBeGreaterThanOrEqual(Math.ceil((height * width) / n));
          checked++;
        }
      }
      // The ragged blocks of 3 to 13 replicas whose last column is not empty.
      expect(checked).toBe(20);
    });
  }

  it('has no block when the count leaves the last column empty (5 replicas cannot be 4 wide)', () => {
    expect(raggedBlockOrigins({ height: 8, width: 8 }, 5, 4)).toBeNull();
  });

  it('7 replicas 2 wide on a 32x32 plane: 164 operations per image, against 256 for the 4-replica blocks that tile it', () => {
    const [row] = raggedOperations([32], [7]);
    expect(row.counts[0]).toEqual({ replicas: 7, ragged: 164, raggedDW: 2, full: 256, fullReplicas: 4 });
  });
});

describe('searchUnits: ragged blocks only when the search asks for them', () => {
  const design = loadDesign('examples/resnet32.imc').design!;
  const stem = (space?: { ragged?: boolean }) => searchUnits(design, space).find((u) => u.layers.includes('stem.conv'))!;

  it('by default every option is a full block that tiles the 32x32 plane (the RTL generator builds nothing else)', () => {
    for (const o of stem().options) expect(o.replicas % o.dW).toBe(0);
    expect(stem().options.map((o) => o.replicas)).not.toContain(3);
  });

  it('with ragged: 3 replicas 2 wide on one tile, as cheap as 1 replica', () => {
    const options = stem({ ragged: true }).options;
    const three = options.find((o) => o.replicas === 3);
    expect(three).toMatchObject({ replicas: 3, dW: 2 });
    expect(three!.cores).toBe(options[0].cores);
  });
});
