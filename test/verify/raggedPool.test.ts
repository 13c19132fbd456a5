// Pools fused into ragged method-2 layers (issue 19; IMC112 before). Their blocks step a skewed lattice
// (src/mapping/block.ts), so a window's pixels reach the neuron core in the lattice's order, not the plane's: the core
// counts each window's pixels (its first finds none seen, its last all its real ones) and takes only the in-plane
// replicas, and the rule (src/mapping/replicatedPool.ts) sends the pooled pixels a block completes together when
// every block that completes any completes an equal block of the pooled plane, in its column order.
import { describe, expect, it } from 'vitest';
import { replicaOffsets } from '../../src/mapping/kernel.js';
import { blockShape } from '../../src/mapping/block.js';
import { latticePoolColumns, latticeWindows, pooledPerBlock, replicatedPoolRule } from '../../src/mapping/replicatedPool.js';
import { uniformPadding } from '../../src/ir/padding.js';
import { controllerParametersOf, lintAndVerifyTests, neuronParametersOf, poolStageParametersOf, prepare, twoImagePoolTest, verifyEdited } from '../emit/rtl/helpers.js';

const pool = (size: number, stride = size, pad = 0) => ({ height: size, width: size, stride, padding: uniformPadding(pad) });
const ragged = (replicas: number, dW: number) => blockShape(replicaOffsets(replicas, dW));

