// Block origins (src/mapping/block.ts): full blocks on a grid, ragged ones on the lattice (n, 0), (-h, 1); every
// output pixel is computed by exactly one replica of one block, in arrival order (by column, then row).
import { describe, expect, it } from 'vitest';
import { blockOrigins, isRaggedBlock, pixelBlocks, raggedLayers, replicaOffsets } from '../../src/mapping/index.js';

describe('blockOrigins', () => {
  it('full blocks: the grid, block columns outermost (4 replicas 2 wide on a 4x4 plane)', () => {
    const offsets = replicaOffsets(4, 2);
    expect(isRaggedBlock(offsets)).toBe(false);
    expect(blockOrigins(offsets, { height: 4, width: 4 })).toEqual([
      { y: 0, x: 0 },
      { y: 2, x: 0 },
      { y: 0, x: 2 },
      { y: 2, x: 2 },
    ]);
  });

  it('full blocks cut by the plane: edge blocks are kept (3 replicas 1 wide on a 4x1 plane)', () => {
    expect(blockOrigins(replicaOffsets(3, 1), { height: 4, width: 1 })).toEqual([{ y: 0, x: 0 }, { y: 3, x: 0 }]);
  });

  it('a ragged block (3 replicas 2 wide) on a 3x2 plane: the lattice (3, 0), (-2, 1), blocks above the plane included', () => {
    const offsets = replicaOffsets(3, 2);
    expect(isRaggedBlock(offsets)).toBe(true);
    // Offsets (0,0), (1,0), (0,1), h = 2. Column x's blocks start at y = -2x mod 3; a block is kept when a replica
    // lands inside: the one at (2, -1) computes (2, 0) with its last replica.
    const origins = blockOrigins(offsets, { height: 3, width: 2 });
    expect(origins).toEqual([
      { y: 2, x: -1 },
      { y: 0, x: 0 },
      { y: 1, x: 1 },
    ]);
    const { block, replica } = pixelBlocks(offsets, { height: 3, width: 2 }, origins);
    // Pixel index x * H + y: (0,0) (1,0) (2,0) (0,1) (1,1) (2,1).
    expect([...block]).toEqual([1, 1, 0, 1, 2, 2]);
    expect([...replica]).toEqual([0, 1, 2, 2, 0, 1]);
  });

  it('every pixel exactly once, for every ragged count up to 13 and several planes', () => {
    let checked = 0;
    for (const [height, width] of [[32, 32], [7, 12], [1, 5], [13, 3]]) {
      for (let n = 3; n <= 13; n++) {
        for (let dW = 2; dW < n; dW++) {
          const offsets = replicaOffsets(n, dW);
          if (!isRaggedBlock(offsets)) continue;
          // pixelBlocks throws on a pixel computed twice or never.
          const origins = blockOrigins(offsets, { height, width });
          const { block } = pixelBlocks(offsets, { height, width }, origins);
          expect(new Set(block).size, `${n} replicas, dW ${dW}, ${height}x${width}`).toBe(origins.length);
          for (let i = 1; i < origins.length; i++) {
            const [a, b] = [origins[i - 1], origins[i]];
            expect(a.x < b.x || (a.x === b.x && a.y < b.y)).toBe(true);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('raggedLayers names the layers whose blocks are ragged', () => {
    const layer = (name: string, n: number, dW: number) => ({ layer: name, matrix: { replicas: replicaOffsets(n, dW), dW } });
    expect(raggedLayers([layer('a', 4, 2), layer('b', 7, 3), layer('c', 1, 1)])).toEqual([{ layer: 'b', replicas: 7, dW: 3 }]);
  });
});
