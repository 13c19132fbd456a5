// Read cycles per timestep count what each core reads (issue 19): a row part reads only its own positions, and only
// the columns one computation covers, not whole stored rows of the ring. And when a core truly does not fit, IMC072
// says what would make it fit.
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign, LayoutChoice } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { coreSchedule, planMemories } from '../../src/memory/index.js';

function load(path: string): IrDesign {
  const loaded = loadDesign(path);
  if (!loaded.design) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  return loaded.design;
}

/** The most words one computation of the core's own schedule reads. */
function scheduleReadsPerComputation(plan: ReturnType<typeof planMemories>, core: string): number {
  const words = new Map<number, number>();
  for (const op of coreSchedule(plan, core).ops) {
    if (op.op === 'R') words.set(op.block!, (words.get(op.block!) ?? 0) + op.lastWord! - op.word! + 1);
  }
  return Math.max(...words.values());
}

function withReplicas(design: IrDesign, layer: string, replicas: number, layout: LayoutChoice): IrDesign {
  const node = design.network.nodes.find((n) => n.name === layer)!;
  node.mapping = { replicas, dW: 1, method: 1, layout, span: node.span };
  return design;
}

function diagnosticsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics.map((d) => `${d.code}: ${d.message}`);
    throw e;
  }
  throw new Error('no diagnostic');
}

