// Two residual adds whose generated RTL computed wrong activations (issue 19), now refused with a positioned IMC112,
// each next to a near-miss network that still compiles and verifies bit-exact:
// 1. the shortcut is computed in the same timestep as the adding block (the neuron core reads its shortcut FIFO when
//    it computes the pixel; nothing waits for a later shortcut pixel): found with the dataflow model at `block`
//    granularity, the timing the RTL follows;
// 2. the add takes a layer's raw value while a ReLU is fused into that layer's core (only the ReLU's output leaves it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { compileDesign } from '../../src/emit/compile.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { DiagnosticError, type Diagnostic } from '../../src/diagnostics/index.js';
import type { IrDesign } from '../../src/ir/types.js';
import { TEST_CACHE, writeFiles } from '../rtl/helpers.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';

const SAME_TIMESTEP = 'test/verify/fixtures/same-timestep-shortcut.imc';
const SAME_TIMESTEP_BLOCKS = 'test/verify/fixtures/same-timestep-shortcut-blocks.imc';
const RAW_SHORTCUT = 'test/verify/fixtures/raw-shortcut.imc';

function designOf(text: string): { design: IrDesign; sources: Map<string, string> } {
  const { design, diagnostics, sources } = loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { design: design!, sources };
}

function refusal(text: string): Diagnostic {
  try {
    emitRtl(createProgram(designOf(text).design));
  } catch (err) {
    expect(err).toBeInstanceOf(DiagnosticError);
    const diagnostics = (err as DiagnosticError).diagnostics;
    expect(diagnostics).toHaveLength(1);
    return diagnostics[0];
  }
  throw new Error('the RTL generator accepted the design');
}

/** The (1-based) line of `text` holding `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

async function verifies(text: string): Promise<void> {
  const program = createProgram(designOf(text).design);
  const result = await verifyRtlDirectory(writeFiles(emitRtl(program)), program, { cacheDir: TEST_CACHE });
  expect(result.firstMismatch).toBeNull();
  expect(result.pass).toBe(true);
  expect(result.comparisons).toBeGreaterThan(500);
}

const read = (path: string): string => readFileSync(path, 'utf8');

describe('a residual add whose shortcut is computed in the same timestep as the adding block', () => {
  it('is IMC112 at the add, naming the late shortcut (1x1 plane, seed 208 of the random sweep)', () => {
    const text = read(SAME_TIMESTEP);
    const d = refusal(text);
    expect(d.code).toBe('IMC112');
    expect(d.span.line).toBe(lineOf(text, 'l1 = relu(add(l1m, l1s))'));
    expect(d.message).toContain("a residual add whose shortcut from 'l1s' arrives after the layer has computed the pixel");
    expect(d.message).toContain("(node 'l1.add')");
  });

  it('counts the late shortcut pixels in the dataflow model, and none on a 3x3 plane', () => {
    const late = (text: string): number[] => {
      const { design } = designOf(text);
      const program = createProgram(design);
      return simulateDataflow(design, program.mapping, { batch: 1, granularity: 'block' }).residualBuffers.map((b) => b.lateShortcutPixels);
    };
    // Batch 1 is timed as two images: one late pixel (the only one) in each.
    expect(late(read(SAME_TIMESTEP))).toEqual([2]);
    expect(late(nearMissPlane())).toEqual([0]);
  });

  it('compile warns with IMC183 (quoting the IMC112 refusal) and writes no rtl/ or tb/', () => {
    const { design, sources } = designOf(read(SAME_TIMESTEP));
    const result = compileDesign({ design, sources, version: '0.1.0' });
    expect(result.warnings.map((w) => w.code)).toContain('IMC183');
    expect(result.files.filter((f) => f.path.startsWith('rtl/') || f.path.startsWith('tb/'))).toEqual([]);
    expect(result.files.map((f) => f.path)).toContain('mapping.json');
  });

  it('near miss: on a 3x3 plane the shortcut comes a step earlier and the design verifies bit-exact', async () => {
    await verifies(nearMissPlane());
  }, 600_000);

  it('is IMC112 with both layers in 2x2 method-2 blocks reading a producer in 2x2 blocks', () => {
    const text = read(SAME_TIMESTEP_BLOCKS);
    const d = refusal(text);
    expect(d.code).toBe('IMC112');
    expect(d.span.line).toBe(lineOf(text, 'z = relu(add(batchnorm(c3), batchnorm(s)))'));
    expect(d.message).toContain("a residual add whose shortcut from 's' arrives after the layer has computed the pixel");
  });

  it('near miss: the same blocks reading an unreplicated producer verify bit-exact', async () => {
    await verifies(read(SAME_TIMESTEP_BLOCKS).replace('    layer c1: replicas 4, method 2, dw 2\n', ''));
  }, 600_000);
});

describe("a residual add of a layer's raw value whose ReLU is fused into that layer's core", () => {
  it('is IMC112 at the add, naming the value the core sends instead', () => {
    const text = read(RAW_SHORTCUT);
    const d = refusal(text);
    expect(d.code).toBe('IMC112');
    expect(d.span.line).toBe(lineOf(text, 'y = relu(add(batchnorm(c2), c1))'));
    expect(d.message).toContain("a residual add of 'c1', whose core 'c1' sends 'x' instead");
  });

  it('near miss: the raw value of a layer with nothing fused verifies bit-exact', async () => {
    await verifies(read(RAW_SHORTCUT).replace('  x = relu(c1)\n  c2 = conv(x,', '  c2 = conv(c1,'));
  }, 600_000);
});

/** The seed-208 network on a 9x9 image: l0's plane is 3x3 (and the input memory deep enough for it). */
function nearMissPlane(): string {
  return read(SAME_TIMESTEP).replace('input image: 1x3x5', 'input image: 1x9x9').replace('depth 10', 'depth 32');
}
