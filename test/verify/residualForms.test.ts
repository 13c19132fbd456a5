// Residual adds the RTL generator used to refuse (issue 19), verified bit-exact with live activations: a shortcut that
// arrives after the main path's inputs of a layer split in row parts (all three parts wait for the accumulating
// core's shortcut FIFO) with a ReLU before the add, a layer's raw value sent next to its ReLU's output (see also
// residualTiming.test.ts), and adds after a flatten; and the adds the language or the mapping refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram, type Program } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { mapDesign } from '../../src/mapping/map.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { DiagnosticError } from '../../src/diagnostics/index.js';
import { neuronParametersOf, prepare, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';

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

const FLATTEN_ADD = 'test/verify/fixtures/flatten-add.imc';

/** flatten-add.imc up to its network's body, and `line:column code` of a diagnostic at body line `k` (0-based). */
const FLATTEN_ADD_TEXT = readFileSync(FLATTEN_ADD, 'utf8');
const HEAD = FLATTEN_ADD_TEXT.slice(0, FLATTEN_ADD_TEXT.indexOf('  c1 = '));
const at = (k: number, column: number, code: string): string => `${HEAD.split('\n').length + k}:${column} ${code}`;

/** The source of a network on flatten-add.imc's target (its body lines replaced by `body`), loaded. */
function loadBody(body: string): ReturnType<typeof loadDesign> {
  const source = HEAD + body + '\n}\n';
  return loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return source;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
}

describe('residual adds after a flatten (of a pooled plane, of one pixel), read by fc layers', () => {
  const p = prepare(FLATTEN_ADD);
  const c2 = 'flatten_add_c02';
  const d3 = 'flatten_add_c03';

  it('plans the add after the pool on its ReLU, the add after the accumulation on its ReLU, and the fc on the pooled plane', () => {
    expect(p.mapping.layers.map((l) => l.layer)).toEqual(['c1', 's1', 'c2', 'd3', 'd1', 'logits']);
    expect(neuronParametersOf(p.files, c2)).toMatchObject({ HAS_RES: 3, RELU_BEFORE_ADD: 0 });
    expect(neuronParametersOf(p.files, d3)).toMatchObject({ HAS_RES: 1, RELU_BEFORE_ADD: 1 });
    // d3 reads the 2x2 pixels c2's core sends (g2's 16 features), not one pixel of 16 channels.
    const fc = p.mapping.layers.find((l) => l.layer === 'd3')!.matrix;
    expect([fc.kernelHeight, fc.kernelWidth, fc.kernelRows]).toEqual([2, 2, 16]);
  });

  it('verifies bit-exact, timesteps included, with non-zero activations in every core', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(500);
    for (const c of result.coverage) expect(c.nonZero, c.core).toBeGreaterThan(0);
  }, 300_000);

  it('fails at c2 when the shortcut is added to the pooled value, not its ReLU (fault check)', async () => {
    const result = await verifyEdited(p, `${c2}.v`, (text) => text.replace(/\.HAS_RES(\s+)\(3\)/, '.HAS_RES$1(2)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'c2', kind: 'activation' });
  }, 300_000);

  it('fails at d3 when the shortcut is added to the accumulation, not its ReLU (fault check)', async () => {
    const result = await verifyEdited(p, `${d3}.v`, (text) => text.replace(/\.RELU_BEFORE_ADD(\s+)\(1\)/, '.RELU_BEFORE_ADD$1(0)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer: 'd3', kind: 'activation' });
  }, 300_000);
});

describe('residual adds the language or the mapping refuses (the plan\'s checks of them are internal errors)', () => {
  const errors = (body: string): string[] =>
    loadBody(body)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.span.line}:${d.span.column} ${d.code}`);

  it('an add after a threshold, or after a pool of one: its operand is 1-bit (IMC131 at the add)', () => {
    const head = ['  c1 = conv(image, out 4, kernel 3x3, pad 1)', '  s = conv(c1, out 4, kernel 1x1, stride 2)', '  t = conv(c1, out 4, kernel 1x1)'];
    expect(errors([...head, '  y = add(threshold(c1, level 1), t)', '  output y'].join('\n'))).toEqual([at(3, 7, 'IMC131')]);
    expect(errors([...head, '  y = add(maxpool(threshold(c1, level 1), size 2), s)', '  output y'].join('\n'))).toEqual([at(3, 7, 'IMC131')]);
  });

  const mappingErrors = (body: string[]): string[] => {
    const { design, diagnostics } = loadBody(body.join('\n'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    try {
      mapDesign(design!);
    } catch (err) {
      return (err as DiagnosticError).diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code}`);
    }
    return [];
  };

  it("an add of its own layer's value, which no core sends it (IMC065 at the add, from the mapping)", () => {
    const head = ['  c1 = conv(image, out 4, kernel 3x3, pad 1)', '  c2 = conv(c1, out 4, kernel 3x3, pad 1)'];
    expect(mappingErrors([...head, '  y = add(relu(c2), c2)', '  output y'])).toEqual([at(2, 7, 'IMC065')]);
    expect(mappingErrors([...head, '  y = add(c2, c2)', '  output y'])).toEqual([at(2, 7, 'IMC065')]);
  });

  it('an add after a flatten pairing other pixels than its shortcut\'s (IMC066 at the add, from the mapping)', () => {
    const head = ['  c1 = conv(image, out 4, kernel 3x3, pad 1)', '  c2 = conv(c1, out 4, kernel 3x3, pad 1)'];
    // An fc's one pixel of 64 channels, and a flatten of a 16x2x2 volume, against the 4x4 pixels of c2's flatten.
    expect(mappingErrors([...head, '  d = fc(flatten(c1), out 64)', '  y = add(flatten(relu(c2)), d)', '  output y'])).toEqual([at(3, 7, 'IMC066')]);
    expect(mappingErrors([...head, '  s = flatten(conv(c1, out 16, kernel 1x1, stride 2))', '  y = add(flatten(relu(c2)), s)', '  output y'])).toEqual([at(3, 7, 'IMC066')]);
  });

  it('an add after a pool of a flattened plane: the pool reads the flatten (IMC067 at the pool, from the mapping)', () => {
    const head = ['  c1 = conv(image, out 4, kernel 3x3, pad 1)', '  c2 = conv(c1, out 4, kernel 3x3, pad 1)', '  d = fc(flatten(c1), out 64)'];
    expect(mappingErrors([...head, '  y = add(gap(flatten(c2)), d)', '  output y'])).toEqual([at(3, 11, 'IMC067')]);
  });

  it('two adds in one core (IMC055 at the second, from the mapping)', () => {
    const body = ['  c1 = conv(image, out 4, kernel 3x3, pad 1)', '  c2 = conv(c1, out 4, kernel 3x3, pad 1)', '  c3 = conv(c1, out 4, kernel 1x1)', '  y = add(add(c2, c1), c3)', '  output y'];
    expect(mappingErrors(body)).toEqual([at(3, 7, 'IMC055')]);
  });
});
