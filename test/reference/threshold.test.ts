// Threshold (binary) activations, item 1 of issue 17: the language and IR (a 1-bit, unsigned 0/1 node), its
// diagnostics, the reference model against a hand-worked example and a direct computation, the mapped model, the
// input memories (a pixel is C bits) and the dataflow model.
import { describe, expect, it } from 'vitest';
import { loadDesign, loadProgram } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { plainInference, referenceInference } from '../../src/reference/index.js';
import { requantize, threshold } from '../../src/reference/arithmetic.js';
import { generateInputImage, generateWeights } from '../../src/ir/weights.js';
import { emitRtl } from '../../src/emit/rtl/index.js';
import { createProgram } from '../../src/pipeline/program.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { TARGET, net } from '../diagnostics/cases.js';
import { coreModuleFile, neuronParametersOf } from '../emit/rtl/helpers.js';

const BINARY_TARGET = TARGET.replace('ops psum, batchnorm, relu, residual, pool', 'ops psum, batchnorm, relu, threshold, residual, pool');

function read(files: Record<string, string>) {
  return (file: string): string => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
}

function loaded(body: string, target = BINARY_TARGET) {
  const r = loadDesign('main.imc', read({ 'main.imc': net(body), 't.imc': target }));
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r;
}

function design(body: string, target = BINARY_TARGET): IrDesign {
  return loaded(body, target).design!;
}

