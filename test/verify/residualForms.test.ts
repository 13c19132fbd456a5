// Residual adds the RTL generator used to refuse (issue 19), verified bit-exact with live activations: a shortcut that
// arrives after the main path's inputs of a layer split in row parts (all three parts wait for the accumulating
// core's shortcut FIFO) with a ReLU before the add, and a layer's raw value sent next to its ReLU's output (see also
// residualTiming.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram, type Program } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const SPLIT_LATE = 'test/verify/fixtures/split-late-shortcut.imc';

function programOf(path: string): Program {
  const { design, diagnostics } = loadDesign(path);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return createProgram(design!);
}

describe('a late shortcut into a layer in three row parts, with a ReLU before the add', () => {
  it('plans the row parts to wait for the accumulating core, which rectifies before adding', () => {
    const plan = planRtl(programOf(SPLIT_LATE));
    const parts = plan.cores.filter((p) => p.layer.layer === 'l1m.conv');
    expect(parts.map((p) => p.core.role)).toEqual(['partial', 'partial', 'accumulate']);
    const adding = parts[2];
    expect(parts.slice(0, 2).map((p) => p.shortcutGate)).toEqual([adding.core.id, adding.core.id]);
    expect(adding.neuron!.reluBeforeAdd).toBe(true);
    expect(adding.neuron!.residual!.from).toBe('l1s');
  });

  it('the dataflow model computes all three parts a timestep after the shortcut (the stall)', () => {
    const program = programOf(SPLIT_LATE);
    const result = simulateDataflow(program.design, program.mapping, { batch: 1, granularity: 'block', activity: true });
    const starts = (layer: string): number[] =>
      program.mapping.layers.find((l) => l.layer === layer)!.cores.map((id) => result.activity!.find((a) => a.core === id)!.starts[0]);
    const [shortcut] = starts('l1s');
    expect(starts('l1m.conv')).toEqual([shortcut + 1, shortcut + 1, shortcut + 1]);
    expect(result.residualBuffers.map((b) => b.lateShortcutPixels)).toEqual([1]);
  });

  it('a ReLU of a ReLU is generated once: the doubled network emits the same RTL', () => {
    const text = readFileSync(SPLIT_LATE, 'utf8');
    const doubled = text.replace('l1 = relu(add(relu(l1m), l1s))', 'l1 = relu(relu(add(relu(relu(l1m)), l1s)))');
    expect(doubled).not.toBe(text);
    const rtl = (source: string): Map<string, string> => {
      const { design } = loadDesign('main.imc', (file) => {
        if (file === 'main.imc') return source;
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      });
      return new Map(emitRtl(createProgram(design!)).map((f) => [f.path, String(f.content)]));
    };
    const once = rtl(text);
    const twice = rtl(doubled);
    expect([...twice.keys()]).toEqual([...once.keys()]);
    for (const [path, content] of once) if (path.endsWith('.v')) expect(twice.get(path), path).toBe(content);
  });

  it('verifies bit-exact, timesteps included, with non-zero activations in every core', async () => {
    const program = programOf(SPLIT_LATE);
    const result = await verifyRtlDirectory(writeFiles(emitRtl(program)), program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(100);
    const emitting = result.coverage.filter((c) => c.activations > 0);
    expect(emitting.length).toBeGreaterThan(0);
    for (const c of emitting) expect(c.nonZero, c.core).toBeGreaterThan(0);
  }, 600_000);
});
