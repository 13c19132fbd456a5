// A residual add after a pool in its core (issue 19; IMC112 before): the neuron core adds the shortcut to each pooled
// pixel when the pixel that completes its window is processed (HAS_RES 2), reading the shortcut's FIFO slot through
// the table of the pixels the core computes (src/emit/rtl/shortcutOrder.ts pooledShortcut: only a window's last pixel
// reads one, and its block waits for it, as the dataflow model stalls the unit that completes the pooled pixel). A pool
// after such an add (test/verify/fixtures/pool-after-pooled-add.imc, IMC112 before) is a stage of the core's chain that
// adds the shortcut the neuron core reads for the pixel it streams (HAS_RES 5, imcc_pool ADD_IN), the same table
// counting the pixels that complete the pools before the add.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  lintAndVerifyTests,
  lintTest,
  memLines,
  neuronParametersOf,
  noShortcutWaitFault,
  poolQueueParametersOf,
  poolStageParametersOf,
  prepare,
  prepareVariant,
  verifyEdited,
  twoImagePoolTest,
} from '../emit/rtl/helpers.js';

const FIXTURE = 'test/verify/fixtures/add-after-pool.imc';
const NETWORK = 'add_after_pool';

/** The fixture edited, as a file of its own (prepare reads a path). */
function variant(name: string, edit: (text: string) => string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'imcc-add-after-pool-')), `${name}.imc`);
  writeFileSync(path, edit(readFileSync(FIXTURE, 'utf8')));
  return path;
}

const mapped = (directives: string) => (text: string): string =>
  text.replace('  output logits\n', `  output logits\n\n  mapping {\n    default replicas 1, method 1, layout auto\n${directives}  }\n`);

/**
 * c2 in 4 replicas (columns of 4) max-pooling 2x2, then a ReLU and an overlapping 2x2/1 average pool (two stages of
 * the core's pool chain, whose pooled pixel comes back into the neuron core's add), adding the 1x1 s2 (a 4x4 conv of
 * p1: its pixel comes after the block that completes the windows, which waits for it).
 */
const replicatedChain = (text: string): string =>
  mapped('    layer c2: replicas 4, method 1\n')(
    text
      .replace('  s2 = shortcut(p1, out 4, stride 2)                          // 4x2x2\n', '  s2 = conv(p1, out 4, kernel 4x4)\n')
      .replace('add(maxpool(relu(batchnorm(c2)), size 2), s2)', 'add(avgpool(relu(maxpool(relu(batchnorm(c2)), size 2)), size 2, stride 1), s2)'),
  );

/**
 * The shortcut t2 comes late (its first pixel needs all of s2, so all of p1) and is added to the ReLU of the pool:
 * every 2x2 block of c2 (4 replicas, method 2: one window per block, pooled by position) waits for it; its memory keeps 5 columns of p1's 4, so the
 * stalled layer loses no input (there is no back-pressure between cores: docs/verification.md "Limits").
 */
const lateShortcut = (text: string): string =>
  mapped('    layer c2: replicas 4, method 2, dw 2\n')(
    text
      .replace('  s2 = shortcut(p1, out 4, stride 2)                          // 4x2x2\n', '  s2 = conv(p1, out 4, kernel 3x3, stride 2, pad 1)\n  t2 = conv(relu(s2), out 4, kernel 3x3, pad 1)\n')
      .replace('add(maxpool(relu(batchnorm(c2)), size 2), s2)', 'add(relu(maxpool(batchnorm(c2), size 2)), t2)'),
  );

/** c2's core with the neuron core (its accumulating row part when split). */
const c2Of = (p: ReturnType<typeof prepare>): string => `${NETWORK}_${p.mapping.cores.find((c) => c.layer === 'c2' && c.role !== 'partial')!.id}`;