function errors(body: string, target = BINARY_TARGET): string[] {
  return loadProgram('main.imc', read({ 'main.imc': net(body), 't.imc': target })).diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code}`);
}

/** Two 3x3 convolutions, each followed by a threshold, then an fc output: binary activations between the layers. */
const BINARY_NET = [
  '  c1 = conv(image, out 4, kernel 3, pad 1, requant 6)',
  '  t1 = threshold(c1, level 2)',
  '  c2 = conv(t1, out 3, kernel 3, pad 1, requant 1)',
  '  t2 = threshold(c2, level 0)',
  '  f = fc(flatten(t2), out 5, requant 2)',
  '  output f',
].join('\n');

describe('threshold in the language and the IR', () => {
  it('makes a 1-bit node with its level; the weight layer reading it returns to the input width', () => {
    const d = design(BINARY_NET);
    const node = (name: string) => d.network.nodes.find((n) => n.name === name)!;
    expect(node('t1').op).toEqual({ kind: 'threshold', level: 2 });
    expect(node('t1').activationBits).toBe(1);
    expect(node('t1').shape).toEqual(node('c1').shape);
    expect(node('c2').activationBits).toBe(8);
    expect(node('f').activationBits).toBe(8);
  });

  it('reports a threshold of a 1-bit value, a residual add of one, a 1-bit weight layer and a level out of range', () => {
    expect(errors('  a = threshold(conv(image, out 2, kernel 1), level 0)\n  b = threshold(a, level 0)\n  output b')).toEqual(['5:7 IMC130']);
    expect(errors('  a = threshold(conv(image, out 2, kernel 1), level 0)\n  b = add(a, a)\n  output b')).toEqual(['5:7 IMC131']);
    expect(errors('  a = conv(image, out 2, kernel 1, activation_bits 1)\n  output a')).toEqual(['4:7 IMC132']);
    expect(errors('  a = threshold(conv(image, out 2, kernel 1), level 128)\n  output a')).toEqual(['4:53 IMC014']);
  });

  it('needs the neuron core operation threshold in the target', () => {
    expect(errors('  a = threshold(conv(image, out 2, kernel 1), level 0)\n  output a', TARGET)).toEqual(['4:7 IMC033']);
  });
});

describe('threshold in the reference model (docs/arithmetic.md step 4)', () => {
  it('hand-worked: q >= L on the requantized integer, so the level itself fires and one below does not', () => {
    // L = 2: q = -3, 1 stay 0; q = 2 (the level) and 5 give 1.
    expect([-3, 1, 2, 5].map((q) => threshold(q, 2))).toEqual([0, 0, 1, 1]);
    // A 1x1 conv, 8-bit, requant 3: acc = 21 -> floor((21 + 4) / 8) = 3 >= 3 -> 1; acc = 19 -> floor(23 / 8) = 2 -> 0.
    expect(threshold(requantize(21, 3, 8), 3)).toBe(1);
    expect(threshold(requantize(19, 3, 8), 3)).toBe(0);
    // Negative levels: everything at or above fires, so a ReLU output (>= 0) is all ones at level 0.
    expect([-5, -4, 0].map((q) => threshold(q, -4))).toEqual([0, 1, 1]);
  });

  it('equals a direct computation of conv, requantization and the step; the mapped model equals the plain one', () => {
    const d = design(BINARY_NET);
    const input = d.network.nodes.find((n) => n.op.kind === 'input')!;
    const [C, H, W] = [input.shape.channels, input.shape.height, input.shape.width];
    const image = generateInputImage(3, input.shape, 8);
    const seed = d.network.weights.seed;
    const conv3 = (x: number[], cin: number, cout: number, w: Int32Array, shift: number, level: number): number[] => {
      const out: number[] = [];
      for (let o = 0; o < cout; o++) {
        for (let y = 0; y < H; y++) {
          for (let xx = 0; xx < W; xx++) {
            let acc = 0;
            for (let c = 0; c < cin; c++) {
              for (let ky = 0; ky < 3; ky++) {
                for (let kx = 0; kx < 3; kx++) {
                  const iy = y - 1 + ky;
                  const ix = xx - 1 + kx;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  acc += w[((o * cin + c) * 3 + ky) * 3 + kx] * x[(c * H + iy) * W + ix];
                }
              }
            }
            out.push(threshold(requantize(acc, shift, 8), level));
          }
        }
      }
      return out;
    };
    const w1 = generateWeights(seed, 'c1', { outChannels: 4, inChannels: C, kernelHeight: 3, kernelWidth: 3 }, 8);
    const w2 = generateWeights(seed, 'c2', { outChannels: 3, inChannels: 4, kernelHeight: 3, kernelWidth: 3 }, 8);
    const wf = generateWeights(seed, 'f', { outChannels: 5, inChannels: 3 * H * W, kernelHeight: 1, kernelWidth: 1 }, 8);
    const t1 = conv3([...image], C, 4, w1, 6, 2);
    const t2 = conv3(t1, 4, 3, w2, 1, 0);
    const f = Array.from({ length: 5 }, (_, o) => requantize(t2.reduce((s, v, i) => s + wf[o * t2.length + i] * v, 0), 2, 8));
    // Both binary layers carry ones and zeros (the comparison means something).
    for (const t of [t1, t2]) expect(new Set(t)).toEqual(new Set([0, 1]));
    const plain = plainInference(d, image);
    expect([...plain.output]).toEqual(f);
    const mapped = referenceInference(d, mapDesign(d), image);
    expect([...mapped.output]).toEqual(f);
  });
});

describe('binary activations in memories and dataflow', () => {
  it('stores a binary pixel in C bits and the memory figures follow from that width', () => {
    const d = design(BINARY_NET);
    const plan = planMemories(d, mapDesign(d));
    const c2 = plan.cores.find((c) => c.layer === 'c2')!;
    expect(c2.activationBits).toBe(1);
    expect(c2.pixelBits).toBe(4);
    const c1 = plan.cores.find((c) => c.layer === 'c1')!;
    expect(c1.pixelBits).toBe(3 * 8);
  });

  it('times a threshold like a ReLU: fused into its layer, so the binary network has the timing of the ReLU one', () => {
    const binary = design(BINARY_NET);
    const relu = design(BINARY_NET.replace('threshold(c1, level 2)', 'relu(c1)').replace('threshold(c2, level 0)', 'relu(c2)'));
    const a = simulateDataflow(binary, mapDesign(binary), { batch: 1 });
    const b = simulateDataflow(relu, mapDesign(relu), { batch: 1 });
    expect(a.latencyTimesteps).toBe(b.latencyTimesteps);
    expect(a.layers.map((l) => [l.name, l.firstTimestep, l.lastTimestep])).toEqual(b.layers.map((l) => [l.name, l.firstTimestep, l.lastTimestep]));
    expect(a.latencyTimesteps).toBeGreaterThan(0);
  });
});

describe('binary activations in RTL', () => {
  it('are generated: the neuron cores emit 1-bit activations and the next crossbars read them unsigned', () => {
    const files = emitRtl(createProgram(design(BINARY_NET)));
    const text = (path: string): string => files.find((f) => f.path === path)!.content;
    // The static neuron core (no pool): a compare with level 2, 1-bit outputs.
    expect(coreModuleFile(files, 'n_c00', 'neuron').path).toBe('rtl/imcc_neuron.v');
    expect(neuronParametersOf(files, 'n_c00')).toMatchObject({ OUT_BITS: 1, THRESHOLD: 1, LEVEL_NEGATIVE: 0, LEVEL_MAGNITUDE: 2 });
    expect(text('rtl/n_c01.v')).toContain('.ACT_UNSIGNED (1)');
    expect(text('rtl/n_c00.v')).toContain('.ACT_UNSIGNED (0)');
  });
});

describe('imcc compile of a threshold network', () => {
  it('writes rtl/, tb/ and configs/ without warnings', () => {
    const r = loaded(BINARY_NET);
    const result = compileDesign({ design: r.design!, sources: r.sources, version: '0.1.0' });
    expect(result.warnings).toEqual([]);
    const paths = result.files.map((f) => f.path);
    expect(paths).toContain('mapping.json');
    for (const dir of ['rtl/', 'tb/', 'configs/crosssim/', 'configs/neurosim/']) expect(paths.some((p) => p.startsWith(dir)), dir).toBe(true);
  });
});
