// Pools fused into method-2 replicated layers, layers with edge blocks and column parts (issue 19, IMC112 before):
// the neuron core pools each pixel where it lies (windows that do not overlap), and a block sends the block of pooled
// pixels it completes, which the consumer (its memory plan and controller) takes as its arriving block
// (src/mapping/replicatedPool.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partShares, pooledPerBlock, replicatedPoolRule } from '../../src/mapping/replicatedPool.js';
import { uniformPadding } from '../../src/ir/padding.js';
import { blockShape } from '../../src/mapping/block.js';
import { replicaOffsets } from '../../src/mapping/kernel.js';
import { rtlStepCycles, verifyRtlDirectory } from '../../src/verify/index.js';
import { controllerParametersOf, lintAndVerifyTests, neuronParametersOf, prepare, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

const pool = (size: number, stride = size, pad = 0) => ({ height: size, width: size, stride, padding: uniformPadding(pad) });

/** Rewrites one parameter of a core's wrapper (`.NAME (value)`), failing when it is not there. */
function setParameter(dir: string, file: string, name: string, from: number, to: number): void {
  const path = join(dir, 'rtl', file);
  const text = readFileSync(path, 'utf8');
  const pattern = new RegExp(`(\\.${name}\\s+\\()${from}\\)`);
  if (!pattern.test(text)) throw new Error(`${file} sets no ${name} of ${from}`);
  writeFileSync(path, text.replace(pattern, `$1${to})`));
}

describe('the block of pooled pixels a method-2 block completes', () => {
  it('is a block of the pooled plane: rows per block row by columns per strip', () => {
    // 2x4 blocks, 2x2 windows: every block completes one pooled row of two pooled columns.
    expect(pooledPerBlock(8, 8, { rows: 2, cols: 4 }, [pool(2)])).toEqual({ pixels: 2, rows: 1, cols: 2 });
    // 3x3 blocks, 2x2 windows padded by 1 on 6x6: windows end at rows (columns) 0, 2, 4, 5, two per block.
    expect(pooledPerBlock(6, 6, { rows: 3, cols: 3 }, [pool(2, 2, 1)])).toEqual({ pixels: 4, rows: 2, cols: 2 });
    // 1x2 blocks, 3x3 windows: windows end at columns 2, 5, 8, 11, one in every strip that completes any.
    expect(pooledPerBlock(12, 12, { rows: 1, cols: 2 }, [pool(3)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // A global average pool: one window, completed by the last block.
    expect(pooledPerBlock(4, 6, { rows: 2, cols: 3 }, [{ height: 4, width: 6, stride: 4, padding: uniformPadding(0) }])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });

  it('sends equal blocks of overlapping windows and chains of pools, not of windows that end together or uneven strips (those queue)', () => {
    // Overlapping windows: 3x3 every 2 padded by 1 end at rows (columns) 1, 3, 5, 7, one per block.
    expect(pooledPerBlock(8, 8, { rows: 2, cols: 2 }, [pool(3, 2, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // Windows that end together (3x3 every 1 padded by 1: the last two end at the plane's last row).
    expect(pooledPerBlock(8, 8, { rows: 2, cols: 2 }, [pool(3, 1, 1)])).toEqual({ reason: 'two pool windows that end at the same row or column' });
    // Two 2x2 pools (stages that pool by position, test/verify/replicatedPoolChain.test.ts): every second block row
    // and strip completes one pixel of the second.
    expect(pooledPerBlock(8, 8, { rows: 2, cols: 2 }, [pool(2), pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // 3x3 windows on 12 columns in strips of 4: columns 2, 5, 8, 11 end in strips 0, 1, 2, 2.
    expect(pooledPerBlock(12, 12, { rows: 3, cols: 4 }, [pool(3)])).toEqual({ reason: 'blocks 4 columns wide that complete 1 or 2 pooled columns' });
  });

  it('accepts edge blocks whose windows end evenly: their idle replicas join no window', () => {
    // 1x2 blocks on 7 columns, 3x3 windows padded by 1: windows end at columns 1, 4, 6, one in strips 0, 2, 3.
    expect(pooledPerBlock(7, 7, { rows: 1, cols: 2 }, [pool(3, 3, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // 2x2 windows padded by 1 on 3 rows in columns of 2: windows end at rows 0 and 2.
    expect(pooledPerBlock(3, 3, { rows: 2, cols: 1 }, [pool(2, 2, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });
});

describe('max, average and global average pools in method-2 blocks, the last the network output (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-pool.imc');

  it('sends a 1x2 block of c1\'s pooled pixels per valid, which c2 writes as its arriving block', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 8, 4],
      ['c2', 4, 2],
      ['c3', 4, 2],
    ]);
    // Two pooled pixels x 4 channels per valid; one strip of 4 columns touches two window columns.
    expect(neuronParametersOf(p.files, 'block_pool_c00')).toMatchObject({ REPLICATED: 1, POOL: 1, BLOCK_H: 2, BLOCK_W: 4, OUT_WIDTH: 8, POOL_COLUMNS: 2, EMIT_BITS: 2 });
    expect(controllerParametersOf(p.files, 'block_pool_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 2 });
    expect(p.program.memory.cores.find((c) => c.core === 'c01')!.params.arrivalBlock).toEqual({ rows: 1, cols: 2 });
    expect(controllerParametersOf(p.files, 'block_pool_c02')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    const tb = p.files.find((f) => f.path === 'tb/block_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 1;');
  });

  lintAndVerifyTests(p, 600);

  it('verifies on two images with non-zero and saturated pooled activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => ['c1', 'c2', 'c3'].includes(c.layer));
    // 4x4x4, 4x2x2 and 6x1x1 pooled activations per image.
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([64, 16, 6]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
    expect(pooling[0].saturated).toBeGreaterThan(0);
  }, 300_000);

  it('fails when c2 takes the pooled pixels as a column of a method-1 producer (fault check)', async () => {
    const dir = writeFiles(p.files);
    setParameter(dir, 'block_pool_c01.v', 'IN_BLOCK_H', 1, 2);
    setParameter(dir, 'block_pool_c01.v', 'IN_BLOCK_W', 2, 1);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c2' });
  }, 300_000);
});

describe('windows spanning several blocks and strips, and a padded pool completing the whole plane in one block (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-pool-padded.imc');

  it('keeps two window columns for c1 and sends c2\'s nine pooled pixels together', () => {
    expect(neuronParametersOf(p.files, 'block_pool_padded_c00')).toMatchObject({ BLOCK_H: 1, BLOCK_W: 2, POOL: 2, POOL_H: 3, POOL_COLUMNS: 2, OUT_WIDTH: 4 });
    const c2 = p.mapping.layers.find((l) => l.layer === 'c2')!;
    expect([c2.matrix.replicas.length, c2.rowParts]).toEqual([16, 3]);
    const accumulating = p.mapping.cores.find((c) => c.layer === 'c2' && c.role === 'accumulate')!.id;
    expect(neuronParametersOf(p.files, `block_pool_padded_${accumulating}`)).toMatchObject({ POOL: 1, POOL_PAD_TOP: 1, POOL_PAD_LEFT: 1, POOLED_H: 3, OUT_WIDTH: 36 });
    const tb = p.files.find((f) => f.path === 'tb/block_pool_padded_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 9;');
    expect(tb).toContain('static const int OUT_BLOCK_W = 3;');
  });

  lintAndVerifyTests(p, 1500);

  it('fails when c1 keeps one window column, so a strip\'s second window overwrites the first (fault check)', async () => {
    const dir = writeFiles(p.files);
    setParameter(dir, 'block_pool_padded_c00.v', 'POOL_COLUMNS', 2, 1);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1', kind: 'activation' });
  }, 300_000);
});

describe('pools in edge blocks: a padded max pool in 1x2 blocks on 7 columns and a padded average pool in columns of 2 on 3 rows (RTL)', () => {
  const p = prepare('test/verify/fixtures/edge-pool.imc');

  it('pools both layers by position', () => {
    expect(neuronParametersOf(p.files, 'edge_pool_c00')).toMatchObject({ BLOCK_W: 2, EDGE_BLOCKS: 1, POOL: 1, POOL_COLUMNS: 2, POOLED_W: 3 });
    expect(neuronParametersOf(p.files, 'edge_pool_c01')).toMatchObject({ BLOCK_H: 2, BLOCK_W: 1, EDGE_BLOCKS: 1, POOL: 2, POOL_COLUMNS: 1, POOLED_H: 2 });
  });

  lintAndVerifyTests(p, 600);

  it('fails when an idle replica joins the padded window it lies in (fault check)', async () => {
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl', 'imcc_neuron.v');
    const text = readFileSync(path, 'utf8');
    const gate = ' && (px < WINDOWS_W) && pixel_in_plane;';
    expect(text).toContain(gate);
    writeFileSync(path, text.replace(gate, ' && (px < WINDOWS_W);'));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1', kind: 'activation' });
  }, 300_000);
});

describe('column parts of a pooled replicated layer', () => {
  it('each pool their own replicas\' windows when the parts hold whole replicas and whole windows', () => {
    // 4 replicas in columns of 4, 4 channels, two parts of 8 columns: windows of replicas {0, 1} and {2, 3}.
    expect(partShares(8, 8, { rows: 4, cols: 1 }, pool(2), 4, 2)).toEqual([1, 1]);
    // 2x4 blocks, two parts of 4 replicas (block columns 0-1 and 2-3): one pooled column each.
    expect(partShares(4, 4, { rows: 2, cols: 4 }, pool(2), 2, 2)).toEqual([1, 1]);
    const rule = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 4, cols: 1 }, pools: [pool(2)], colParts: 2, outChannels: 4 });
    expect(rule).toEqual({ pixels: 2, rows: 2, cols: 1, partPixels: [1, 1] });
  });

  it('gathers parts that start inside a replica or hold part of a window (of any pool of a chain) in one core', () => {
    // 3 channels x 4 replicas in three parts of 4 columns: replicas 1 and 2 are split.
    expect(partShares(8, 8, { rows: 4, cols: 1 }, pool(2), 3, 3)).toEqual({ reason: 'column parts that start inside a replica' });
    // 2x2 blocks, parts of replicas {0, 1} and {2, 3}: every window holds both block columns.
    expect(partShares(8, 8, { rows: 2, cols: 2 }, pool(2), 4, 2)).toEqual({ reason: 'column parts that each hold part of a window' });
    // Two 2x2 pools in columns of 4, parts of rows 0-1 and 2-3: the second pool's windows take a pixel of each part,
    // so one core gathers the block and sends its pooled pixels.
    const chain = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 4, cols: 1 }, pools: [pool(2), pool(2)], colParts: 2, outChannels: 4 });
    expect(chain).toEqual({ pixels: 1, rows: 1, cols: 1, gathered: true });
    // In columns of 8 (parts of rows 0-3 and 4-7) both pools' windows lie in one part: a pooled pixel from each.
    const whole = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 8, cols: 1 }, pools: [pool(2), pool(2)], colParts: 2, outChannels: 4 });
    expect(whole).toEqual({ pixels: 2, rows: 2, cols: 1, partPixels: [1, 1] });
    // Overlapping windows (of a chain too) and ragged blocks are gathered.
    const overlapping = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 8, cols: 1 }, pools: [pool(2), pool(3, 2, 1)], colParts: 2, outChannels: 4 });
    expect(overlapping).toEqual({ pixels: 2, rows: 2, cols: 1, gathered: true });
    const ragged = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: blockShape(replicaOffsets(3, 2)), pools: [pool(3, 3, 1)], colParts: 3, outChannels: 4 });
    expect(ragged).toEqual({ pixels: 1, rows: 1, cols: 1, gathered: true });
  });

  it('gathers parts whose pools must queue, and queues them as an unsplit layer does', () => {
    // One pool whose windows end unevenly in method-2 blocks: pooled by position, sent by a queue in the last core.
    const uneven = replicatedPoolRule({ convHeight: 12, convWidth: 12, block: { rows: 3, cols: 4 }, pools: [pool(3)], colParts: 2, outChannels: 4 });
    expect(uneven).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0], gathered: true });
    // Random seed 312: 3x3/1 windows padded by 1 (ending together) in columns of 4 in two parts: the block walk queues.
    const together = replicatedPoolRule({ convHeight: 4, convWidth: 3, block: { rows: 4, cols: 1 }, pools: [pool(3, 1, 1)], colParts: 2, outChannels: 12 });
    expect(together).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0], gathered: true });
    // One pool whose windows end together in method-2 blocks: pooled by position (every window a pixel ends), queued.
    const block = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 2, cols: 2 }, pools: [pool(3, 1, 1)], colParts: 2, outChannels: 4 });
    expect(block).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0], gathered: true });
    // A chain whose first pool's windows end together in method-2 blocks: pooled by position in stages, queued.
    const chain = replicatedPoolRule({ convHeight: 8, convWidth: 8, block: { rows: 2, cols: 2 }, pools: [pool(3, 1, 1), pool(2)], colParts: 2, outChannels: 4 });
    expect(chain).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [1], gathered: true });
    // An uneven pool in method-1 columns split in two parts: gathered and queued too.
    const columns = replicatedPoolRule({ convHeight: 12, convWidth: 12, block: { rows: 4, cols: 1 }, pools: [pool(3)], colParts: 2, outChannels: 3 });
    expect(columns).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0], gathered: true });
  });
});

