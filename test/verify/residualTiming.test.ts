// Two residual adds whose generated RTL computed wrong activations (issue 19):
// 1. the shortcut is computed in the same timestep as the adding block: the adding layer's controllers now wait for
//    the block's shortcut pixels in the FIFO, and the dataflow model stalls the layer's cores alike, so the RTL
//    verifies bit-exact with the model's timesteps;
// 2. the add takes a layer's raw value while a ReLU is fused into that layer's core: that core now sends the raw value
//    on the shortcut link next to its ReLU's output (the add cannot recover it from the ReLU's), and it verifies; with
//    a pool in that core too, it sends the raw value with every pixel it computes, on a valid of its own; a replicated
//    core with a pool sends every block it computes (IMC112 before).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import type { DataflowResult } from '../../src/dataflow/types.js';
import type { IrDesign } from '../../src/ir/types.js';
import {
  controllerParametersOf,
  editShortcutTable,
  lintAndVerifyTests,
  neuronParametersOf,
  prepare,
  shortcutTable,
  TEST_CACHE,
  verifyEdited,
  writeFiles,
  type Prepared,
} from '../emit/rtl/helpers.js';
import { planMemories } from '../../src/memory/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

const SAME_TIMESTEP = 'test/verify/fixtures/same-timestep-shortcut.imc';
const SAME_TIMESTEP_BLOCKS = 'test/verify/fixtures/same-timestep-shortcut-blocks.imc';
const SAME_TIMESTEP_COLUMNS = 'test/verify/fixtures/same-timestep-shortcut-columns.imc';
const RAW_SHORTCUT = 'test/verify/fixtures/raw-shortcut.imc';
const REPLICATED_RAW = 'test/verify/fixtures/replicated-raw-shortcut.imc';
const LATE_SHORTCUT_RING = 'test/verify/fixtures/late-shortcut-ring.imc';

/** `text` loaded as the file main.imc. */
function load(text: string): ReturnType<typeof loadDesign> {
  return loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
}