describe('read cycles of row parts', () => {
  it('a VGG-style network with 5x5 layers in 7 row parts fits 50 cycles (it was 80-100: IMC072)', () => {
    const design = load('test/verify/fixtures/vgg.imc');
    const mapping = mapDesign(design);
    const plan = planMemories(design, mapping);
    const parts = plan.cores.filter((c) => c.layer === 'c3.conv');
    expect(parts).toHaveLength(7);
    for (const c of parts) {
      expect(c.readCyclesPerTimestep).toBeLessThanOrEqual(24);
      // Never less than the core's own schedule reads in one computation.
      expect(c.readCyclesPerTimestep).toBeGreaterThanOrEqual(scheduleReadsPerComputation(plan, c.core));
    }
  });

  it('the ImageNet ResNet-18 front (7x7/2 stem, 3x3/2 pad-1 max pool, 64-channel row parts) plans at 224x224', () => {
    const design = load('test/memory/fixtures/resnet18-stem.imc');
    const plan = planMemories(design, mapDesign(design));
    expect(plan.cores.length).toBeGreaterThanOrEqual(8);
    for (const c of plan.cores) expect(c.readCyclesPerTimestep).toBeLessThanOrEqual(plan.cyclesPerTimestep);
  });

  it('the VGG-style CIFAR network plans: c6.conv (7x5 pixels of 512 bits, 7 row parts) reads 16-20 words of 50 (it was 80)', () => {
    const design = load('test/memory/fixtures/vgg-cifar.imc');
    const plan = planMemories(design, mapDesign(design));
    const parts = plan.cores.filter((c) => c.layer === 'c6.conv');
    expect(parts).toHaveLength(7);
    for (const c of parts) {
      expect([c.height, c.columns, c.channels * c.activationBits]).toEqual([7, 5, 512]);
      expect(c.readCyclesPerTimestep).toBeLessThanOrEqual(20);
      expect(c.readCyclesPerTimestep).toBeGreaterThanOrEqual(scheduleReadsPerComputation(plan, c.core));
    }
    for (const c of plan.cores) expect(c.readCyclesPerTimestep).toBeLessThanOrEqual(plan.cyclesPerTimestep);
  });

  it('the VGG-style CIFAR network compiles, RTL included (no IMC112; only link-bandwidth warnings)', () => {
    const loaded = loadDesign('test/memory/fixtures/vgg-cifar.imc');
    const result = compileDesign({ design: loaded.design!, sources: loaded.sources, version: '0.0.0' });
    expect(result.files.some((f) => f.path === 'rtl/vgg_cifar_top.v')).toBe(true);
    expect([...new Set(result.warnings.map((w) => w.code))]).toEqual(['IMC090']);
  }, 120_000);

  it('the whole ImageNet ResNet-18 at 224x224 plans: every core reads at most 24 words of 50 (IMC072 in issue 19 said 72)', () => {
    const design = load('test/memory/fixtures/resnet18-imagenet.imc');
    const plan = planMemories(design, mapDesign(design));
    expect(plan.cores.length).toBeGreaterThan(100);
    expect(Math.max(...plan.cores.map((c) => c.readCyclesPerTimestep))).toBe(24);
    expect(Math.max(...plan.cores.map((c) => c.figures.words))).toBeLessThanOrEqual(design.target.inputMemory.depth);
  });

  it('IMC071 names the replica count to drop to: 8 stem replicas read 63 cycles, 5 fit (idle replicas at the 112-row plane\'s edge)', () => {
    const design = withReplicas(load('test/memory/fixtures/resnet18-stem.imc'), 'stem.conv', 8, 'IWAP');
    const messages = diagnosticsOf(() => planMemories(design, mapDesign(design)));
    expect(messages[0]).toBe(
      "IMC071: core c02 (layer 'stem.conv'): IWAP reads take 63 clock cycles per timestep; the controller gives 50 " +
        "(500000000 Hz x 100 ns; a timestep of 126 ns would fit it, or 256-bit words, or 5 replicas of layer 'stem.conv' (8 now))",
    );
  });

  it('IMC070 names the depth and the wider word that fit the layout asked for', () => {
    const design = load('test/memory/fixtures/resnet18-stem.imc');
    design.target.inputMemory = { ...design.target.inputMemory, depth: 512, layout: 'IWAP' };
    const messages = diagnosticsOf(() => planMemories(design, mapDesign(design)));
    expect(messages[0]).toMatch(/^IMC070: core c01 .*IWAP layout .* needs 672 words of 128 bits; the input memory has depth 512 \(a depth of 672 would fit it, or 256-bit words\)$/);
  });

  it("IMC072 names the producer's replicas when its pixels arriving together make the ring too deep", () => {
    const design = withReplicas(load('test/memory/fixtures/resnet18-stem.imc'), 'c1.conv', 2, 'auto');
    const messages = diagnosticsOf(() => planMemories(design, mapDesign(design)));
    expect(messages[0]).toMatch(/^IMC072: core c04 \(layer 'c2.conv', 56x30 pixels of 512 bits\): no layout fits: IWAP needs 6720 words \(depth 1024\)/);
    expect(messages[0]).toMatch(/it would fit with a depth of 6720 words \(IWAP\), or 1024-bit words \(IWAP\), or 1 replica of layer 'c1.conv' \(2 now\)$/);
  });

  it('IMC072 says which depth, timestep or word width would make a core fit', () => {
    const design = load('test/memory/fixtures/resnet18-stem.imc');
    design.target.inputMemory = { ...design.target.inputMemory, depth: 512 };
    let error: unknown;
    try {
      planMemories(design, mapDesign(design));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    const messages = (error as DiagnosticError).diagnostics.map((d) => `${d.code}: ${d.message}`);
    expect(messages[0]).toMatch(/^IMC072: core c01 .*IWAP needs 672 words \(depth 512\).*; it would fit with a depth of 672 words \(IWAP\), or 256-bit words \(IWAP\)$/);
  });

  it('IMC072 names the shortest timestep when the reads are what does not fit', () => {
    const design = load('test/memory/fixtures/resnet18-stem.imc');
    design.target.controller = { ...design.target.controller, clockHz: 50e6 };
    let error: unknown;
    try {
      planMemories(design, mapDesign(design));
    } catch (e) {
      error = e;
    }
    const messages = (error as DiagnosticError).diagnostics.map((d) => d.message);
    expect(messages.some((m) => /it would fit with .*a timestep of \d+ ns \((IWAP|KLIP|PLIP), \d+ read cycles\)/.test(m))).toBe(true);
  });
});
