// planMemories / coreSchedule on hand-built designs mapped by mapDesign: layout choice, figures, diagnostics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { mapDesign } from '../../src/mapping/index.js';
import { coreSchedule, planMemories, replaySchedule, expectedPatch, cyclesPerTimestep, makeLayout, readCyclesPerComputation } from '../../src/memory/index.js';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { NetBuilder, design, directive, resnet32, span, target } from '../mapping/fixtures.js';
import type { IrTarget, LayoutChoice } from '../../src/ir/types.js';

function smallNet(t: IrTarget = target(), layout: LayoutChoice = 'auto', replicas = 1, dW = 1) {
  const b = new NetBuilder();
  const x = b.input('image', { channels: 3, height: 8, width: 8 });
  const c1 = b.conv('conv1', x, 4, 3, 1, 1, { mapping: { ...directive(replicas, dW, 3), layout, span: span(3, 5, 7) } });
  const r = b.unary('relu1', 'relu', c1);
  const c2 = b.conv('conv2', r, 6, 3, 2, 1);
  const f = b.fc('fc', b.unary('flatten', 'flatten', c2), 10);
  return design(b, f, t);
}

function expectDiagnostic(f: () => unknown, code: string, line: number, text: RegExp): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DiagnosticError);
    const d = (err as DiagnosticError).diagnostics.find((x) => x.code === code);
    expect(d, `expected ${code}`).toBeDefined();
    expect(d!.span.line).toBe(line);
    expect(d!.message).toMatch(text);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('planMemories', () => {
  it('ResNet-32 (section 3.1): IWAP for layer 1 at 0.288 KB, about 1.5 KB or less for the others, all within 512 words', () => {
    const d = resnet32();
    const mapping = mapDesign(d);
    const plan = planMemories(d, mapping);
    expect(plan.cores.length).toBe(mapping.cores.length);
    const first = plan.cores[0];
    expect(first.layer).toBe('conv1');
    expect(first.layout).toBe('IWAP');
    expect(first.figures.memoryKB).toBeCloseTo(0.288, 6);
    expect(first.minOccupancy).toBe(32 * (3 - 1 - 1) + (3 - 1));
    for (const c of plan.cores) {
      expect(c.figures.words).toBeLessThanOrEqual(512);
      expect(c.figures.memoryKB).toBeLessThanOrEqual(1.536 + 1e-9);
    }
    expect(plan.cyclesPerTimestep).toBe(100);
  });

  it('layer directive PLIP wins over the target, and its reads fit', () => {
    const d = smallNet(target(), 'PLIP');
    const plan = planMemories(d, mapDesign(d));
    const c = plan.cores.find((x) => x.layer === 'conv1')!;
    expect(c.layout).toBe('PLIP');
    expect(c.layoutChoice).toBe('PLIP');
    // 3 kernel rows, each of 3 pixels of 24 bits in its own 128-bit word.
    expect(c.readCyclesPerTimestep).toBe(9);
    expect(c.deltaPixBits).toEqual([0, 128, 256]);
  });

  it('IMC070: an explicit layout needing more words than the depth, positioned at the target memory', () => {
    const t = target();
    t.inputMemory = { ...t.inputMemory, depth: 20, layout: 'PLIP', span: span(44, 3, 12) };
    const d = smallNet(t);
    expectDiagnostic(() => planMemories(d, mapDesign(d)), 'IMC070', 44, /core c00 .*PLIP.*needs 24 words.*depth 20/);
  });

  it('IMC071: reads that do not fit the timestep with the layout chosen, positioned at the directive', () => {
    const t = target();
    t.controller = { ...t.controller, clockHz: 50e6, timestepNs: 100 };
    const d = smallNet(t, 'PLIP');
    expectDiagnostic(() => planMemories(d, mapDesign(d)), 'IMC071', 3, /core c00 .*9 clock cycles.*gives 5/);
  });

  it('IMC072: auto finds no layout that fits, positioned at the target memory line', () => {
    const t = target();
    t.inputMemory = { ...t.inputMemory, depth: 2, span: span(45, 3, 12) };
    const d = smallNet(t);
    expectDiagnostic(() => planMemories(d, mapDesign(d)), 'IMC072', 45, /no layout fits: IWAP needs \d+ words \(depth 2\)/);
  });

  it('auto picks the least memory whose reads fit: KLIP when IWAP\'s unaligned rows take one cycle too many', () => {
    // conv1: 3 channels x 8 bits = 24-bit pixels, 128-bit words: IWAP rows take [1, 2] words, KLIP 1.
    const t = target();
    t.controller = { ...t.controller, clockHz: 50e6, timestepNs: 100 };
    const b = new NetBuilder();
    const c1 = b.conv('conv1', b.input('image', { channels: 3, height: 8, width: 8 }), 4, 3, 1, 1);
    const d = design(b, c1, t);
    const plan = planMemories(d, mapDesign(d));
    const c = plan.cores.find((x) => x.layer === 'conv1')!;
    expect(c.candidates.find((x) => x.layout === 'IWAP')!.readCyclesPerTimestep).toBe(6);
    expect(c.layout).toBe('KLIP');
  });

  it('cyclesPerTimestep: clock x timestep, floored', () => {
    expect(cyclesPerTimestep(1e9, 100)).toBe(100);
    expect(cyclesPerTimestep(333e6, 10)).toBe(3);
  });

  it('coreSchedule replays to the convolution patches for every core of a replicated, strided network', () => {
    const d = smallNet(target(), 'auto', 4, 2);
    const mapping = mapDesign(d);
    const plan = planMemories(d, mapping);
    for (const c of plan.cores) {
      const s = coreSchedule(plan, c.core);
      expect(s.header.layout).toBe(c.layout);
      const p = c.params;
      const input = Array.from({ length: p.height }, (_, y) =>
        Array.from({ length: p.width }, (_, x) => Array.from({ length: p.channels }, (_, ch) => (y * 7 + x * 3 + ch) % 2 ** p.bits)),
      );
      const patches = replaySchedule(s, p.replicas, input);
      expect(patches.length).toBe(s.header.outputHeight * s.header.outputWidth);
      for (const q of patches) expect(q.patch).toEqual(expectedPatch(s, input, q.oy, q.ox));
    }
  });

  it('a ragged block (7 replicas, dW 3): every core replays to its patches; one computation reads 23 region positions', () => {
    const d = smallNet(target(), 'auto', 7, 3);
    const mapping = mapDesign(d);
    const plan = planMemories(d, mapping);
    for (const c of plan.cores) {
      const s = coreSchedule(plan, c.core);
      const p = c.params;
      const input = Array.from({ length: p.height }, (_, y) =>
        Array.from({ length: p.width }, (_, x) => Array.from({ length: p.channels }, (_, ch) => (y * 7 + x * 3 + ch) % 2 ** p.bits)),
      );
      const patches = replaySchedule(s, p.replicas, input);
      expect(patches.length).toBe(s.header.outputHeight * s.header.outputWidth);
      for (const q of patches) expect(q.patch).toEqual(expectedPatch(s, input, q.oy, q.ox));
    }
    const conv1 = plan.cores.find((c) => c.params.layer === 'conv1')!;
    // Columns of 3, 3 and 1 replicas of a 3x3 kernel: rows 0..4 of region columns 0..3, rows 0..2 of column 4
    // (the 368 / 16 rows of imcc replicate's 7-replica, dW-3 matrix); the reads count the runs of each row.
    const s = coreSchedule(plan, conv1.core);
    const first = s.ops.filter((o) => o.block === 3 && (o.op === 'R' || o.op === 'Z'));
    expect(first.length).toBe(23);
    expect(readCyclesPerComputation(conv1.params, makeLayout(conv1.layout, { height: 8, columns: s.header.columns, channels: 3, bits: 8, wordBits: 8 * 3 }))).toBe(23);
    // conv2 receives conv1's pixels seven at a time, in conv1's lattice order.
    const conv2 = plan.cores.find((c) => c.params.layer === 'conv2')!;
    expect(conv2.params.arrivalsPerTimestep).toBe(7);
  });

  it('row-split layers (ResNet-32 layers 23-31): each core reads the kernel positions of its own rows, together all', () => {
    const d = resnet32();
    const mapping = mapDesign(d);
    const plan = planMemories(d, mapping);
    const split = mapping.layers.filter((l) => l.rowParts === 2);
    expect(split.length).toBe(9);
    for (const lm of split) {
      const union = new Set<string>();
      for (const id of lm.cores) {
        const core = mapping.cores.find((c) => c.id === id)!;
        const rows = lm.matrix.rowSources.slice(core.part.rowStart, core.part.rowEnd);
        const own = new Set(rows.map((r) => `${r.dy},${r.dx}`));
        const s = coreSchedule(plan, id);
        const read = new Set(s.ops.filter((o) => o.block === 5 && (o.op === 'R' || o.op === 'Z')).map((o) => `${o.dy},${o.dx}`));
        expect(read).toEqual(own);
        expect(s.header.channels).toBe(new Set(rows.map((r) => r.channel)).size);
        for (const k of read) union.add(k);
      }
      expect(union.size).toBe(9);
    }
  });
});