function designOf(text: string): { design: IrDesign; sources: Map<string, string> } {
  const { design, diagnostics, sources } = load(text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { design: design!, sources };
}

async function verifies(text: string, comparisons = 500): Promise<void> {
  const program = createProgram(designOf(text).design);
  const result = await verifyRtlDirectory(writeFiles(emitRtl(program)), program, { cacheDir: TEST_CACHE });
  expect(result.firstMismatch).toBeNull();
  expect(result.pass).toBe(true);
  expect(result.comparisons).toBeGreaterThan(comparisons);
}

const read = (path: string): string => readFileSync(path, 'utf8');

describe('a residual add whose shortcut is computed in the same timestep as the adding block', () => {
  const blockTiming = (text: string): DataflowResult => {
    const { design } = designOf(text);
    return simulateDataflow(design, createProgram(design).mapping, { batch: 1, granularity: 'block' });
  };

  it('stalls the adding layer in the dataflow model until its shortcut pixel is in the FIFO (1x1 plane, seed 208)', () => {
    const result = blockTiming(read(SAME_TIMESTEP));
    const first = (name: string): number => result.layers.find((l) => l.name === name)!.firstTimestep;
    // l1m and l1s both read l0's single pixel: l1s computes in l0's timestep + 1 and its pixel is in l1m's FIFO a
    // timestep later, so l1m computes then rather than with l1s.
    expect(first('l1s')).toBe(first('l0.conv') + 1);
    expect(first('l1m.conv')).toBe(first('l1s') + 1);
    // The plane's one pixel waited.
    expect(result.residualBuffers.map((b) => b.lateShortcutPixels)).toEqual([1]);
    expect(blockTiming(nearMissPlane()).residualBuffers.map((b) => b.lateShortcutPixels)).toEqual([0]);
  });

  it('the RTL waits for the shortcut and verifies bit-exact, timesteps included (1x1 plane)', async () => {
    await verifies(read(SAME_TIMESTEP), 100);
  }, 600_000);

  it('the RTL waits for the shortcut with both layers in 2x2 method-2 blocks reading a producer in 2x2 blocks', async () => {
    expect(blockTiming(read(SAME_TIMESTEP_BLOCKS)).residualBuffers[0].lateShortcutPixels).toBeGreaterThan(0);
    await verifies(read(SAME_TIMESTEP_BLOCKS));
  }, 600_000);

  describe('with the shortcut in columns of 2 and the add in 2x2 blocks (another pixel order)', () => {
    const text = read(SAME_TIMESTEP_BLOCKS).replace('size 32x32', 'size 128x32').replace('layer s: replicas 4, method 2, dw 2', 'layer s: replicas 2, method 1');
    const program = createProgram(designOf(text).design);
    const p: Prepared = { design: program.design, mapping: program.mapping, plan: program.memory, program, files: emitRtl(program) };
    const bits = neuronParametersOf(p.files, 'shortcut_blocks_c01').RES_PTR_BITS;

    it('each block waits for its last shortcut pixel, not for as many pixels as it reads', () => {
      expect(blockTiming(text).residualBuffers[0].lateShortcutPixels).toBeGreaterThan(0);
      expect(neuronParametersOf(p.files, 'shortcut_blocks_c01')).toMatchObject({ HAS_RES: 1, RES_TABLE: 1 });
    });

    it('verifies bit-exact on two images, timesteps included', async () => {
      const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
      expect(result.firstMismatch).toBeNull();
      expect(result.pass).toBe(true);
      expect(result.comparisons).toBeGreaterThan(2500);
    }, 600_000);

    it('fails at c3 when its first block waits for 4 shortcut pixels, the first to arrive (fault check)', async () => {
      // The block reads s's pixels 0, 1 (column 0) and 4, 5 (column 1 of the 4-row plane): it waits for 6.
      const result = await verifyEdited(p, 'shortcut_blocks_c01_res_slots.mem', (text) =>
        editShortcutTable(text, bits, (entry, i) => {
          if (i > 0) return entry;
          expect(entry.need).toBe(6);
          return { ...entry, need: 4 };
        }),
      );
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c3' });
    }, 300_000);
  });

  describe('with the adding layer in ragged blocks split in two column parts (random seed 6113 reduced)', () => {
    const p = prepare(SAME_TIMESTEP_COLUMNS);
    const bits = neuronParametersOf(p.files, 'shortcut_columns_c01').RES_PTR_BITS;
    /** What each block of a core waits for: the need field of its table's entries at a block's first pixel. */
    const needs = (core: string): number[] =>
      shortcutTable(p.files.find((f) => f.path === `rtl/shortcut_columns_${core}_res_slots.mem`)!.content, bits).map((e) => e.need);

    it('each part waits for its block\'s whole shortcut, also where none of its own replicas is in the plane', () => {
      expect(p.mapping.layers.find((l) => l.layer === 'c3')!.cores).toEqual(['c01', 'c02']);
      expect(blockTiming(read(SAME_TIMESTEP_COLUMNS)).residualBuffers[0].lateShortcutPixels).toBeGreaterThan(0);
      // A block's entries: the first part's pixels of replicas 0 and 1 (it ends inside 1), the second's of 1 and 2.
      const first = needs('c01').filter((_, i) => i % 2 === 0);
      expect(first).toEqual(needs('c02').filter((_, i) => i % 2 === 0));
      // The first block: only replica 2 (the second part's) is in the plane; the first part waits for its pixel too.
      expect(first[0]).toBe(1);
    });

    it('verifies bit-exact on two images, timesteps included', async () => {
      const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
      expect(result.firstMismatch).toBeNull();
      expect(result.pass).toBe(true);
      expect(result.comparisons).toBeGreaterThan(3000);
    }, 600_000);

    it('fails at the first part when its first block waits for its own replicas\' pixels only (fault check)', async () => {
      const result = await verifyEdited(p, 'shortcut_columns_c01_res_slots.mem', (text) =>
        editShortcutTable(text, bits, (entry, i) => (i > 0 ? entry : { ...entry, need: entry.need - 1 })),
      );
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: 'c01', layer: 'c3' });
    }, 300_000);
  });

  describe('while its producer sends on: the ring keeps the columns that arrive meanwhile (random seed 6393 on 256-row tiles)', () => {
    const p = prepare(LATE_SHORTCUT_RING);
    const l2m = p.mapping.layers.find((l) => l.layer === 'l2m.conv')!.cores[0];

    it("keeps 4 columns where the core's own timing keeps 3: the dataflow model's timing needs them", () => {
      // l2m's second pixel waits for its shortcut until l1's third block column (x = 4) is in, whose slot (4 mod 3)
      // holds column 1 of the window still to read.
      expect(p.program.blockDataflow.residualBuffers[0].lateShortcutPixels).toBeGreaterThan(0);
      expect(p.program.blockDataflow.layers.find((l) => l.name === 'l2m.conv')!.ringColumns).toEqual([4]);
      expect(planMemories(p.design, p.mapping).cores.find((c) => c.core === l2m)!.columns).toBe(3);
      expect(p.plan.cores.find((c) => c.core === l2m)!.columns).toBe(4);
      expect(controllerParametersOf(p.files, `late_shortcut_ring_${l2m}`).COLUMNS).toBe(4);
      // Only the waiting core's ring grows.
      const own = planMemories(p.design, p.mapping).cores;
      expect(p.plan.cores.filter((c, i) => c.columns !== own[i].columns).map((c) => c.core)).toEqual([l2m]);
    });

    lintAndVerifyTests(p, 1000);

    it("fails at l2m's ADC with the ring its own timing keeps (3 columns: the overrun of issue 19; fault check)", async () => {
      const unsized = createProgram(p.design, { mapping: p.mapping, memory: planMemories(p.design, p.mapping) });
      const result = await verifyRtlDirectory(writeFiles(emitRtl(unsized)), unsized, { cacheDir: TEST_CACHE });
      expect(result.pass).toBe(false);
      expect(result.firstMismatch).toMatchObject({ core: l2m, layer: 'l2m.conv', kind: 'adc' });
    }, 300_000);
  });
});

