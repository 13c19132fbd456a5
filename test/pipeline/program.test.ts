// A compile runs each phase once: the phase functions are wrapped in spies (the modules the Program imports them
// from), so a phase an emitter ran again outside the Program would be counted here too.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadDesignForCli } from '../../src/cli/design.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { mapDesign } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { compileReference, referenceInference } from '../../src/reference/index.js';
import { createProgram, REPORT_BATCH, type Phase } from '../../src/pipeline/program.js';
import { cycleCap } from '../../src/verify/index.js';

vi.mock('../../src/mapping/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/mapping/index.js')>();
  return { ...actual, mapDesign: vi.fn(actual.mapDesign) };
});
vi.mock('../../src/memory/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/memory/index.js')>();
  return { ...actual, planMemories: vi.fn(actual.planMemories) };
});
vi.mock('../../src/dataflow/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/dataflow/index.js')>();
  return { ...actual, simulateDataflow: vi.fn(actual.simulateDataflow) };
});
vi.mock('../../src/reference/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/reference/index.js')>();
  return { ...actual, compileReference: vi.fn(actual.compileReference), referenceInference: vi.fn(actual.referenceInference) };
});

const lenet = loadDesignForCli('examples/lenet.imc');

/** Dataflow simulations of the design (not of the report sweep's variants) with BATCH images; the report's charts simulate other batch sizes on purpose. */
function dataflowRuns(batch: number): number {
  return vi.mocked(simulateDataflow).mock.calls.filter(([design, , options]) => design === lenet.design && options.batch === batch).length;
}

/** Calls of SPY on the design itself: the report's replication sweep maps variants of it, which are other designs. */
function callsOnDesign(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter(([design]) => design === lenet.design).length;
}

function phaseCounter(): { onPhase: (phase: Phase) => void; counts: Map<Phase, number> } {
  const counts = new Map<Phase, number>();
  return { counts, onPhase: (phase) => counts.set(phase, (counts.get(phase) ?? 0) + 1) };
}

describe('Program', () => {
  beforeEach(() => vi.clearAllMocks());

  it('imcc compile (with NeuroSim traces) runs mapping, memory, both dataflows and the reference compile once each', () => {
    const { counts, onPhase } = phaseCounter();
    const result = compileDesign({ design: lenet.design, sources: lenet.sources, version: '0.1.0', neurosimTraces: true, onPhase });
    expect(result.files.some((f) => f.path.startsWith('rtl/'))).toBe(true);
    expect(result.files.some((f) => f.path.startsWith('configs/neurosim/input_'))).toBe(true);
    expect([...counts].sort()).toEqual(
      (['mapping', 'memory', 'reference', 'reportDataflow', 'singleImageDataflow'] as const).map((p) => [p, 1]),
    );
    expect(callsOnDesign(vi.mocked(mapDesign))).toBe(1);
    expect(callsOnDesign(vi.mocked(planMemories))).toBe(1);
    expect(callsOnDesign(vi.mocked(compileReference))).toBe(1);
    expect(vi.mocked(referenceInference)).not.toHaveBeenCalled();
    expect(dataflowRuns(REPORT_BATCH)).toBe(1);
    expect(dataflowRuns(1)).toBe(1);
    expect(result.dataflow).toBe(result.program.reportDataflow);
    expect(result.dataflow.batch).toBe(REPORT_BATCH);
    expect(result.program.singleImageDataflow.batch).toBe(1);
  });

  it("the RTL's FIFO depths and verify's cycle cap share the one-image dataflow", () => {
    const { counts, onPhase } = phaseCounter();
    const program = createProgram(lenet.design, { onPhase });
    expect(counts.size).toBe(0);
    emitRtl(program);
    const cap = cycleCap(program);
    expect(cap.expected).toBeGreaterThan(0);
    expect(counts.get('singleImageDataflow')).toBe(1);
    expect(counts.has('reportDataflow')).toBe(false);
    expect(dataflowRuns(1)).toBe(1);
  });

  it('a mapping and memory plan handed in are used as they are', () => {
    const { counts, onPhase } = phaseCounter();
    const mapping = mapDesign(lenet.design);
    const memory = planMemories(lenet.design, mapping);
    const program = createProgram(lenet.design, { mapping, memory, onPhase });
    expect(program.mapping).toBe(mapping);
    expect(program.memory).toBe(memory);
    expect(counts.size).toBe(0);
  });
});
