// A residual add after a queued pool in its core (issue 19; IMC112 before): the core's last queue adds the shortcut to
// each pixel of the last pool (RES_ADD): its walk's pooled values, or the pixels of the stages after it as they come
// back. It reads the neuron core's FIFO at that pixel's slot (the wrapper's res_queue_slots ROM); the table of the
// pixels the core computes makes the block that completes pooled pixels (several at the plane's last row and column)
// wait for all their shortcuts, as the dataflow model stalls it (src/emit/rtl/shortcutOrder.ts pooledShortcut), and
// frees them after it: a pixel read timesteps later (after a queue, it leaves one per timestep) keeps its FIFO entry,
// which the depth from the model's occupancy (arrival to read) covers. The consumer's crossbar timesteps check the
// timing. In a replicated core too: a method-1 core's queue walks the windows each block ends and adds alike; a
// method-2 core pools by position and adds in its neuron core, and its queue only sends the pooled pixels.
import { describe, expect, it } from 'vitest';
import {
  editShortcutTable,
  lintAndVerifyTests,
  lintTest,
  memLines,
  neuronParametersOf,
  noShortcutWaitFault,
  poolQueueParametersOf,
  poolStageParametersOf,
  prepare,
  prepareVariant,
  shortcutTable,
  TEST_CACHE,
  verifyEdited,
  twoImagePoolTest,
  writeFiles,
} from '../emit/rtl/helpers.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

const FIXTURE = 'test/verify/fixtures/queue-add.imc';
const NETWORK = 'queue_add';
/** The fixture's shortcut lines (t2 late after s2), which the variants replace with one convolution s2 of p1. */
const SHORTCUTS = '  s2 = conv(p1, out 4, kernel 3x3, pad 1)                                     // 4x6x5\n  t2 = conv(relu(s2), out 4, kernel 3x3, pad 1)                               // 4x6x5';

/** c2's core with the neuron core (its accumulating row part: c2 is split in two). */
const c2Of = (p: ReturnType<typeof prepare>): string => `${NETWORK}_${p.mapping.cores.find((c) => c.layer === 'c2' && c.role !== 'partial')!.id}`;

/** Fault check: each slot of the queue's ROM one further (its neighbour's shortcut), caught at `layer`'s values. */
function neighbourSlotFault(p: ReturnType<typeof prepare>, core: string, layer = 'c2'): void {
  it(`fails at ${layer} when the queue reads its neighbour's shortcut slot (fault check)`, async () => {
    const depth = neuronParametersOf(p.files, core).RES_DEPTH;
    const result = await verifyEdited(p, `${core}_res_queue_slots.mem`, (text) =>
      text.replace(/^[0-9a-f]+$/gm, (line) => ((Number.parseInt(line, 16) + 1) % depth).toString(16).padStart(line.length, '0')),
    );
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer, kind: 'activation' });
  }, 300_000);
}

describe('a residual add of a late shortcut after a queued 3x3/1 max pool padded by 1, then a ReLU', () => {
  const p = prepare(FIXTURE);
  const c2 = c2Of(p);

  it("adds in the queue's walk, the shortcut read at each pooled pixel's slot; the last pixel's block waits for its pooled pixels", () => {
    const neuron = neuronParametersOf(p.files, c2);
    expect(neuron).toMatchObject({ HAS_RES: 4, RES_TABLE: 1, POOL: 0, POOL_CHAIN: 0 });
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ RES_ADD: 1, AFTER: 0, RELU_AFTER_POOL: 1, POOLED_H: 6, POOLED_W: 5, ADD_PIXEL_BITS: 5 });
    const ptrBits = neuron.RES_PTR_BITS;
    const slots = p.files.find((f) => f.path === `rtl/${c2}_res_queue_slots.mem`)!.content;
    // One slot per pooled pixel, its arrival index (the shortcut comes column-major, as the queue's pixels leave)
    // modulo the depth: 28, so the last two wrap.
    expect(neuron.RES_DEPTH).toBe(28);
    expect(memLines(slots).map((l) => Number.parseInt(l, 16))).toEqual(Array.from({ length: 30 }, (_, q) => q % 28));
    const table = shortcutTable(p.files.find((f) => f.path === `rtl/${c2}_res_slots.mem`)!.content, ptrBits);
    // The conv plane's last pixel completes pooled pixels (4, 3), (5, 3), (4, 4), (5, 4): it frees all four, having
    // waited for the last (column-major 29) beyond the 26 freed before.
    expect(table[29]).toMatchObject({ need: 30 - 26, advance: 4 });
    expect(table.reduce((sum, e) => sum + e.advance, 0)).toBe(30);
    // t2's pixels all come after the inputs of the conv pixels that complete their pooled pixels: every one stalls c2.
    expect(p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c2')!.lateShortcutPixels).toBe(22);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  lintTest(p);

  it('verifies bit-exact on two images, one reset mid-stream, every pooled pixel added once, non-zero and saturated', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(1000);
    const adding = result.coverage.find((c) => `${NETWORK}_${c.core}` === c2)!;
    expect(adding.activations / result.images.length).toBe(4 * 6 * 5);
    expect(adding.nonZero).toBeGreaterThan(0);
    expect(adding.saturated).toBeGreaterThan(0);
  }, 300_000);

  neighbourSlotFault(p, c2);

  noShortcutWaitFault(p, c2, 'c2', 'their shortcut pixels');
});

