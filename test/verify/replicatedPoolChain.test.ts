// Chains of pool stages in replicated layers (IMC112 before, src/mapping/replicatedPool.ts): a pool whose stride
// differs from its size, and two pools, run as the wrapper's static stages; the replicated neuron core streams each
// replica's pixel with the layer's channels, column-major, and sends the pooled pixels a block completes together.
// Method-1 edge blocks keep that order (their idle pixels, past the plane's last row, carry no emit flag and enter
// no stage).
import { describe, expect, it } from 'vitest';
import { chainPoolColumns, chainWindows, pooledPerBlock } from '../../src/mapping/replicatedPool.js';
import { uniformPadding } from '../../src/ir/padding.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { controllerParametersOf, lintAndVerifyTests, lintTest, neuronParametersOf, poolStageParametersOf, prepare, TEST_CACHE, twoImagePoolTest, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

const pool = (size: number, stride = size, pad = 0) => ({ height: size, width: size, stride, padding: uniformPadding(pad) });

describe('pooled pixels per block through a chain of pools', () => {
  it('counts the last pool\'s windows by the conv row that completes them', () => {
    // 3x3 every 2 padded by 1 on 8 rows: windows end at rows 1, 3, 5, 7, two per block of 4.
    expect(pooledPerBlock(8, 8, { rows: 4, cols: 1 }, [pool(3, 2, 1)])).toEqual({ pixels: 2, rows: 2, cols: 1 });
    // 2x2 windows (ends 1, 3), then a global average over the 2x2 pooled plane: it ends at conv row 3.
    expect(pooledPerBlock(4, 4, { rows: 2, cols: 1 }, [pool(2), { height: 2, width: 2, stride: 2, padding: uniformPadding(0) }])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // 2x2 windows every pixel on 4 rows end at rows 1, 2, 3: blocks of 2 complete 1 or 2.
    expect(pooledPerBlock(4, 4, { rows: 2, cols: 1 }, [pool(2, 1)])).toEqual({ reason: 'blocks of 2 rows that complete 1 or 2 pooled rows' });
    // Then 2x2 windows of those (ends at pooled rows 1, 2, so conv rows 2, 3): both in block 1.
    expect(pooledPerBlock(4, 4, { rows: 2, cols: 1 }, [pool(2, 1), pool(2, 1)])).toEqual({ pixels: 2, rows: 2, cols: 1 });
    // Edge blocks (3 rows on a 7-row plane): 3x3 every 2 padded by 1 (ends 1, 3, 5, 6), then 2x2 (ends 3, 6).
    expect(pooledPerBlock(7, 8, { rows: 3, cols: 1 }, [pool(3, 2, 1), pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });
});

describe('the windows of a chain of pools in method-2 blocks, in the order the core completes them', () => {
  it('follows each pool\'s pixels from the last pixel of its window', () => {
    // 2x4 blocks on 8x12, 2x2 windows: block 0 computes conv pixels 0..7 column by column and completes pooled
    // pixels (0, 0) and (0, 1), one after the other; then a 3x3 pool every 2 padded by 1 over the 4x6 pooled plane.
    const [first, second] = chainWindows(8, 12, { rows: 2, cols: 4 }, [pool(2), pool(3, 2, 1)]);
    expect(first.slice(0, 2)).toEqual([
      { py: 0, px: 0, first: 0, last: 3, block: 0 },
      { py: 1, px: 0, first: 8, last: 11, block: 1 },
    ]);
    expect(first.find((w) => w.py === 0 && w.px === 1)).toEqual({ py: 0, px: 1, first: 4, last: 7, block: 0 });
    // The second pool's window (0, 0) covers pooled rows and columns 0..1: the last is pixel (1, 1), in block 1.
    expect(second[0]).toEqual({ py: 0, px: 0, first: 3, last: 15, block: 1 });
    // Its window columns 0 and 1 share pooled column 1: both are open while block 1 is computed.
    expect(chainPoolColumns(8, 12, { rows: 2, cols: 4 }, [pool(2), pool(3, 2, 1)])).toEqual([1, 2]);
  });
});

describe('a strided overlapping pool and two pools in replicated cores (RTL)', () => {
  const p = prepare('test/verify/fixtures/replicated-pool-chain.imc');

  it('chains stages of the layer\'s channels behind the replicated neuron cores', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.colParts])).toEqual([
      ['c1', 4, 1],
      ['c2', 2, 1],
    ]);
    expect(neuronParametersOf(p.files, 'replicated_pool_chain_c00')).toMatchObject({ REPLICATED: 1, POOL: 0, POOL_CHAIN: 1, COLS: 16, CHANNELS: 4, OUT_WIDTH: 8, EMIT_BITS: 2 });
    expect(poolStageParametersOf(p.files, 'replicated_pool_chain_c00')).toMatchObject([{ COLS: 4, CH_BITS: 4, IN_H: 8, POOL_H: 3, STRIDE_Y: 2, POOLED_H: 4 }]);
    expect(neuronParametersOf(p.files, 'replicated_pool_chain_c01')).toMatchObject({ REPLICATED: 1, POOL_CHAIN: 1, COLS: 12, CHANNELS: 6, OUT_WIDTH: 6 });
    expect(poolStageParametersOf(p.files, 'replicated_pool_chain_c01')).toMatchObject([
      { COLS: 6, KIND: 2, IN_H: 4, POOLED_H: 2 },
      { COLS: 6, KIND: 2, IN_H: 2, POOLED_H: 1, RELU_IN: 1 },
    ]);
    // c2 takes c1's two pooled pixels of a block together.
    expect(controllerParametersOf(p.files, 'replicated_pool_chain_c01')).toMatchObject({ IN_BLOCK_H: 2, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  it('verifies bit-exact on two images, with non-zero pooled activations from both layers', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const layer = (name: string) => result.coverage.find((c) => c.layer === name)!;
    // 4x4x4 and 6x1x1 pooled activations per image.
    expect(['c1', 'c2'].map((name) => layer(name).activations)).toEqual([2 * 64, 2 * 6]);
    for (const name of ['c1', 'c2']) expect(layer(name).nonZero).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c1 when the core streams its column index as the channel (a replica\'s pixel read as another channel)', async () => {
    const module = p.files.find((f) => f.path === 'rtl/imcc_neuron.v')!;
    const stream = '(REPLICATED != 0) ? oc_flat[CH_BITS-1:0] : ch_q';
    expect(module.content.split(stream)).toHaveLength(2);
    const files = p.files.map((f) => (f === module ? { ...f, content: module.content.replace(stream, 'ch_q') } : f));
    const result = await verifyRtlDirectory(writeFiles(files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c1' });
  }, 300_000);
});

describe('a chain of pools in a replicated layer with edge blocks (RTL)', () => {
  const p = prepare('test/verify/fixtures/edge-pool-chain.imc');

  it('streams the in-plane pixels through the stages', () => {
    expect(neuronParametersOf(p.files, 'edge_pool_chain_c00')).toMatchObject({ REPLICATED: 1, EDGE_BLOCKS: 1, POOL: 0, POOL_CHAIN: 1, POOL_BY_POSITION: 0, OUT_WIDTH: 4 });
    expect(poolStageParametersOf(p.files, 'edge_pool_chain_c00')).toMatchObject([
      { KIND: 1, IN_H: 7, POOL_H: 3, STRIDE_Y: 2, POOLED_H: 4 },
      { KIND: 2, IN_H: 4, POOLED_H: 2, RELU_IN: 1 },
    ]);
    expect(controllerParametersOf(p.files, 'edge_pool_chain_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintAndVerifyTests(p, 600);

  twoImagePoolTest(p, { c1: 16 });

  it('fails when the stages count the idle pixels as rows: c1 sends no pooled pixel, c2 stalls for it (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool.v', (t) => t.replace('wire          row_next = busy && in_emit && (ch == LAST_CH);', 'wire          row_next = busy && (ch == LAST_CH);'));
    expect(result.pass).toBe(false);
    expect(result.coverage.find((c) => c.layer === 'c1')).toMatchObject({ core: 'c00', activations: 0 });
    expect(result.mismatches).toBeGreaterThan(1);
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c01', layer: 'c2' });
    expect(result.firstMismatch!.what).toContain('stalled waiting for input');
  }, 300_000);
});

describe('chains of pools in method-2 layers: two pools in 2x4 blocks, an overlapping pool and a global average pool in 1x3 blocks as the output (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-pool-chain.imc');

  it('pools by position in stages that keep the window columns open at once', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.colParts])).toEqual([
      ['c1', 8, 4, 1],
      ['c2', 3, 3, 1],
    ]);
    expect(neuronParametersOf(p.files, 'block_pool_chain_c00')).toMatchObject({ REPLICATED: 1, BLOCK_H: 2, BLOCK_W: 4, POOL: 0, POOL_CHAIN: 1, POOL_BY_POSITION: 0, OUT_WIDTH: 4 });
    // The first pool's windows close one after the other; the second's two columns are open at once.
    expect(poolStageParametersOf(p.files, 'block_pool_chain_c00')).toMatchObject([
      { KIND: 1, IN_H: 8, IN_W: 12, POOL_H: 2, STRIDE_Y: 2, POOLED_H: 4, POOLED_W: 6, BY_POSITION: 1, POOL_COLUMNS: 1 },
      { KIND: 2, IN_H: 4, IN_W: 6, POOL_H: 3, STRIDE_Y: 2, PAD_TOP: 1, POOLED_H: 2, POOLED_W: 3, RELU_IN: 1, BY_POSITION: 1, POOL_COLUMNS: 2 },
    ]);
    expect(controllerParametersOf(p.files, 'block_pool_chain_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    // c2: 2x2 windows every pixel (two window columns open in a block), then one window over the 1x2 pooled plane.
    expect(poolStageParametersOf(p.files, 'block_pool_chain_c01')).toMatchObject([
      { KIND: 1, IN_H: 2, IN_W: 3, POOL_H: 2, STRIDE_Y: 1, POOLED_H: 1, POOLED_W: 2, BY_POSITION: 1, POOL_COLUMNS: 2 },
      { KIND: 2, IN_H: 1, IN_W: 2, POOLED_H: 1, POOLED_W: 1, BY_POSITION: 1, POOL_COLUMNS: 1 },
    ]);
  });

  lintAndVerifyTests(p, 100);

  twoImagePoolTest(p, { c1: 24, c2: 4 });

  it('fails when the stages walk the windows in column order: c1 sends no pooled pixel, c2 stalls for it (fault check)', async () => {
    const result = await verifyEdited(p, 'block_pool_chain_c00.v', (t) => t.replaceAll(/(\.BY_POSITION\s+)\(1\)/g, '$1(0)'));
    expect(result.pass).toBe(false);
    expect(result.coverage.find((c) => c.layer === 'c1')).toMatchObject({ core: 'c00', activations: 0 });
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c01', layer: 'c2' });
    expect(result.firstMismatch!.what).toContain('stalled waiting for input');
  }, 300_000);

  it('fails at c1 when the second stage keeps one window column (fault check)', async () => {
    const result = await verifyEdited(p, 'block_pool_chain_c00.v', (t) => t.replace(/(\) u_pool1 \([\s\S]*?\.POOL_COLUMNS\s+)\(2\)/, '$1(1)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a chain of pools in a method-2 layer with edge blocks (RTL)', () => {
  const p = prepare('test/verify/fixtures/edge-block-pool-chain.imc');

  it('pools the in-plane pixels by position in the stages', () => {
    expect(neuronParametersOf(p.files, 'edge_block_pool_chain_c00')).toMatchObject({ EDGE_BLOCKS: 1, BLOCK_H: 2, BLOCK_W: 2, POOL_CHAIN: 1, OUT_WIDTH: 4 });
    expect(poolStageParametersOf(p.files, 'edge_block_pool_chain_c00')).toMatchObject([
      { KIND: 1, IN_H: 7, POOL_H: 3, STRIDE_Y: 2, POOLED_H: 4, BY_POSITION: 1, POOL_COLUMNS: 2 },
      { KIND: 2, IN_H: 4, POOLED_H: 2, RELU_IN: 1, BY_POSITION: 1, POOL_COLUMNS: 1 },
    ]);
  });

  lintTest(p);

  twoImagePoolTest(p, { c1: 16 }, 1000);

  it('fails at c1 when the idle pixels enter the stages (fault check)', async () => {
    const stream = 'assign stream_o = { busy_q, stream_ch, pixel_in_plane, pixel_y, pixel_x, activated };';
    const result = await verifyEdited(p, 'imcc_neuron.v', (t) => t.replace(stream, "assign stream_o = { busy_q, stream_ch, 1'b1, pixel_y, pixel_x, activated };"));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a chain of pools in a replicated layer split in column parts (RTL)', () => {
  const p = prepare('test/verify/fixtures/split-pool-chain.imc');

  it('gives each part stages that pool its own replicas\' pixels by position, and a share of the pooled pixels', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.colParts])).toEqual([
      ['c1', 8, 2],
      ['c2', 1, 1],
    ]);
    for (const [core, first] of [['c00', 0], ['c01', 4]] as const) {
      expect(neuronParametersOf(p.files, `split_pool_chain_${core}`)).toMatchObject({ POOL_CHAIN: 1, REP_Y_FIRST: first, OUT_WIDTH: 4 });
      expect(poolStageParametersOf(p.files, `split_pool_chain_${core}`)).toMatchObject([
        { KIND: 1, IN_H: 8, POOLED_H: 4, BY_POSITION: 1 },
        { KIND: 2, IN_H: 4, POOLED_H: 2, RELU_IN: 1, BY_POSITION: 1 },
      ]);
    }
    expect(controllerParametersOf(p.files, 'split_pool_chain_c02')).toMatchObject({ IN_BLOCK_H: 2, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  twoImagePoolTest(p, { c1: 16 }, 1000);

  it('fails when the second part\'s stages walk column order: it sends nothing (fault check)', async () => {
    const result = await verifyEdited(p, 'split_pool_chain_c01.v', (t) => t.replaceAll(/(\.BY_POSITION\s+)\(1\)/g, '$1(0)'));
    expect(result.pass).toBe(false);
    expect(result.coverage.find((c) => c.core === 'c01')).toMatchObject({ layer: 'c1', activations: 0 });
    // (One image: the first part's 4 channels of 2 pooled pixels.)
    expect(result.coverage.find((c) => c.core === 'c00')!.activations).toBe(8);
  }, 300_000);
});