describe('pools in column parts: a max pool in columns of 4 and an average pool in 2x4 blocks, each in two parts (RTL)', () => {
  const p = prepare('test/verify/fixtures/split-pool.imc');

  it('sends each part\'s share of the block\'s pooled pixels', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.rowParts, l.colParts])).toEqual([
      ['c1', 1, 2],
      ['c2', 2, 2],
    ]);
    // c1's parts: replicas 0-1 and 2-3, one pooled pixel x 4 channels each.
    expect(neuronParametersOf(p.files, 'split_pool_c00')).toMatchObject({ POOL_BY_POSITION: 1, REP_Y_FIRST: 0, OUT_WIDTH: 4 });
    expect(neuronParametersOf(p.files, 'split_pool_c01')).toMatchObject({ POOL_BY_POSITION: 1, REP_Y_FIRST: 2, OUT_WIDTH: 4 });
    // c2 reads c1's two pooled rows per arrival; the output is c2's 1x2 blocks.
    const c2 = p.mapping.cores.filter((c) => c.layer === 'c2').map((c) => c.id);
    for (const id of c2) expect(controllerParametersOf(p.files, `split_pool_${id}`)).toMatchObject({ IN_BLOCK_H: 2, IN_BLOCK_W: 1 });
    const tb = p.files.find((f) => f.path === 'tb/split_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 2;');
  });

  lintAndVerifyTests(p, 1000);

  it('fails when a part walks the plane with the column-order window counters (fault check)', async () => {
    const dir = writeFiles(p.files);
    setParameter(dir, 'split_pool_c01.v', 'POOL_BY_POSITION', 1, 0);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c1' });
  }, 300_000);
});