describe("a residual add of a layer's raw value whose ReLU is fused into that layer's core", () => {
  it("the producing core sends the raw value on the shortcut link next to its ReLU's output", () => {
    const plan = planRtl(createProgram(designOf(read(RAW_SHORTCUT)).design));
    const c1 = plan.cores.find((p) => p.layer.layer === 'c1')!;
    expect(c1.neuron!.shortcutTap).toEqual({ node: 'c1' });
    expect(plan.cores.filter((p) => p.layer.layer !== 'c1').every((p) => p.neuron?.shortcutTap === undefined)).toBe(true);
  });

  it('verifies bit-exact', async () => {
    await verifies(read(RAW_SHORTCUT));
  }, 600_000);

  it('a raw value before a pool of its core: the model times the add on that value', () => {
    // c1's 4x4 plane is pooled to 2x2 for c2 (3x3, pad 2: 4x4 again), which adds c1's unpooled value.
    const text = rawBeforePool();
    const { design } = designOf(text);
    const program = createProgram(design);
    // The shortcut is c1's computed plane (16 pixels), not its pooled output (4): no internal error (the model used
    // to throw), and the buffer holds c1's computed pixels until c2 adds them.
    const result = simulateDataflow(design, program.mapping, { batch: 1, activity: true });
    expect(result.outputs!.find((o) => o.layer === 'c1')!.timesteps).toHaveLength(4);
    expect(result.residualBuffers.map((b) => [b.layer, b.from])).toEqual([['c2', 'c1']]);
    expect(result.residualBuffers[0].pixels).toBeGreaterThan(4);
    const layer = (name: string) => result.layers.find((l) => l.name === name)!;
    expect(layer('c2').lastTimestep).toBeGreaterThan(layer('c1').lastTimestep);
  });

  it('sends a raw value before a pool of its core with every computed pixel, on a valid of its own (IMC112 before)', () => {
    const program = createProgram(designOf(rawBeforePool()).design);
    const c1 = planRtl(program).cores.find((p) => p.layer.layer === 'c1')!;
    expect(c1.neuron!.shortcutTap).toEqual({ node: 'c1', beforePool: true });
    const files = emitRtl(program);
    const top = files.find((f) => f.path === 'rtl/raw_shortcut_top.v')!.content;
    // c2's FIFO takes c1's computed pixels on c1's shortcut valid, not on its pooled pixels' valid.
    expect(top).toMatch(/\.res_valid_i \(layer_c1_shortcut_valid\)/);
    expect(top).toContain('assign layer_c1_shortcut_valid = raw_shortcut_c00_shortcut_valid;');
  });

  it('verifies bit-exact with a raw value before a pool of its core', async () => {
    await verifies(rawBeforePool(), 300);
  }, 600_000);

  it('verifies bit-exact with the raw value before a pool whose windows end together (the queue sends the pooled pixels)', async () => {
    const text = rawBeforePool().replace('maxpool(relu(c1), size 2)', 'maxpool(relu(c1), size 3, stride 1, pad 1)').replace('kernel 3x3, pad 2)', 'kernel 3x3, pad 1)');
    const files = emitRtl(createProgram(designOf(text).design));
    expect(files.find((f) => f.path === 'rtl/raw_shortcut_c00.v')!.content).toContain('wire [29-1:0]  shortcut_stream = pool_stream_0;');
    await verifies(text, 300);
  }, 600_000);

  it('fails when the shortcut goes with the pooled pixels (the add would read c1\'s pooled plane)', async () => {
    const program = createProgram(designOf(rawBeforePool()).design);
    const files = emitRtl(program).map((f) =>
      f.path === 'rtl/raw_shortcut_top.v'
        ? { ...f, content: f.content.replace('assign layer_c1_shortcut_valid = raw_shortcut_c00_shortcut_valid;', 'assign layer_c1_shortcut_valid = raw_shortcut_c00_out_valid;') }
        : f,
    );
    expect(files.find((f) => f.path === 'rtl/raw_shortcut_top.v')!.content).toContain('= raw_shortcut_c00_out_valid;');
    const result = await verifyRtlDirectory(writeFiles(files), program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).not.toBeNull();
  }, 600_000);
});