describe('the pooled pixels a ragged block completes', () => {
  it('sees windows\' pixels in the lattice\'s order, not the plane\'s', () => {
    // 3 replicas, dW 2, on 8x8: the first block (origin column -1) computes pixels of window (1, 0) (rows 2-4) before
    // any of window (0, 0) (rows 0-1); window (0, 1)'s first pixel comes before window (2, 0)'s last.
    const windows = latticeWindows(8, 8, replicaOffsets(3, 2), pool(3, 3, 1));
    expect(windows.slice(0, 4).map((w) => [w.py, w.px])).toEqual([[0, 0], [1, 0], [2, 0], [0, 1]]);
    expect(windows[1].first).toBeLessThan(windows[0].first);
    expect(windows[3].first).toBeLessThan(windows[2].last);
    // Windows of one pooled row are never open together there; on 6x6 with 5 replicas (3x3 windows every 2) they are.
    expect(latticePoolColumns(8, 8, replicaOffsets(3, 2), pool(3, 3, 1))).toBe(1);
    expect(latticePoolColumns(6, 6, replicaOffsets(5, 2), pool(3, 2))).toBe(2);
  });

  it('sends equal blocks of the pooled plane in its column order', () => {
    // 3 replicas, dW 2: 3x3 windows padded by 1 on 8x8, one pooled pixel per block that completes any.
    expect(pooledPerBlock(8, 8, ragged(3, 2), [pool(3, 3, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // 5 replicas, dW 2: 2x2 windows padded by 1 on 3x3, a column of two pooled pixels.
    expect(pooledPerBlock(3, 3, ragged(5, 2), [pool(2, 2, 1)])).toEqual({ pixels: 2, rows: 2, cols: 1 });
    // Overlapping windows: 3x3 every 2 on 6x6.
    expect(pooledPerBlock(6, 6, ragged(5, 2), [pool(3, 2)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });

  it('refuses uneven or out-of-order blocks and a pixel ending two windows; gathers column parts in one core', () => {
    const uneven = { reason: 'ragged blocks that complete pooled pixels other than as equal blocks of the pooled plane in its column order' };
    // 3 replicas, dW 2, 2x2 windows on 6x6: blocks complete one or two pooled pixels.
    expect(pooledPerBlock(6, 6, ragged(3, 2), [pool(2)])).toEqual(uneven);
    // 2x2 windows every pixel: a pixel of the lattice's short column is the last of two windows.
    expect(pooledPerBlock(6, 6, ragged(3, 2), [pool(2, 1)])).toEqual({ reason: 'ragged blocks in which one pixel completes two pool windows' });
    // A chain of pools: the second pool's windows over the first's pixels, in the order the core completes them.
    expect(pooledPerBlock(8, 8, ragged(3, 2), [pool(3, 3, 1), pool(2, 2, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    expect(pooledPerBlock(12, 12, ragged(5, 2), [pool(2), pool(3, 2, 1)])).toEqual(uneven);
    // In column parts a window spans several parts' replicas: one core gathers them (test/verify/blockPool.test.ts).
    expect(replicatedPoolRule({ convHeight: 6, convWidth: 6, block: ragged(5, 2), pools: [pool(3, 2)], colParts: 2, outChannels: 4 })).toEqual({
      pixels: 1,
      rows: 1,
      cols: 1,
      gathered: true,
    });
  });
});

describe('a max pool in ragged blocks of 3 replicas (dW 2), an average pool of its pixels in ragged blocks of 5 replicas (dW 2) as the output (RTL)', () => {
  const p = prepare('test/verify/fixtures/ragged-pool.imc');

  it('pools on the lattice and sends the pooled blocks its consumer and the testbench take', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 3, 2],
      ['c2', 5, 2],
    ]);
    // c1: one pooled pixel of 4 channels per valid; c2 writes them one at a time.
    expect(neuronParametersOf(p.files, 'ragged_pool_c00')).toMatchObject({ LATTICE: 1, POOL: 1, POOL_BY_POSITION: 1, OUT_WIDTH: 4, POOL_COLUMNS: 1 });
    expect(controllerParametersOf(p.files, 'ragged_pool_c01')).toMatchObject({ BLOCK_TABLE: 1, IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    expect(p.program.memory.cores.find((c) => c.core === 'c01')!.params.arrivalBlock).toEqual({ rows: 1, cols: 1 });
    // c2: columns of two pooled pixels, the output's blocks (not the lattice's).
    expect(neuronParametersOf(p.files, 'ragged_pool_c01')).toMatchObject({ LATTICE: 1, POOL: 2, POOL_BY_POSITION: 1, OUT_WIDTH: 8 });
    const tb = p.files.find((f) => f.path === 'tb/ragged_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 2;');
    expect(tb).not.toContain('OUT_ORIGINS');
  });

  lintAndVerifyTests(p, 800);

  twoImagePoolTest(p, { c1: 36, c2: 16 });

  it('fails at c1 when a window starts at its top-left pixel instead of the first of its pixels computed (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_neuron.v', (t) =>
      t.replace("assign window_first = (seen == 32'd0);", 'assign window_first = ((wy == ZERO) || (pixel_y == ZERO)) && ((wx == ZERO) || (pixel_x == ZERO));'),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a chain of pools in ragged blocks of 3 replicas (dW 2) (RTL)', () => {
  const p = prepare('test/verify/fixtures/ragged-pool-chain.imc');

  it('pools on the lattice in stages that count each window\'s pixels', () => {
    expect(neuronParametersOf(p.files, 'ragged_pool_chain_c00')).toMatchObject({ LATTICE: 1, POOL: 0, POOL_CHAIN: 1, POOL_BY_POSITION: 0, OUT_WIDTH: 4 });
    expect(poolStageParametersOf(p.files, 'ragged_pool_chain_c00')).toMatchObject([
      { KIND: 1, IN_H: 8, POOL_H: 3, PAD_TOP: 1, POOLED_H: 3, BY_POSITION: 1, POOL_COLUMNS: 1 },
      { KIND: 2, IN_H: 3, POOL_H: 2, PAD_TOP: 1, POOLED_H: 2, RELU_IN: 1, BY_POSITION: 1, POOL_COLUMNS: 1 },
    ]);
    expect(controllerParametersOf(p.files, 'ragged_pool_chain_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintAndVerifyTests(p, 700);

  twoImagePoolTest(p, { c1: 16 });

  it('fails at c1 when a stage\'s window starts at its top-left pixel instead of the first of its pixels seen (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool.v', (t) =>
      t.replace("wire        window_first = (seen == 32'd0);", 'wire        window_first = (ty - top == ((top < A_PAD_TOP) ? A_PAD_TOP - top : 0)) && (tx - left == ((left < A_PAD_LEFT) ? A_PAD_LEFT - left : 0));'),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});
