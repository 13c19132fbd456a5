// Pools in replicated layers (issue 19, IMC112 before): a replicated neuron core walks its block's pixels y fastest
// through the window counters and sends the pooled pixels a block completes together (src/mapping/replicatedPool.ts);
// a method-1 core whose blocks end windows unevenly or together queues them and sends one per timestep (in column
// parts too: the last core gathers the parts' codes and queues).
import { describe, expect, it } from 'vitest';
import { pooledPerBlock, queuedPools, replicatedPoolRule } from '../../src/mapping/replicatedPool.js';
import { uniformPadding } from '../../src/ir/padding.js';
import { blockShape } from '../../src/mapping/block.js';
import { replicaOffsets } from '../../src/mapping/kernel.js';
import { poolQueueSlots } from '../../src/emit/rtl/poolWindows.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { controllerParametersOf, coreModuleFile, lintTest, memLines, neuronParametersOf, poolQueueParametersOf, poolStageParametersOf, prepare, prepareVariant, TEST_CACHE, twoImagePoolTest, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

const pool = (size: number, stride = size, pad = 0) => ({ height: size, width: size, stride, padding: uniformPadding(pad) });

describe('pooled pixels per block of a replicated layer', () => {
  it('counts the windows each block completes', () => {
    // Columns of 4 on 8 rows, 2x2 windows: every block at an odd column completes two.
    expect(pooledPerBlock(8, 8, { rows: 4, cols: 1 }, [pool(2)])).toEqual({ pixels: 2, rows: 2, cols: 1 });
    // Columns of 2, 4x4 windows: every second block completes one.
    expect(pooledPerBlock(8, 8, { rows: 2, cols: 1 }, [pool(4)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // A global average pool completes one pixel, in the last block.
    expect(pooledPerBlock(6, 5, { rows: 3, cols: 1 }, [{ height: 6, width: 5, stride: 6, padding: uniformPadding(0) }])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });

  it('finds no common count when the windows end unevenly in the blocks', () => {
    // 3x3 windows on 12 rows in blocks of 4: rows 2, 5, 8, 11 end in blocks 0, 1, 2, 2.
    expect(pooledPerBlock(12, 12, { rows: 4, cols: 1 }, [pool(3)])).toEqual({ reason: 'blocks of 4 rows that complete 1 or 2 pooled rows' });
  });

  it('counts edge blocks (a plane that is not a whole number of blocks) as blocks completing no pooled pixel', () => {
    // 3 replicas on 7 rows, 2x2 windows: rows 1, 3, 5 end in blocks 0, 1, 1; the third block of a column has one
    // real row. Edge blocks are pooled by position (test/verify/blockPool.test.ts), so their idle replicas join no
    // window, also the membranes of integrate-and-fire neurons.
    expect(pooledPerBlock(7, 7, { rows: 3, cols: 1 }, [pool(2)])).toEqual({ reason: 'blocks of 3 rows that complete 1 or 2 pooled rows' });
    expect(pooledPerBlock(7, 7, { rows: 2, cols: 1 }, [pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // A chain of pools walks the plane in column order, which method-1 edge blocks keep (its stages skip the idle
    // pixels: test/verify/replicatedPoolChain.test.ts).
    expect(pooledPerBlock(7, 7, { rows: 2, cols: 1 }, [pool(2), pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1 });
  });
});

describe('max, average and global average pools in replicated cores, the last the network output (RTL)', () => {
  const p = prepare('test/verify/fixtures/replicated-pool.imc');

  it('sends two pooled pixels of c1 per valid, which c2 writes as 2x1 arrival blocks', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length])).toEqual([
      ['c1', 4],
      ['c2', 2],
      ['c3', 2],
    ]);
    // The static neuron core: two pixels x 4 channels of 4 bits sent per valid; one running window value per output
    // channel and pooled row (4 x 4 entries).
    expect(coreModuleFile(p.files, 'replicated_pool_c00', 'neuron').path).toBe('rtl/imcc_neuron.v');
    expect(neuronParametersOf(p.files, 'replicated_pool_c00')).toMatchObject({ REPLICATED: 1, POOL: 1, OUT_WIDTH: 8, OUT_BITS: 4, CHANNELS: 4, POOLED_H: 4, POOL_INDEX_BITS: 4, EMIT_BITS: 2 });
    expect(controllerParametersOf(p.files, 'replicated_pool_c01')).toMatchObject({ IN_BLOCK_H: 2, IN_BLOCK_W: 1 });
    // The output layer sends its one pooled pixel per valid.
    const tb = p.files.find((f) => f.path === 'tb/replicated_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 1;');
  });

  lintTest(p);

  it('verifies bit-exact on two images, with non-zero and saturated pooled activations from every pooling core', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => ['c1', 'c2', 'c3'].includes(c.layer));
    // 4x4x4, 4x2x2 and 6x1x1 pooled activations per image.
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([64, 16, 6]);
    for (const c of pooling) expect(c.nonZero).toBeGreaterThan(0);
    expect(pooling[0].saturated).toBeGreaterThan(0);
  }, 300_000);
});

describe('pools whose windows end unevenly or together in method-1 and method-2 blocks', () => {
  it('are queued: one pooled pixel per timestep, the last pool or those whose windows end together', () => {
    const rule = (rows: number, cols: number, pools: ReturnType<typeof pool>[]) => replicatedPoolRule({ convHeight: 12, convWidth: 12, block: { rows, cols }, pools, colParts: 1 });
    // 3x3 windows in columns of 4 (1 or 2 pooled rows a block): the pool is queued.
    expect(rule(4, 1, [pool(3)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    // 3x3 windows every pixel padded by 1 end together at the last row: queued, and the 2x2 pool after it a stage.
    expect(rule(2, 1, [pool(3, 1, 1), pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    expect(queuedPools(12, 12, [pool(2), pool(2, 1, 1)])).toEqual([1]);
    // A block of 3 conv rows a timestep ends 4 or 8 of the 16 windows of 2x2/1 padded by 1 on 3x3: the ring holds two
    // images' pixels (one conv pixel a timestep: one image's).
    expect([poolQueueSlots(3, 3, 2, 1, uniformPadding(1)), poolQueueSlots(3, 3, 2, 1, uniformPadding(1), [], 3)]).toEqual([16, 32]);
    // Method-2 blocks pool by position, one pool in the neuron core or a chain in stages (a queue sends the last pool's
    // pixels), also windows that end together: the neuron core or a stage emits every window a pixel ends.
    expect(rule(3, 4, [pool(3)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    expect(rule(3, 4, [pool(3), pool(1)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [1] });
    expect(rule(2, 2, [pool(3, 1, 1)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    expect(rule(2, 2, [pool(3, 1, 1), pool(2)])).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [1] });
    // A chain whose last pool is one window (a global average pool) sends it with the last block, unqueued.
    expect(rule(2, 2, [pool(3, 1, 1), { height: 12, width: 12, stride: 12, padding: uniformPadding(0) }])).toEqual({ pixels: 1, rows: 1, cols: 1 });
    // Ragged blocks too (3 replicas dW 2 on 6x6: blocks complete 0, 1 or 2 of the 2x2 pool's pixels), also where one
    // pixel of the lattice is the last of two windows (3x3/2 padded by 1 in 5 replicas dW 2 on 5x5), of a chain too.
    const ragged = (replicas: number) => blockShape(replicaOffsets(replicas, 2));
    expect(replicatedPoolRule({ convHeight: 6, convWidth: 6, block: ragged(3), pools: [pool(2)], colParts: 1 })).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    expect(replicatedPoolRule({ convHeight: 5, convWidth: 5, block: ragged(5), pools: [pool(3, 2, 1)], colParts: 1 })).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [0] });
    expect(replicatedPoolRule({ convHeight: 5, convWidth: 5, block: ragged(5), pools: [pool(3, 2, 1), pool(1)], colParts: 1 })).toEqual({ pixels: 1, rows: 1, cols: 1, queued: [1] });
  });
});

describe('an uneven max pool in edge blocks and an average pool whose windows end together, queued in replicated cores (RTL)', () => {
  const p = prepare('test/verify/fixtures/queued-replicated-pool.imc');

  it('queues each core\'s pooled pixels, walked per block, and sends them as single pixels', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.colParts])).toEqual([
      ['c1', 4, 1],
      ['c2', 3, 1],
    ]);
    expect(neuronParametersOf(p.files, 'queued_replicated_pool_c00')).toMatchObject({ REPLICATED: 1, EDGE_BLOCKS: 1, POOL: 0, POOL_CHAIN: 0, COLS: 16, CHANNELS: 4, OUT_WIDTH: 4 });
    expect(poolQueueParametersOf(p.files, 'queued_replicated_pool_c00')).toMatchObject({ COLS: 4, CH_BITS: 4, KIND: 1, IN_H: 6, POOLED_H: 3, SLOTS: 2, BLOCK_WALK: 1 });
    expect(poolQueueParametersOf(p.files, 'queued_replicated_pool_c01')).toMatchObject({ COLS: 6, KIND: 2, IN_H: 3, POOLED_H: 4, SLOTS: 32, RELU_AFTER_POOL: 1, BLOCK_WALK: 1 });
    expect(controllerParametersOf(p.files, 'queued_replicated_pool_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    const tb = p.files.find((f) => f.path === 'tb/queued_replicated_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 1;');
  });

  lintTest(p);

  // 4x3x3 and 6x4x4 pooled activations per image; c2's crossbar timesteps follow c1's one pixel per timestep.
  twoImagePoolTest(p, { c1: 36, c2: 96 });

  it('fails at c1 when a block walk reads every window at its last window\'s row (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('window_end(walk_py_q, STRIDE', 'window_end(walk_py_hi_q, STRIDE'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('a max pool whose windows end unevenly in method-2 blocks, pooled by position and sent by a queue (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-queued-pool.imc');

  it('streams the pooled activations into a queue that only sends them', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 8, 4],
      ['c2.conv', 2, 1],
    ]);
    expect(neuronParametersOf(p.files, 'block_queued_pool_c00')).toMatchObject({ POOL: 1, POOL_BY_POSITION: 1, RELU_AFTER_POOL: 1, BLOCK_W: 4, OUT_WIDTH: 4 });
    expect(poolQueueParametersOf(p.files, 'block_queued_pool_c00')).toMatchObject({ COLS: 4, POOLED_H: 2, POOLED_W: 4, POOLED_IN: 1, BLOCK_WALK: 0, RELU_AFTER_POOL: 0, THRESHOLD: 0 });
    expect(controllerParametersOf(p.files, 'block_queued_pool_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  // 4x2x4 pooled activations per image.
  twoImagePoolTest(p, { c1: 32 });

  it('fails at c1 when the queue writes each pooled pixel at its transposed position (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('wire [CW-1:0]         write_py = (POOLED_IN != 0) ? in_y : walk_py_q;', 'wire [CW-1:0]         write_py = (POOLED_IN != 0) ? in_x : walk_py_q;').replace('wire [CW-1:0]         write_px = (POOLED_IN != 0) ? in_x : walk_px_q;', 'wire [CW-1:0]         write_px = (POOLED_IN != 0) ? in_y : walk_px_q;'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
});

describe('pools that queue in column parts, gathered in the last core: an uneven max pool in method-2 blocks and an average pool whose windows end together (RTL)', () => {
  const p = prepare('test/verify/fixtures/gathered-queued-pool.imc');

  it('makes every other part a partial core of the last, whose neuron core pools the whole block and queues it', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.rowParts, l.colParts])).toEqual([
      ['c1', 3, 1, 2],
      ['c2', 3, 2, 3],
    ]);
    expect(p.mapping.cores.filter((c) => c.role === 'accumulate').map((c) => c.id)).toEqual(['c01', 'c07']);
    // c1's gathering core pools its 1x3 blocks by position and its queue only sends the pooled pixels; c2's walks
    // each block's windows (adding its first row part's codes) and queues them.
    expect(neuronParametersOf(p.files, 'gathered_queued_pool_c01')).toMatchObject({ COLS: 12, PARTS: 0, REP_Y_FIRST: 0, POOL: 1, POOL_BY_POSITION: 1, BLOCK_W: 3 });
    expect(poolQueueParametersOf(p.files, 'gathered_queued_pool_c01')).toMatchObject({ COLS: 4, POOLED_H: 3, POOLED_W: 3, POOLED_IN: 1, BLOCK_WALK: 0 });
    expect(neuronParametersOf(p.files, 'gathered_queued_pool_c07')).toMatchObject({ COLS: 18, PARTS: 1, REP_Y_FIRST: 0, POOL: 0 });
    expect(poolQueueParametersOf(p.files, 'gathered_queued_pool_c07')).toMatchObject({ COLS: 6, KIND: 2, IN_H: 3, POOLED_H: 4, RELU_AFTER_POOL: 1, BLOCK_WALK: 1, POOLED_IN: 0 });
    // c2 reads c1's pooled pixels one at a time; the output is one pixel per valid.
    for (const id of p.mapping.layers[1].cores) expect(controllerParametersOf(p.files, `gathered_queued_pool_${id}`)).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
    const tb = p.files.find((f) => f.path === 'tb/gathered_queued_pool_tb.cpp')!.content;
    expect(tb).toContain('static const int OUT_PIXELS = 1;');
  });

  lintTest(p);

  // 4x3x3 and 6x4x4 pooled activations per image, all from the gathering cores.
  twoImagePoolTest(p, { c1: 36, c2: 96 });

  it('fails at c1 when the gathering core swaps its own codes and its other part\'s (fault check)', async () => {
    const result = await verifyEdited(p, 'gathered_queued_pool_c01.v', (t) => t.replace('{ xbar_y, psum_i[59:0] }', '{ psum_i[59:0], xbar_y }'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c1' });
  }, 300_000);
});

describe('an average pool whose windows end unevenly in ragged method-2 blocks, pooled by position and sent by a queue (RTL)', () => {
  const p = prepare('test/verify/fixtures/ragged-queued-pool.imc');

  it('counts each window\'s pixels on the lattice and streams the pooled activations into a queue that only sends them', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 3, 2],
      ['c2.conv', 1, 1],
    ]);
    expect(neuronParametersOf(p.files, 'ragged_queued_pool_c00')).toMatchObject({ POOL: 2, POOL_BY_POSITION: 1, LATTICE: 1, RELU_AFTER_POOL: 1, BLOCK_W: 2, OUT_WIDTH: 4 });
    expect(poolQueueParametersOf(p.files, 'ragged_queued_pool_c00')).toMatchObject({ COLS: 4, POOLED_H: 4, POOLED_W: 4, POOLED_IN: 1, BLOCK_WALK: 0 });
    expect(controllerParametersOf(p.files, 'ragged_queued_pool_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  // 4x4x4 pooled activations per image.
  twoImagePoolTest(p, { c1: 64 });

  // c1's trace is its queue's pooled values as they come in, where they lie: the pixels it sends out of order first
  // show in the ADC codes of c2, which reads them.
  it('fails at c2 when c1\'s queue rings the pooled pixels in the order the lattice completes them (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('wire [31:0] ring_index = ring_pixel +', 'wire [31:0] ring_index = written_q +'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'adc', core: 'c01', layer: 'c2.conv' });
  }, 300_000);
});

describe('a pool whose windows end together in method-2 blocks, pooled by position and sent by a queue (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-pool-together.imc');

  it('pools by position in the neuron core, which emits every window a pixel ends, and queues the pooled activations', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 4, 2],
      ['c2.conv', 1, 1],
    ]);
    expect(neuronParametersOf(p.files, 'block_pool_together_c00')).toMatchObject({ POOL: 1, POOL_BY_POSITION: 1, POOL_STRIDE_H: 1, POOL_PAD_TOP: 1, RELU_AFTER_POOL: 1, BLOCK_W: 2 });
    expect(poolQueueParametersOf(p.files, 'block_pool_together_c00')).toMatchObject({ POOLED_H: 4, POOLED_W: 6, POOLED_IN: 1, BLOCK_WALK: 0 });
    expect(controllerParametersOf(p.files, 'block_pool_together_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  // 4x4x6 pooled activations per image.
  twoImagePoolTest(p, { c1: 96 });

  // The queue then never completes the other windows' pooled pixels: c2, which reads them, stalls.
  it('fails at c2 when c1\'s neuron core emits only the first window a pixel ends (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_neuron.v', (t) => t.replace('assign pool_hold = busy_q && ((pending & ~chosen)', 'assign pool_hold = 1\'b0 && ((pending & ~chosen)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c01', layer: 'c2.conv' });
  }, 300_000);

  describe('a chain: the max pool, a ReLU and a 2x2/1 average pool padded by 1 (its windows end together too) in stages', () => {
    const chain = prepareVariant('test/verify/fixtures/block-pool-together.imc', 'block_pool_together_chain', [
      ['relu(maxpool(batchnorm(c1), size 3, stride 1, pad 1))', 'relu(avgpool(relu(maxpool(batchnorm(c1), size 3, stride 1, pad 1)), size 2, stride 1, pad 1))'],
    ]);

    it('pools both in stages by position, which hold the neuron core\'s walk, and queues the second\'s pixels', () => {
      expect(neuronParametersOf(chain.files, 'block_pool_together_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0, BLOCK_W: 2 });
      expect(poolStageParametersOf(chain.files, 'block_pool_together_c00')).toMatchObject([
        { KIND: 1, BY_POSITION: 1, POOLED_H: 4 },
        { KIND: 2, BY_POSITION: 1, RELU_IN: 1, POOLED_H: 5 },
      ]);
      expect(poolQueueParametersOf(chain.files, 'block_pool_together_c00')).toMatchObject({ POOLED_H: 5, POOLED_W: 7, POOLED_IN: 1, RELU_AFTER_POOL: 1 });
      const wrapper = chain.files.find((f) => f.path === 'rtl/block_pool_together_c00.v')!.content;
      expect(wrapper).toContain('.stream_hold_i    (pool_hold_0)');
    });

    lintTest(chain);

    // 4x5x7 pooled activations per image.
    twoImagePoolTest(chain, { c1: 140 });

    it('fails at c1 when the first stage moves on while the second holds its pixel (fault check)', async () => {
      const result = await verifyEdited(chain, 'imcc_pool.v', (t) => t.replace('else if (row_next && !hold_i) emitted_q', 'else if (row_next) emitted_q'));
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
    }, 300_000);
  });

  /** The fixture with a residual op, room for a shortcut core s1 and `p1` (its line) replaced by `lines`. */
  const withShortcut = (name: string, lines: string, edits: ReadonlyArray<readonly [string, string]> = []) =>
    prepareVariant('test/verify/fixtures/block-pool-together.imc', name, [
      ['ops psum, batchnorm, relu, pool', 'ops psum, batchnorm, relu, residual, pool'],
      ['grid 1x2', 'grid 2x2'],
      ['  p1 = relu(maxpool(batchnorm(c1), size 3, stride 1, pad 1))', lines],
      ...edits,
    ]);

  /**
   * Fault check: each slot of c00's ROM of the queue's (or the stage's after the add) one further (its neighbour's
   * shortcut), caught at c1's values.
   */
  const neighbourSlotFault = (variant: ReturnType<typeof prepare>, reader: 'queue' | 'stage' = 'queue') =>
    it(`fails at c1 when the ${reader} reads its neighbour's shortcut slot (fault check)`, async () => {
      const depth = neuronParametersOf(variant.files, 'block_pool_together_c00').RES_DEPTH;
      const result = await verifyEdited(variant, `block_pool_together_c00_res_${reader}_slots.mem`, (text) =>
        text.replace(/^[0-9a-f]+$/gm, (line) => ((Number.parseInt(line, 16) + 1) % depth).toString(16).padStart(line.length, '0')),
      );
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1', kind: 'activation' });
    }, 300_000);

  describe("a residual add after the pool, then a ReLU: the queue adds, the neuron core emitting every window a pixel ends (IMC112 before)", () => {
    const add = withShortcut('block_pool_together_add', '  s1 = conv(image, out 4, kernel 3x3, pad 1)\n  p1 = relu(add(maxpool(batchnorm(c1), size 3, stride 1, pad 1), s1))');

    it("pools by position in the neuron core, which neither adds nor applies the ReLU; the queue adds each pooled pixel's shortcut, then the ReLU", () => {
      expect(neuronParametersOf(add.files, 'block_pool_together_c00')).toMatchObject({ POOL: 1, POOL_BY_POSITION: 1, HAS_RES: 4, RELU_AFTER_POOL: 0 });
      expect(poolQueueParametersOf(add.files, 'block_pool_together_c00')).toMatchObject({ POOLED_H: 4, POOLED_W: 6, POOLED_IN: 1, RES_ADD: 1, RELU_AFTER_POOL: 1 });
    });

    lintTest(add);

    // 4x4x6 pooled activations per image.
    twoImagePoolTest(add, { c1: 96 });

    neighbourSlotFault(add);
  });

  describe('integrate-and-fire neurons after a residual add after the pool, in ragged blocks (3 replicas dW 2; IMC112 before)', () => {
    const spiking = withShortcut('ragged_pool_together_add_if', '  s1 = conv(image, out 4, kernel 3x3, pad 1)\n  p1 = relu(add(maxpool(batchnorm(c1), size 3, stride 1, pad 1), s1))', [
      ['neuron_core { ops psum, batchnorm, relu, residual, pool }', 'neuron_core {\n    ops psum, batchnorm, integrate_and_fire, residual, pool\n    model if\n    threshold 3\n    leak 1\n    reset subtract\n    steps 4\n  }'],
      ['layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 2, dw 2'],
    ]);

    it('spikes in the queue after its add (the membranes are the pooled plane\'s)', () => {
      expect(neuronParametersOf(spiking.files, 'block_pool_together_c00')).toMatchObject({ POOL: 1, POOL_BY_POSITION: 1, LATTICE: 1, HAS_RES: 4 });
      expect(poolQueueParametersOf(spiking.files, 'block_pool_together_c00')).toMatchObject({ POOLED_IN: 1, RES_ADD: 1, THRESHOLD: 2 });
    });

    // 4x4x6 spikes per timestep (4) per image.
    twoImagePoolTest(spiking, { c1: 4 * 96 });
  });

  describe("a residual add after the chain (3x3/1 max padded by 1, a ReLU, 3x3/1 average padded by 1): the queue adds (IMC112 before)", () => {
    const chainAdd = withShortcut(
      'block_pool_together_chain_add',
      '  s1 = conv(image, out 4, kernel 3x3, pad 1)\n  p1 = relu(add(avgpool(relu(maxpool(batchnorm(c1), size 3, stride 1, pad 1)), size 3, stride 1, pad 1), s1))',
    );

    it("pools in stages by position and adds in the queue, each pooled pixel's shortcut read at its slot", () => {
      expect(neuronParametersOf(chainAdd.files, 'block_pool_together_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0, BLOCK_W: 2 });
      expect(poolStageParametersOf(chainAdd.files, 'block_pool_together_c00').map((s) => s.BY_POSITION)).toEqual([1, 1]);
      expect(poolQueueParametersOf(chainAdd.files, 'block_pool_together_c00')).toMatchObject({ POOLED_H: 4, POOLED_W: 6, POOLED_IN: 1, RES_ADD: 1 });
    });

    lintTest(chainAdd);

    // 4x4x6 pooled activations per image.
    twoImagePoolTest(chainAdd, { c1: 96 });

    neighbourSlotFault(chainAdd);
  });

  describe('a residual add between a 2x2 max pool and a 3x3/1 average pool padded by 2 (its windows end together) in ragged blocks (IMC112 before)', () => {
    const between = withShortcut(
      'ragged_pool_add_pool',
      '  s1 = conv(image, out 4, kernel 3x3, pad 1, stride 2)\n  p1 = avgpool(relu(add(maxpool(batchnorm(c1), size 2), s1)), size 3, stride 1, pad 2)',
      [['layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 2, dw 2']],
    );

    it('adds in the stage after the first pool and queues the second', () => {
      expect(neuronParametersOf(between.files, 'block_pool_together_c00')).toMatchObject({ LATTICE: 1 });
      expect(poolStageParametersOf(between.files, 'block_pool_together_c00').map((s) => s.BY_POSITION)).toEqual([1, 1]);
      expect(poolQueueParametersOf(between.files, 'block_pool_together_c00')).toMatchObject({ POOLED_H: 4, POOLED_W: 5, POOLED_IN: 1 });
    });

    // 4x4x5 pooled activations per image.
    twoImagePoolTest(between, { c1: 80 });
  });

  describe('a residual add between the 3x3/1 max pool padded by 1 (a pixel ends two of its windows) and a 3x3/1 average pool padded by 1 (IMC112 before)', () => {
    const twoWindows = withShortcut(
      'block_pool_together_add_pool',
      '  s1 = conv(image, out 4, kernel 3x3, pad 1)\n  p1 = avgpool(relu(add(maxpool(batchnorm(c1), size 3, stride 1, pad 1), s1)), size 3, stride 1, pad 1)',
    );

    it("adds in the stage after the first pool, reading the shortcut of each window it takes at that window's slot", () => {
      expect(neuronParametersOf(twoWindows.files, 'block_pool_together_c00')).toMatchObject({ HAS_RES: 5, BLOCK_W: 2 });
      expect(poolStageParametersOf(twoWindows.files, 'block_pool_together_c00').map((s) => [s.BY_POSITION, s.ADD_IN, s.RELU_IN])).toEqual([
        [1, 0, 0],
        [1, 1, 1],
      ]);
      const wrapper = twoWindows.files.find((f) => f.path === 'rtl/block_pool_together_c00.v')!.content;
      // The FIFO is read at the slot of the pixel on the stream into the stage after the add (column-major, 4 rows).
      expect(wrapper).toContain('wire [31:0]  res_stage_pixel = { {(32-4){1\'b0}}, pool_stream_1[');
      expect(wrapper).toContain('wire [5-1:0]  res_slot = res_stage_slot_rom[res_stage_index];');
      // One slot per pixel of the first pool's 4x6 plane.
      expect(memLines(twoWindows.files.find((f) => f.path === 'rtl/block_pool_together_c00_res_stage_slots.mem')!.content)).toHaveLength(24);
    });

    lintTest(twoWindows);

    // 4x4x6 pooled activations per image.
    twoImagePoolTest(twoWindows, { c1: 96 });

    neighbourSlotFault(twoWindows, 'stage');

    it('fails at c1 when the stage reads the shortcut of the pixel the core computes, one for all the windows it ends (fault check)', async () => {
      const result = await verifyEdited(twoWindows, 'block_pool_together_c00.v', (t) =>
        t.replace('wire [5-1:0]  res_slot = res_stage_slot_rom[res_stage_index];', 'wire [5-1:0]  res_slot = unused_res_entry_slot;'),
      );
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1', kind: 'activation' });
    }, 300_000);
  });

  describe('a residual add between the 3x3/1 max pool padded by 1 and a global average pool, in ragged blocks (3 replicas dW 2; IMC112 before)', () => {
    const gap = withShortcut(
      'ragged_pool_together_add_gap',
      '  s1 = conv(image, out 4, kernel 3x3, pad 1)\n  p1 = gap(relu(add(maxpool(batchnorm(c1), size 3, stride 1, pad 1), s1)))',
      [
        ['layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 2, dw 2'],
        ['c2 = relu(conv(p1, out 4, kernel 3x3, pad 1))', 'c2 = relu(conv(p1, out 4, kernel 1x1))'],
      ],
    );

    it('adds in the stage after the max pool; the global average goes with the last block, unqueued', () => {
      expect(neuronParametersOf(gap.files, 'block_pool_together_c00')).toMatchObject({ LATTICE: 1, HAS_RES: 5 });
      expect(poolStageParametersOf(gap.files, 'block_pool_together_c00').map((s) => s.ADD_IN)).toEqual([0, 1]);
      expect(gap.files.some((f) => f.path === 'rtl/block_pool_together_c00_res_stage_slots.mem')).toBe(true);
      expect(gap.files.find((f) => f.path === 'rtl/block_pool_together_c00.v')!.content).not.toContain('u_queue');
    });

    // One 4-channel pixel per image.
    twoImagePoolTest(gap, { c1: 4 });
  });

  describe('an average pool in ragged blocks (3 replicas dW 2)', () => {
    const ragged = prepareVariant('test/verify/fixtures/block-pool-together.imc', 'ragged_pool_together', [
      ['layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 2, dw 2'],
      ['relu(maxpool(batchnorm(c1), size 3, stride 1, pad 1))', 'relu(avgpool(batchnorm(c1), size 3, stride 1, pad 1))'],
    ]);

    it('counts each window\'s pixels on the lattice', () => {
      expect(ragged.mapping.layers[0].matrix.replicas).toHaveLength(3);
      expect(neuronParametersOf(ragged.files, 'block_pool_together_c00')).toMatchObject({ POOL: 2, POOL_BY_POSITION: 1, LATTICE: 1 });
    });

    twoImagePoolTest(ragged, { c1: 96 });

    it('fails at c1 when the held cycles add the pixel to the running sums again (fault check)', async () => {
      const result = await verifyEdited(ragged, 'imcc_neuron.v', (t) => t.replace('if (commit && cand_valid[w]) pool_q[', 'if (busy_q && cand_valid[w]) pool_q['));
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
    }, 300_000);
  });
});

describe('a chain of pools whose last pool\'s windows end unevenly in method-2 blocks, pooled by position in stages and sent by a queue (RTL)', () => {
  const p = prepare('test/verify/fixtures/block-queued-pool-chain.imc');

  it('pools every pool in a stage by position and queues the last stage\'s pixels, which the queue only sends', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 4, 2],
      ['c2.conv', 1, 1],
    ]);
    expect(neuronParametersOf(p.files, 'block_queued_pool_chain_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0, BLOCK_W: 2, OUT_WIDTH: 4 });
    expect(poolStageParametersOf(p.files, 'block_queued_pool_chain_c00')).toMatchObject([
      { KIND: 1, BY_POSITION: 1, POOLED_H: 4 },
      { KIND: 2, BY_POSITION: 1, RELU_IN: 0, POOLED_H: 3 },
    ]);
    expect(poolQueueParametersOf(p.files, 'block_queued_pool_chain_c00')).toMatchObject({ POOLED_H: 3, POOLED_W: 3, POOLED_IN: 1, BLOCK_WALK: 0, RELU_IN: 0, RELU_AFTER_POOL: 1 });
    expect(controllerParametersOf(p.files, 'block_queued_pool_chain_c01')).toMatchObject({ IN_BLOCK_H: 1, IN_BLOCK_W: 1 });
  });

  lintTest(p);

  // 4x3x3 pooled activations per image.
  twoImagePoolTest(p, { c1: 36 });

  it('fails at c1 when the queue leaves out the ReLU after the last pool (fault check)', async () => {
    const result = await verifyEdited(p, 'imcc_pool_queue.v', (t) => t.replace('((RELU_AFTER_POOL != 0) && post_added[ACC_BITS-1])', '((RELU_AFTER_POOL == 2) && post_added[ACC_BITS-1])'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);
  describe('in ragged blocks (3 replicas dW 2)', () => {
    const ragged = prepareVariant('test/verify/fixtures/block-queued-pool-chain.imc', 'ragged_queued_pool_chain', [['layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 2, dw 2']]);

    it('counts each window\'s pixels on the lattice in both stages', () => {
      expect(ragged.mapping.layers[0].matrix.replicas).toHaveLength(3);
      expect(neuronParametersOf(ragged.files, 'block_queued_pool_chain_c00')).toMatchObject({ LATTICE: 1, POOL_CHAIN: 0 });
      expect(poolStageParametersOf(ragged.files, 'block_queued_pool_chain_c00').map((s) => s.BY_POSITION)).toEqual([1, 1]);
      expect(poolQueueParametersOf(ragged.files, 'block_queued_pool_chain_c00')).toMatchObject({ POOLED_IN: 1, RELU_AFTER_POOL: 1 });
    });

    twoImagePoolTest(ragged, { c1: 36 });
  });
});
