// Block geometry (src/mapping/block.ts): the block a directive asks for, the block its replica offsets span, the input
// region the block reads and how many blocks cover an output plane, checked against the collective kernel matrix.
import { describe, expect, it } from 'vitest';
import { blockGrid, blockRegion, blockShape, directiveBlock, isFullBlock } from '../../src/mapping/block.js';
import { collectiveKernelMatrix, replicaOffsets } from '../../src/mapping/kernel.js';

describe('block geometry', () => {
  it('an unreplicated layer computes a 1x1 block', () => {
    expect(blockShape(replicaOffsets(1, 1))).toEqual({ rows: 1, cols: 1 });
    expect(blockShape([])).toEqual({ rows: 1, cols: 1 });
  });

  it('method 1 stacks replicas in a column; method 2 fills dW columns of ceil(n / dW) rows', () => {
    expect(blockShape(replicaOffsets(4, 1))).toEqual({ rows: 4, cols: 1 });
    expect(blockShape(replicaOffsets(4, 2))).toEqual({ rows: 2, cols: 2 });
    for (const [n, dW] of [[1, 1], [4, 1], [4, 2], [6, 3], [5, 2], [7, 3]] as const) {
      expect(blockShape(replicaOffsets(n, dW))).toMatchObject(directiveBlock(n, dW));
    }
    // A ragged block (7 replicas, dW 3: the last column holds 1) carries its offsets; a full one does not.
    expect(blockShape(replicaOffsets(7, 3)).ragged).toEqual(replicaOffsets(7, 3));
    expect(blockShape(replicaOffsets(6, 3)).ragged).toBeUndefined();
  });

  it('a block is full when its replicas are exactly its rectangle', () => {
    expect(isFullBlock(replicaOffsets(6, 3))).toBe(true);
    expect(isFullBlock(replicaOffsets(5, 2))).toBe(false); // 3x2 rectangle, 5 replicas
    expect(isFullBlock([{ oy: 0, ox: 0 }, { oy: 0, ox: 0 }])).toBe(false);
  });

  it('the region a block reads is (rows - 1) * stride + kernel on each side, the span of the kernel matrix rows', () => {
    expect(blockRegion({ rows: 2, cols: 2 }, { kernelHeight: 3, kernelWidth: 3, stride: 1 })).toEqual({ height: 4, width: 4 });
    expect(blockRegion({ rows: 4, cols: 1 }, { kernelHeight: 3, kernelWidth: 5, stride: 2 })).toEqual({ height: 9, width: 5 });
    for (const p of [
      { replicas: 4, dW: 1, stride: 1, kernelHeight: 3, kernelWidth: 3, inChannels: 2, outChannels: 2 },
      { replicas: 6, dW: 3, stride: 2, kernelHeight: 3, kernelWidth: 3, inChannels: 1, outChannels: 1 },
      { replicas: 4, dW: 2, stride: 3, kernelHeight: 2, kernelWidth: 2, inChannels: 1, outChannels: 1 },
    ]) {
      const m = collectiveKernelMatrix(p);
      const region = blockRegion(blockShape(m.replicas), m);
      expect(Math.max(...m.rowSources.map((s) => s.dy)) + 1).toBe(region.height);
      expect(Math.max(...m.rowSources.map((s) => s.dx)) + 1).toBe(region.width);
    }
  });

  it('blocks cover an output plane, the last ones ragged when the block does not divide it', () => {
    expect(blockGrid({ height: 32, width: 32 }, { rows: 2, cols: 2 })).toEqual({ rows: 16, cols: 16 });
    expect(blockGrid({ height: 5, width: 7 }, { rows: 2, cols: 3 })).toEqual({ rows: 3, cols: 3 });
  });
});