describe('the values a residual add in another core can read (issue 19: the refusals of two tapped values and of a value the datapath does not hold are unreachable)', () => {
  /** The raw-shortcut network with the add in c2 reading `first`, a second add in c3 reading `second`, c1's chain `chain`. */
  const twoAdds = (first: string, second: string, chain = '  x = relu(c1)\n'): string =>
    read(RAW_SHORTCUT)
      .replace('  x = relu(c1)\n', chain)
      .replace('add(batchnorm(c2), c1)', `add(batchnorm(c2), ${first})`)
      .replace('  logits = fc(flatten(gap(y)), out 3)', `  c3 = conv(y, out 4, kernel 3x3, pad 1)\n  z = relu(add(c3, ${second}))\n  logits = fc(flatten(gap(z)), out 3)`);
  /** The error codes of loading, mapping and planning the RTL of `text`. */
  const codes = (text: string): string[] => {
    const { design, diagnostics } = load(text);
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    if (errors.length > 0) return errors;
    try {
      planRtl(createProgram(design!));
      return [];
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      return err.diagnostics.map((d) => d.code);
    }
  };

  it("reads a layer's own value or its core's output: an intermediate value is IMC054 when mapped, so no core sends two values", () => {
    // c1's own value and its core's output x: one tapped value.
    expect(codes(twoAdds('c1', 'x'))).toEqual([]);
    expect(planRtl(createProgram(designOf(twoAdds('c1', 'x')).design)).cores.find((p) => p.layer.layer === 'c1')!.neuron!.shortcutTap).toEqual({ node: 'c1' });
    // The ReLU inside c1's core, before its pool, is not readable outside it.
    expect(codes(twoAdds('c1', 'r1', '  r1 = relu(c1)\n  x = maxpool(r1, size 3, stride 1, pad 1)\n'))).toEqual(['IMC054']);
  });

  it('the accumulation before a batch norm is no value another core can read (IMC213)', () => {
    expect(codes(twoAdds('c1', 'x', '  b1 = batchnorm(c1)\n  x = relu(b1)\n'))).toEqual(['IMC213']);
  });
});