describe('rings widened for a wait the memory timing does not see (ringColumns: a residual add stalls its core)', () => {
  // test/verify/fixtures/late-shortcut-ring.imc: l2m waits for its shortcut while l1's third block column arrives.
  const fixture = readFileSync('test/verify/fixtures/late-shortcut-ring.imc', 'utf8');
  const load = (text: string) => {
    const loaded = loadDesign('main.imc', (file) => {
      if (file === 'main.imc') return text;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
    const d = loaded.design!;
    return { d, mapping: mapDesign(d), l2m: (m: ReturnType<typeof mapDesign>) => m.layers.find((l) => l.layer === 'l2m.conv')!.cores };
  };

  it('keeps the larger of its own columns and the given ones, in the plan, the schedule and the words', () => {
    const { d, mapping, l2m } = load(fixture);
    const [core] = l2m(mapping);
    const own = planMemories(d, mapping);
    const widened = planMemories(d, mapping, { ringColumns: new Map([[core, 4], [mapping.cores[0].id, 1]]) });
    const at = (plan: typeof own) => plan.cores.find((c) => c.core === core)!;
    expect(at(own).columns).toBe(3);
    expect(at(widened).columns).toBe(4);
    expect(at(widened).figures.words).toBeGreaterThan(at(own).figures.words);
    expect(coreSchedule(widened, core).header.columns).toBe(4);
    // Fewer columns than its own timing needs change nothing.
    expect(widened.cores[0].columns).toBe(own.cores[0].columns);
    // The widened ring's schedule still gives every output pixel its patch.
    const s = coreSchedule(widened, core);
    const p = at(widened).params;
    const input = Array.from({ length: p.height }, (_, y) => Array.from({ length: p.width }, (_, x) => Array.from({ length: p.channels }, (_, ch) => (y * 7 + x * 3 + ch) % 2 ** p.bits)));
    const patches = replaySchedule(s, p.replicas, input);
    expect(patches.length).toBe(3);
    for (const q of patches) expect(q.patch).toEqual(expectedPatch(s, input, q.oy, q.ox));
  });

  it('IMC076: a widened ring that no longer fits the depth, at the memory line, with the depth that fits', () => {
    // l1 with 48 channels: l2m's first row part keeps 2x4 pixels of 336 bits (42 words as IWAP), 32 words without
    // the wait; the depth is 40.
    const text = fixture.replace('out 3, kernel 3x3, pad 1))  ', 'out 48, kernel 3x3, pad 1)) ').replace('depth 64', 'depth 40');
    const { d, mapping, l2m } = load(text);
    const [first] = l2m(mapping);
    expect(() => planMemories(d, mapping)).not.toThrow();
    // The Program hands the plan the block dataflow's ring columns: 4 for this core.
    expect(() => createProgram(d).memory).toThrow(new RegExp(`IMC076: core ${first} .* must keep 4 columns`));
    expectDiagnostic(
      () => planMemories(d, mapping, { ringColumns: new Map([[first, 4]]) }),
      'IMC076',
      14,
      new RegExp(
        `core ${first} \\(layer 'l2m.conv'\\) waits for its residual shortcut while its producer sends on: its input ring must keep 4 columns ` +
          `\\(3 without the wait\\), 2x4 pixels of 336 bits, more than the input memory's depth 40 holds: IWAP needs 42 words \\(depth 40\\).*` +
          `it would fit with a depth of 42 words \\(IWAP\\)`,
      ),
    );
  });
});

describe('replica hints plan the count they name with its wait (IMC070-IMC072, IMC076)', () => {
  // late-shortcut-ring.imc on a 4x6 l1 plane (image 3x10x15), 16 channels, l0 in 2x2 blocks, depth 28: l2m keeps 5
  // ring columns when l1 sends 3x2 blocks (6 replicas: no wait, 35 words as IWAP), and in 2x2 blocks (4 replicas) also
  // 5, 3 of its own and 2 for its wait; in 1x2 blocks (2 replicas) 3 columns.
  const fixture = readFileSync('test/verify/fixtures/late-shortcut-ring.imc', 'utf8');
  const program = (l1Replicas: number) => {
    const text = fixture
      .replace('out 3, kernel 3x3, pad 1))  ', 'out 16, kernel 3x3, pad 1)) ')
      .replace('3x6x13', '3x10x15')
      .replace('depth 64', 'depth 28')
      .replace('layer l1: replicas 4,', `layer l0: replicas 4, method 2, dw 2, layout auto\n    layer l1: replicas ${l1Replicas},`);
    const loaded = loadDesign('main.imc', (file) => {
      if (file === 'main.imc') return text;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
    return createProgram(loaded.design!);
  };

  it("names 2 replicas of l1, not 4 (which fits l2m's own columns but not its wait's), and 2 compiles", () => {
    expectDiagnostic(() => program(6).memory, 'IMC072', 14, /core c03 \(layer 'l2m.conv', 4x5 pixels .* or 2 replicas of layer 'l1.conv' \(6 now\)$/);
    // The count a hint blind to the wait would name: its ring does not fit, and IMC076 names 2 as well.
    expectDiagnostic(
      () => program(4).memory,
      'IMC076',
      14,
      /core c02 \(layer 'l2m.conv'\) .* must keep 5 columns \(3 without the wait\).* or 2 replicas of layer 'l1.conv' \(4 now\)$/,
    );
    expect(program(2).memory.cores.find((c) => c.layer === 'l2m.conv')!.columns).toBe(3);
  });
});