describe('a residual add of the pooled value of its core (a max pool, unreplicated)', () => {
  const p = prepare(FIXTURE);
  const c2 = c2Of(p);

  it("adds the shortcut after the neuron core's pool, through the table of the pixels that complete windows", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 2, RES_TABLE: 1, RES_IN: 1, POOL: 1 });
    // One table entry per computed pixel of c2's 4x4 plane.
    const table = memLines(p.files.find((f) => f.path === `rtl/${c2}_res_slots.mem`)!.content);
    expect(table).toHaveLength(16);
  });

  lintAndVerifyTests(p, 300);

  it('fails at c2 when the shortcut is added before the pool (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, (text) => text.replace(/\.HAS_RES(\s+)\(2\)/, '.HAS_RES$1(1)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a residual add of the pooled value of its core (two pools of a chain in 4 replicas)', () => {
  const p = prepare(variant('replicated-chain', replicatedChain));

  it("adds the last stage's pooled pixel in the neuron core, and the block completing it waits for its shortcut", () => {
    expect(neuronParametersOf(p.files, c2Of(p))).toMatchObject({ HAS_RES: 2, RES_TABLE: 1, POOL: 0, POOL_CHAIN: 1, REPLICATED: 1 });
    expect(p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c2')!.lateShortcutPixels).toBe(1);
  });

  lintAndVerifyTests(p, 300);
});

describe('a residual add of the ReLU of the pooled value of its core whose shortcut comes late (2x2 blocks pooled by position)', () => {
  const p = prepare(variant('late-shortcut', lateShortcut));
  const c2 = c2Of(p);

  it('stalls every block of c2 in the dataflow model until its pooled pixel\'s shortcut is there', () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 3, RES_TABLE: 1, POOL_BY_POSITION: 1 });
    const buffer = p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c2')!;
    // Each of the four pooled pixels' shortcuts arrived after the inputs of the block that completes its window.
    expect(buffer.lateShortcutPixels).toBe(4);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  lintAndVerifyTests(p, 300);

  noShortcutWaitFault(p, c2, 'c2');
});

const POOL_AFTER_ADD = 'test/verify/fixtures/pool-after-pooled-add.imc';
const POOL_AFTER_ADD_NETWORK = 'pool_after_pooled_add';

/** The wrapper of c2's core with its first stage's ADD_IN set to `to` (the stage after the add). */
const stageAddIn = (to: number) => (text: string): string => text.replace(/\.ADD_IN(\s+)\([12]\)/, `.ADD_IN$1(${to})`);