describe('a residual add after a queue between two stages (2x2/1 average, 3x3/1 max padded by 1, 2x2/1 average: 4x3)', () => {
  const p = prepareVariant(FIXTURE, 'queue-add-stages', [
    [SHORTCUTS, '  s2 = conv(p1, out 4, kernel 3x3)'],
    ['add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2)', 'add(avgpool(maxpool(avgpool(relu(batchnorm(c2)), size 2, stride 1), size 3, stride 1, pad 1), size 2, stride 1), s2)'],
  ]);
  const c2 = c2Of(p);

  it("adds in the queue to the last stage's pixels as they come back, the shortcut read at the last pool's pixel's slot", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 4, POOL_CHAIN: 0 });
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ RES_ADD: 1, AFTER: 1, IN_H: 5, IN_W: 4, OUT_H: 4, ADD_PIXEL_BITS: 4 });
  });

  lintAndVerifyTests(p, 1000);

  neighbourSlotFault(p, c2);
});

describe('a residual add of the ReLU of two queues (3x3/1 max, then 3x3/1 average, both padded by 1)', () => {
  const p = prepareVariant(FIXTURE, 'queue-add-two-queues', [
    [SHORTCUTS, '  s2 = shortcut(p1, out 4)'],
    ['relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'add(relu(avgpool(maxpool(batchnorm(c2), size 3, stride 1, pad 1), size 3, stride 1, pad 1)), s2)'],
  ]);

  it('adds in the second queue, to the ReLU of its pooled value (RES_ADD 2), with no ReLU after the add', () => {
    expect(poolQueueParametersOf(p.files, c2Of(p))).toMatchObject({ KIND: 1, RES_ADD: 0, AFTER: 1 });
    expect(poolQueueParametersOf(p.files, c2Of(p), 2)).toMatchObject({ KIND: 2, RES_ADD: 2, AFTER: 0, RELU_AFTER_POOL: 0, POOLED_H: 6, POOLED_W: 5 });
  });

  lintAndVerifyTests(p, 1000);
});

/** The wrapper of c2's core with its stages' (or second queue's) ADD_IN set to 0: the pool after the add adds nothing. */
const noAddIn = (text: string): string => text.replace(/\.ADD_IN(\s+)\([12]\)/, '.ADD_IN$1(0)');

describe('a 2x2/1 average pool after the residual add of a late shortcut after a queued 3x3/1 max pool padded by 1 (and a ReLU)', () => {
  const p = prepareVariant(FIXTURE, 'queue-add-then-pool', [
    ['y = relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'y = avgpool(relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2)), size 2, stride 1)'],
  ]);
  const c2 = c2Of(p);

  it("adds in the stage after the queue, the shortcut the queue reads at its sent pixel's slot; the blocks still wait for it", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 4, RES_TABLE: 1, POOL_CHAIN: 0 });
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ RES_ADD: 0, SEND_SHORTCUT: 1, AFTER: 1, POOLED_H: 6, POOLED_W: 5, ADD_PIXEL_BITS: 5 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([{ KIND: 2, IN_H: 6, IN_W: 5, POOL_H: 2, STRIDE_Y: 1, ADD_IN: 1, ACT_BITS: 4, IN_BITS: 4, RELU_IN: 1 }]);
    const wrapper = p.files.find((f) => f.path === `rtl/${c2}.v`)!.content;
    expect(wrapper).toMatch(/\) u_pool1 \([^;]*\.shortcut_i\s+\(sent_shortcut\)/);
    expect(wrapper).toMatch(/\.sent_shortcut_o\s+\(sent_shortcut\)/);
    // One slot per pixel the queue sends (the add's plane is the queue's), as the add after the queue reads them.
    const slots = memLines(p.files.find((f) => f.path === `rtl/${c2}_res_queue_slots.mem`)!.content);
    expect(slots).toHaveLength(30);
    expect(p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c2')!.lateShortcutPixels).toBe(22);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  lintTest(p);

  // The pooled pixels after the add: 4 channels of 5x4.
  twoImagePoolTest(p, { c2: 4 * 5 * 4 }, 1000);

  neighbourSlotFault(p, c2);

  it('fails at c2 when the stage after the add does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, noAddIn);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a residual add between two stages after a queue (3x3/1 max padded by 1, 2x2/1 average, add, 2x2/1 max)', () => {
  const p = prepareVariant(FIXTURE, 'queue-stage-add-stage', [
    [SHORTCUTS, '  s2 = conv(p1, out 4, kernel 2x2)'],
    ['y = relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'y = maxpool(add(avgpool(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), size 2, stride 1), s2), size 2, stride 1)'],
  ]);
  const c2 = c2Of(p);

  it("reads the shortcut at the slot of the average pool's pixel that each sent pixel completes (none in the first row and column)", () => {
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ RES_ADD: 0, SEND_SHORTCUT: 1, AFTER: 1 });
    expect(poolStageParametersOf(p.files, c2).map((s) => s.ADD_IN)).toEqual([0, 1]);
    const slots = memLines(p.files.find((f) => f.path === `rtl/${c2}_res_queue_slots.mem`)!.content);
    expect(slots).toHaveLength(30);
  });

  lintAndVerifyTests(p, 1000);

  it('fails at c2 when the stage after the add does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, noAddIn);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a queued pool after a residual add after a queued pool (3x3/1 max, add, 3x3/1 average, both padded by 1)', () => {
  const p = prepareVariant(FIXTURE, 'queue-add-queue', [
    [SHORTCUTS, '  s2 = shortcut(p1, out 4)'],
    ['y = relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'y = avgpool(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), s2), size 3, stride 1, pad 1)'],
  ]);
  const c2 = c2Of(p);

  it('adds in the second queue the shortcut the first sends with its pixel', () => {
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ SEND_SHORTCUT: 1, RES_ADD: 0, ADD_IN: 0, AFTER: 1 });
    expect(poolQueueParametersOf(p.files, c2, 2)).toMatchObject({ SEND_SHORTCUT: 0, RES_ADD: 0, ADD_IN: 1, AFTER: 0 });
    expect(p.files.find((f) => f.path === `rtl/${c2}.v`)!.content).toMatch(/\) u_queue2 \([^;]*\.in_shortcut_i\s+\(sent_shortcut\)/);
  });

  lintAndVerifyTests(p, 1000);

  it('fails at c2 when the second queue does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, noAddIn);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a residual add after a queued pool in replicated cores: 3 method-1 replicas (the queue adds) and 2x4 method-2 blocks (the neuron core adds)', () => {
  const p = prepare('test/verify/fixtures/queued-replicated-add.imc');
  const c1 = 'queued_replicated_add_c00';
  const c2 = `queued_replicated_add_${p.mapping.cores.find((c) => c.layer === 'c2' && c.role === 'accumulate')!.id}`;

  it("c1's queue walks each block's windows and adds t1's pixel at each pooled pixel's slot; the blocks wait for all the pooled pixels they complete", () => {
    const neuron = neuronParametersOf(p.files, c1);
    expect(neuron).toMatchObject({ REPLICATED: 1, BLOCK_H: 3, EDGE_BLOCKS: 1, POOL: 0, HAS_RES: 4, RES_TABLE: 1, RES_IN: 2, RES_NEED: 3 });
    expect(poolQueueParametersOf(p.files, c1)).toMatchObject({ BLOCK_WALK: 1, RES_ADD: 1, RELU_AFTER_POOL: 1, POOLED_H: 8, POOLED_W: 12 });
    // One slot per pooled pixel, its arrival index (t1's pairs come column-major, as the queue's pixels leave).
    const slots = memLines(p.files.find((f) => f.path === `rtl/${c1}_res_queue_slots.mem`)!.content).map((l) => Number.parseInt(l, 16));
    expect(slots).toEqual(Array.from({ length: 96 }, (_, q) => q % neuron.RES_DEPTH));
    // 36 blocks of 3 replicas (each column's third has an idle row). A column's blocks complete the previous column's
    // 2, 3 and 3 pooled pixels; the last column's complete two columns' (4, 6, 6): its first waits for pooled pixel
    // (1, 11), column-major 89, beyond the 80 freed before.
    const table = shortcutTable(p.files.find((f) => f.path === `rtl/${c1}_res_slots.mem`)!.content, neuron.RES_PTR_BITS);
    expect(table).toHaveLength(108);
    expect(table[99]).toMatchObject({ need: 90 - 80, advance: 0 });
    expect([101, 104, 107].map((i) => table[i].advance)).toEqual([4, 6, 6]);
    expect(table.reduce((sum, e) => sum + e.advance, 0)).toBe(96);
    // t1 comes two convolutions after the image: every pooled pixel's shortcut stalls c1.
    expect(p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c1')!.lateShortcutPixels).toBe(96);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  it("c2's neuron core pools by position and adds s2's pixel to each pooled pixel; its queue only sends them", () => {
    const neuron = neuronParametersOf(p.files, c2);
    expect(neuron).toMatchObject({ REPLICATED: 1, BLOCK_W: 4, POOL: 1, POOL_BY_POSITION: 1, HAS_RES: 2, RES_TABLE: 1, RELU_AFTER_POOL: 1 });
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ POOLED_IN: 1, BLOCK_WALK: 0, RES_ADD: 0, RELU_AFTER_POOL: 0 });
    // The third strip's second block completes pooled pixels (0, 2) and (0, 3), column-major 4 and 6: it waits for s2's
    // (1, 2) between them too (7 beyond the 4 freed), reads (0, 2) at slot 4 first, and frees the two it adds.
    const table = shortcutTable(p.files.find((f) => f.path === `rtl/${c2}_res_slots.mem`)!.content, neuron.RES_PTR_BITS);
    expect(table[72]).toMatchObject({ need: 7 - 4, slot: 4 });
    expect(table[79]).toMatchObject({ advance: 2 });
  });

  lintTest(p);

  // 4x8x12 pooled and added activations of c1 and 4x2x4 of c2 per image.
  twoImagePoolTest(p, { c1: 384, c2: 32 }, 1000);

  neighbourSlotFault(p, c1, 'c1');

  noShortcutWaitFault(p, c1, 'c1', 'the shortcut pixels of the pooled pixels they complete');

  it("fails at c2 when its pooled pixels read their neighbour's shortcut slot (fault check)", async () => {
    const { RES_PTR_BITS: ptr, RES_DEPTH: depth } = neuronParametersOf(p.files, c2);
    const result = await verifyEdited(p, `${c2}_res_slots.mem`, (text) => editShortcutTable(text, ptr, (entry) => ({ ...entry, slot: (entry.slot + 1) % depth })));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a 2x2/1 average pool after the residual add of a late shortcut after a queued 3x3/1 max pool padded by 1 in 3 method-1 replicas', () => {
  const p = prepareVariant(FIXTURE, 'replicated-queue-add-then-pool', [
    ['y = relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2))', 'y = avgpool(relu(add(maxpool(relu(batchnorm(c2)), size 3, stride 1, pad 1), t2)), size 2, stride 1)'],
    ['  output f1\n', '  output f1\n\n  mapping {\n    default replicas 1, method 1, layout auto\n    layer c2: replicas 3, method 1\n  }\n'],
    // (The row parts' partial-sum link carries the 3 replicas' columns.)
    ['link 1Gbps', 'link 2Gbps'],
  ]);
  const c2 = c2Of(p);

  it("the queue walks each block's windows and sends each pixel's shortcut to the stage after the add", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ REPLICATED: 1, HAS_RES: 4, RES_TABLE: 1, POOL_CHAIN: 0 });
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ BLOCK_WALK: 1, RES_ADD: 0, SEND_SHORTCUT: 1, AFTER: 1 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([{ ADD_IN: 1, RELU_IN: 1 }]);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  lintTest(p);

  // The pooled pixels after the add: 4 channels of 5x4.
  twoImagePoolTest(p, { c2: 4 * 5 * 4 }, 1000);

  it('fails at c2 when the stage after the add does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, noAddIn);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a residual add after a chain of pools queued in 2x4 method-2 blocks (a 2x2 max pool and a 2x2 average pool, both padded by 1)', () => {
  // The chain's last pool ends 0 or 2 windows in a strip of 4 columns: both pool by position in stages, and the queue
  // reads the last stage's pixels, adds s2's pixel at each one's slot and sends the sums.
  const p = prepareVariant('test/verify/fixtures/queued-replicated-add.imc', 'queued-chain-add', [
    ['s2 = conv(relu(t1), out 4, kernel 3x3, stride 3)  ', 's2 = conv(relu(t1), out 4, kernel 3x3, stride 3, pad 1)'],
    ['y2 = relu(add(maxpool(batchnorm(c2), size 3), s2)) ', 'y2 = relu(add(avgpool(maxpool(batchnorm(c2), size 2, stride 2, pad 1), size 2, pad 1), s2))'],
  ]);
  const c2 = `queued_replicated_add_${p.mapping.cores.find((c) => c.layer === 'c2' && c.role === 'accumulate')!.id}`;

  it('pools both pools by position in stages; the queue reads the last stage, adds the shortcut (RES_ADD) and sends', () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ REPLICATED: 1, BLOCK_W: 4, POOL: 0, HAS_RES: 4, RES_TABLE: 1 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([{ KIND: 1, BY_POSITION: 1 }, { KIND: 2, BY_POSITION: 1 }]);
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ POOLED_IN: 1, BLOCK_WALK: 0, RES_ADD: 1, RELU_AFTER_POOL: 1 });
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  // 4x3x4 pooled and added activations of c2 per image.
  twoImagePoolTest(p, { c2: 48 }, 1000);

  neighbourSlotFault(p, c2, 'c2');
});