describe('parts gathered in one core: a 2x2 max pool over two column parts, a 3x3/2 average pool over 2 x 4 parts (RTL)', () => {
  const p = prepare('test/verify/fixtures/gathered-pool.imc');

  it('makes the other parts partial cores of the last, whose neuron core pools the whole block', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.rowParts, l.colParts])).toEqual([
      ['c1', 1, 2],
      ['c2', 2, 4],
    ]);
    expect(p.mapping.cores.filter((c) => c.role === 'accumulate').map((c) => c.id)).toEqual(['c01', 'c09']);
    // Each part sends its 4 columns' 10-bit codes per crossbar operation; only the last part sends activations on.
    const partialSums = p.mapping.links.filter((l) => l.kind === 'partial-sum');
    expect(partialSums.map((l) => `${l.from}>${l.to}`)).toEqual(['c00>c01', 'c02>c09', 'c03>c09', 'c04>c09', 'c05>c09', 'c06>c09', 'c07>c09', 'c08>c09']);
    expect(partialSums.every((l) => l.bitsPerTransfer === 40)).toBe(true);
    const c2 = p.mapping.layers[1].cores;
    expect(new Set(p.mapping.links.filter((l) => l.kind === 'feedforward' && c2.includes(l.to)).map((l) => l.from))).toEqual(new Set(['c01']));
    // The gathering cores walk all of their layer's columns (from replica 0), add c2's first row part's codes to its
    // second's, and send a whole block's pooled pixels.
    expect(neuronParametersOf(p.files, 'gathered_pool_c01')).toMatchObject({ COLS: 8, PARTS: 0, REP_Y_FIRST: 0, OUT_WIDTH: 4, POOL_BY_POSITION: 0 });
    expect(neuronParametersOf(p.files, 'gathered_pool_c09')).toMatchObject({ COLS: 16, PARTS: 1, REP_Y_FIRST: 0, OUT_WIDTH: 4, POOL_BY_POSITION: 1 });
    // verify's cycle cap counts the gathering core's 16 columns a step, a partial core's reads only.
    const reads = (id: string) => p.plan.cores.find((c) => c.core === id)!.readCyclesPerTimestep;
    expect(rtlStepCycles(p.program).get('c09')).toBe(reads('c09') + 16);
    expect(rtlStepCycles(p.program).get('c02')).toBe(reads('c02'));
  });

  lintAndVerifyTests(p, 200);

  it('verifies on two images, the gathering cores emitting every pooled pixel, non-zero ones among them', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const emitting = result.coverage.filter((c) => c.activations > 0);
    // 4x4x4 and 2x2x4 pooled activations per image.
    expect(emitting.map((c) => [c.core, c.activations / 2])).toEqual([
      ['c01', 64],
      ['c09', 16],
    ]);
    for (const c of emitting) expect(c.nonZero, c.core).toBeGreaterThan(0);
  }, 300_000);

  it('fails when the gathering core swaps two column parts\' codes (fault check)', async () => {
    const result = await verifyEdited(p, 'gathered_pool_c09.v', (text) => text.replace('{ xbar_y, psum_i[279:240],', '{ psum_i[279:240], xbar_y,'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c09', layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('overlapping windows pooled by position: a 3x3/2 max pool padded by 1 after a 7x7/2 stem in 2x2 blocks, a 2x2/1 average pool in edge blocks (RTL)', () => {
  const p = prepare('test/verify/fixtures/stem-block-pool.imc');

  it('lets a pixel join up to four windows', () => {
    const accumulating = p.mapping.cores.find((c) => c.layer === 'c1' && c.role === 'accumulate')!.id;
    expect(neuronParametersOf(p.files, `stem_block_pool_${accumulating}`)).toMatchObject({ POOL_BY_POSITION: 1, POOL_H: 3, POOL_STRIDE_H: 2, POOL_STRIDE_W: 2, POOL_COLUMNS: 2 });
    const c2 = p.mapping.cores.find((c) => c.layer === 'c2')!.id;
    expect(neuronParametersOf(p.files, `stem_block_pool_${c2}`)).toMatchObject({ POOL_BY_POSITION: 1, EDGE_BLOCKS: 1, POOL: 2, POOL_STRIDE_W: 1 });
  });

  lintAndVerifyTests(p, 1500);

  it('fails when a pixel joins only the last window that starts before it (fault check)', async () => {
    const dir = writeFiles(p.files);
    const accumulating = p.mapping.cores.find((c) => c.layer === 'c1' && c.role === 'accumulate')!.id;
    setParameter(dir, `stem_block_pool_${accumulating}.v`, 'POOL_STRIDE_W', 2, 3);
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: accumulating, layer: 'c1' });
  }, 300_000);
});

describe('integrate-and-fire neurons before and after a pool in method-2 blocks (4 timesteps)', () => {
  const p = prepare('test/verify/fixtures/spiking-block-pool.imc');

  it('plans c1\'s membranes on its 8x8 conv plane and c2\'s on its 2x2 pooled plane', () => {
    expect(neuronParametersOf(p.files, 'spiking_block_pool_c00')).toMatchObject({ BLOCK_W: 2, POOL: 1, THRESHOLD: 2, THRESHOLD_AFTER_POOL: 0, OUT_WIDTH: 4, IF_ENTRIES: 256, IF_PLANE_H: 8 });
    expect(neuronParametersOf(p.files, 'spiking_block_pool_c01')).toMatchObject({ BLOCK_W: 2, POOL: 2, THRESHOLD: 2, THRESHOLD_AFTER_POOL: 1, OUT_WIDTH: 4, IF_ENTRIES: 16, IF_PLANE_H: 2 });
  });

  lintAndVerifyTests(p, 2000);
});