describe('a pool after a residual add of a pooled value (2x2 max, add, ReLU, 2x2/1 max: a line buffer; unreplicated)', () => {
  const p = prepare(POOL_AFTER_ADD);
  const c2 = `${POOL_AFTER_ADD_NETWORK}_${p.mapping.cores.find((c) => c.layer === 'c2')!.id}`;

  it("adds the shortcut at the second stage's input, read through the table of the pixels completing the first pool", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 5, RES_TABLE: 1, POOL: 0, POOL_CHAIN: 1, RELU_AFTER_POOL: 0 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([
      { KIND: 1, IN_H: 8, POOL_H: 2, STRIDE_Y: 2, ADD_IN: 0, RELU_IN: 0 },
      { KIND: 1, IN_H: 4, POOL_H: 2, STRIDE_Y: 1, POOLED_H: 3, ADD_IN: 1, ACT_BITS: 4, IN_BITS: 4, RELU_IN: 1 },
    ]);
    const wrapper = p.files.find((f) => f.path === `rtl/${c2}.v`)!.content;
    expect(wrapper).toMatch(/\) u_pool2 \([^;]*\.shortcut_i\s+\(pooled_shortcut\)/);
    expect(wrapper).toMatch(/\.pooled_shortcut_o \(pooled_shortcut\)/);
    // One table entry per computed pixel of c2's 8x8 plane.
    const table = memLines(p.files.find((f) => f.path === `rtl/${c2}_res_slots.mem`)!.content);
    expect(table).toHaveLength(64);
  });

  lintTest(p);

  twoImagePoolTest(p, { c2: 4 * 3 * 3 });

  it('fails at c2 when the stage after the add does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, stageAddIn(0));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});

describe('a pool after a residual add of the ReLU of a pooled value whose shortcut comes late (2x2 max, ReLU, add, ReLU, 2x2 average; 4 replicas)', () => {
  // s2 a 5x5/2 convolution of c1: most of its pixels come after the block of c2 that completes their pooled pixel.
  const p = prepareVariant(POOL_AFTER_ADD, 'pool-after-pooled-add-replicated', [
    ['s2 = shortcut(c1, out 4, stride 2)', 's2 = conv(c1, out 4, kernel 5x5, stride 2, pad 2)'],
    [
      'y = maxpool(relu(add(maxpool(relu(batchnorm(c2)), size 2), s2)), size 2, stride 1)',
      'y = avgpool(relu(add(relu(maxpool(batchnorm(c2), size 2)), s2)), size 2)',
    ],
    ['  output logits\n', '  output logits\n\n  mapping {\n    default replicas 1, method 1, layout auto\n    layer c2: replicas 4, method 1\n  }\n'],
  ]);
  const c2 = `${POOL_AFTER_ADD_NETWORK}_${p.mapping.cores.find((c) => c.layer === 'c2' && c.role !== 'partial')!.id}`;

  it("adds the shortcut to the ReLU of the first stage's pixels at the second stage's input; the blocks completing them wait", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 5, RES_TABLE: 1, POOL_CHAIN: 1, REPLICATED: 1 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([
      { KIND: 1, ADD_IN: 0, RELU_IN: 0 },
      { KIND: 2, IN_H: 4, POOL_H: 2, STRIDE_Y: 2, POOLED_H: 2, ADD_IN: 2, ACT_BITS: 4, RELU_IN: 1 },
    ]);
    // The dataflow model stalls c2 on the first pool's pixels (the pools before the add), 12 of whose 16 shortcuts
    // come after the inputs of the block completing them.
    expect(p.program.blockDataflow.residualBuffers.find((b) => b.layer === 'c2')!.lateShortcutPixels).toBe(12);
    expect(p.program.blockDataflow.diagnostics).toEqual([]);
  });

  twoImagePoolTest(p, { c2: 4 * 2 * 2 });

  it('fails at c2 when the stage adds the shortcut to the pooled value instead of its ReLU (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, stageAddIn(1));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);

  noShortcutWaitFault(p, c2, 'c2');
});

describe('a queued pool after a residual add of a pooled value (2x2 max, add, ReLU, 2x2/1 max padded by 1: a queue; unreplicated)', () => {
  const p = prepareVariant(POOL_AFTER_ADD, 'queue-after-pooled-add', [
    [
      'y = maxpool(relu(add(maxpool(relu(batchnorm(c2)), size 2), s2)), size 2, stride 1)',
      'y = maxpool(relu(add(maxpool(relu(batchnorm(c2)), size 2), s2)), size 2, stride 1, pad 1)',
    ],
  ]);
  const c2 = `${POOL_AFTER_ADD_NETWORK}_${p.mapping.cores.find((c) => c.layer === 'c2')!.id}`;

  it("adds the shortcut at the queue's input, read through the table of the pixels completing the first pool", () => {
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 5, RES_TABLE: 1, POOL_CHAIN: 0 });
    expect(poolStageParametersOf(p.files, c2)).toMatchObject([{ KIND: 1, IN_H: 8, POOL_H: 2, STRIDE_Y: 2, ADD_IN: 0 }]);
    expect(poolQueueParametersOf(p.files, c2)).toMatchObject({ IN_H: 4, POOL_H: 2, STRIDE: 1, PAD_TOP: 1, POOLED_H: 5, ADD_IN: 1, ACT_BITS: 4, IN_BITS: 4, RELU_IN: 1 });
    expect(p.files.find((f) => f.path === `rtl/${c2}.v`)!.content).toMatch(/\) u_queue \([^;]*\.in_shortcut_i\s+\(pooled_shortcut\)/);
  });

  lintTest(p);

  twoImagePoolTest(p, { c2: 4 * 5 * 5 });

  it('fails at c2 when the queue does not add the shortcut (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, (text) => text.replace(/\.ADD_IN(\s+)\(1\)/, '.ADD_IN$1(0)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);
});