describe('a residual add of a value before the pool of a replicated core (IMC112 before)', () => {
  const coreOf = (program: ReturnType<typeof createProgram>, layer: string): string => program.mapping.cores.find((c) => c.layer === layer && c.role !== 'partial')!.id;

  it("sends every block it computes on the shortcut link: the adding core's FIFO takes the source's blocks, not its pooled pixels", () => {
    const program = createProgram(designOf(read(REPLICATED_RAW)).design);
    const plan = planRtl(program);
    expect(plan.cores.find((p) => p.layer.layer === 'c1')!.neuron!.shortcutTap).toEqual({ node: 'c1', beforePool: true });
    const files = emitRtl(program);
    // c2 takes c1's 2x2 blocks (four pixels per arrival, one pooled pixel leaves per block) in its own column order.
    expect(neuronParametersOf(files, `replicated_raw_shortcut_${coreOf(program, 'c2')}`)).toMatchObject({ HAS_RES: 1, RES_IN: 4, RES_TABLE: 1 });
    const top = files.find((f) => f.path === 'rtl/replicated_raw_shortcut_top.v')!.content;
    expect(top).toMatch(/\.res_valid_i \(layer_c1_shortcut_valid\)/);
    // The residual link carries the four computed pixels of a block per timestep, more than the pooled pixels.
    const links = program.singleImageDataflow.links.filter((l) => l.from === coreOf(program, 'c1') && l.to === coreOf(program, 'c2'));
    const transfers = Object.fromEntries(links.map((l) => [l.kind, l.transfersPerTimestep]));
    expect(transfers.residual).toBe(4);
    expect(transfers.feedforward).toBeLessThan(4);
  });

  it('verifies bit-exact: 2x2 method-2 blocks pooled by position, the add through a table of slots', async () => {
    await verifies(read(REPLICATED_RAW), 200);
  }, 600_000);

  it('verifies bit-exact: 3 replicas in columns (edge blocks) into 2 replicas', async () => {
    const program = createProgram(designOf(replicatedEdgeRaw()).design);
    expect(neuronParametersOf(emitRtl(program), `replicated_raw_shortcut_${coreOf(program, 'c2')}`)).toMatchObject({ HAS_RES: 1, RES_IN: 3, RES_TABLE: 1 });
    await verifies(replicatedEdgeRaw(), 200);
  }, 600_000);

  it("fails at c2 when the shortcut goes with c1's pooled pixels (every second block)", async () => {
    const program = createProgram(designOf(replicatedEdgeRaw()).design);
    const c1 = `replicated_raw_shortcut_${coreOf(program, 'c1')}`;
    const files = emitRtl(program).map((f) =>
      f.path === 'rtl/replicated_raw_shortcut_top.v'
        ? { ...f, content: f.content.replace(`assign layer_c1_shortcut_valid = ${c1}_shortcut_valid;`, `assign layer_c1_shortcut_valid = ${c1}_out_valid;`) }
        : f,
    );
    expect(files.find((f) => f.path === 'rtl/replicated_raw_shortcut_top.v')!.content).toContain(`= ${c1}_out_valid;`);
    const result = await verifyRtlDirectory(writeFiles(files), program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2' });
  }, 600_000);
});

/** The replicated-raw-shortcut network with c1 in columns of 3 (edge blocks on its 4 rows), c2 in 2 replicas. */
function replicatedEdgeRaw(): string {
  return read(REPLICATED_RAW)
    .replace('layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 3, method 1\n    layer c2: replicas 2, method 1');
}

/** The seed-208 network on a 9x9 image: l0's plane is 3x3 (and the input memory deep enough for it). */
function nearMissPlane(): string {
  return read(SAME_TIMESTEP).replace('input image: 1x3x5', 'input image: 1x9x9').replace('depth 10', 'depth 32');
}

/** The raw-shortcut network with a 2x2 max pool after c1's ReLU (c2 pads by 2 to get c1's plane back). */
function rawBeforePool(): string {
  return read(RAW_SHORTCUT)
    .replace('input image: 2x6x6', 'input image: 2x4x4')
    .replace('  x = relu(c1)\n', '  x = maxpool(relu(c1), size 2)\n')
    .replace('c2 = conv(x, out 4, kernel 3x3, pad 1)', 'c2 = conv(x, out 4, kernel 3x3, pad 2)');
}
