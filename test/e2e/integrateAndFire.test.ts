// Integrate-and-fire neuron cores (`model if`), item 2 of issue 17: the language (positioned diagnostics, formatter
// round trip), the reference model against a hand-worked example and against the ReLU network it approximates, the
// mapped model, the dataflow timing and the RTL/export refusal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesign, loadProgram } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { activityPixels, simulateDataflow } from '../../src/dataflow/index.js';
import { plainInference, referenceInference } from '../../src/reference/index.js';
import { integrateAndFire } from '../../src/reference/arithmetic.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { formatNpz } from '../../src/support/npz.js';
import { formatText } from '../../src/dsl/fmt-file.js';
import { compileDesign } from '../../src/pipeline/compile.js';

function target(core: string): string {
  return `target t {
  crossbar {
    size 64x64
    weight_bits 8
    adc 24 bits shift 0
    dac 8 bits
  }
  input_memory { word 64 bits; depth 256 }
  controller { clock 500MHz; timestep 100ns }
  ${core}
  grid 4x4
  link 1Gbps
}
`;
}

const ifCore = (fields: string) => `neuron_core {\n    ops psum, integrate_and_fire, pool\n    model if\n    ${fields}\n  }`;

function read(files: Record<string, string>) {
  return (file: string): string => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
}

function load(network: string, core: string): IrDesign {
  const r = loadDesign('main.imc', read({ 'main.imc': `import "t.imc"\n${network}`, 't.imc': target(core) }));
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.design!;
}

function targetErrors(core: string): string[] {
  return loadProgram('t.imc', read({ 't.imc': target(core) })).diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code}`);
}

describe('integrate-and-fire arithmetic', () => {
  it('integrates, leaks toward zero, fires at the threshold and resets', () => {
    const run = (input: number, threshold: number, leak: number, reset: 'zero' | 'subtract', steps: number) => {
      let v = 0;
      const spikes: number[] = [];
      for (let t = 0; t < steps; t++) {
        const r = integrateAndFire(v, input, { threshold, leak, reset });
        v = r.potential;
        spikes.push(r.spike);
      }
      return { spikes, v };
    };
    // Input 3, threshold 4, no leak. Subtract keeps the residue: 3, 6->2 (spike), 5->1 (spike), 4->0 (spike).
    expect(run(3, 4, 0, 'subtract', 4)).toEqual({ spikes: [0, 1, 1, 1], v: 0 });
    // Reset to zero drops it: 3, 6->0 (spike), 3, 6->0 (spike).
    expect(run(3, 4, 0, 'zero', 4)).toEqual({ spikes: [0, 1, 0, 1], v: 0 });
    // Leak 1 toward zero, also for a negative potential: -3 -> -2, -5 -> -4.
    expect(run(-3, 4, 1, 'subtract', 2)).toEqual({ spikes: [0, 0], v: -4 });
  });
});

describe('model if in the language', () => {
  it('reads threshold, leak, reset and steps, with defaults leak 0 and reset subtract', () => {
    const net = 'network n on t {\n  input x: 2x1x1, 8 bits\n  h = fc(x, out 2)\n  s = relu(h)\n  o = fc(s, out 2)\n  output o\n}\n';
    const d = load(net, ifCore('threshold 4; steps 8'));
    expect(d.target.neuronCore.spiking).toMatchObject({ threshold: 4, leak: 0, reset: 'subtract', steps: 8 });
    // A spiking relu is 1 bit; the layer reading it takes the width of the value the neuron integrated.
    const node = (name: string) => d.network.nodes.find((n) => n.name === name)!;
    expect(node('s').activationBits).toBe(1);
    expect(node('o').activationBits).toBe(8);
  });

  it('shifts a layer reading spikes a bits - 1 less by default (its inputs are 0/1, not a-bit values)', () => {
    const net = 'network n on t {\n  input x: 2x8x8, 8 bits\n  c1 = conv(x, out 4, kernel 3, pad 1)\n  s1 = relu(c1)\n  c2 = conv(s1, out 3, kernel 3, pad 1)\n  output c2\n}\n';
    const shift = (d: IrDesign, name: string) => d.network.nodes.find((n) => n.name === name)!.requant!.shift;
    const relu = load(net, 'neuron_core { ops psum, relu }');
    const spiking = load(net, ifCore('threshold 16; steps 4'));
    // c2: fan-in 4 x 3 x 3 = 36, 8-bit weights: round(log2(6) + 8 - 3) = 8 statically, 8 - 7 = 1 on spikes.
    expect(shift(relu, 'c2')).toBe(8);
    expect(shift(spiking, 'c2')).toBe(1);
    expect(shift(spiking, 'c1')).toBe(shift(relu, 'c1'));
  });

  it('rejects IF fields without model if, a leak not below the threshold, bad ranges and missing fields, positioned', () => {
    expect(targetErrors('neuron_core { ops psum, relu; steps 4 }')).toEqual(['10:33 IMC156']);
    expect(targetErrors(ifCore('threshold 4; leak 4; steps 2'))).toEqual(['13:18 IMC157']);
    expect(targetErrors(ifCore('threshold 0; steps 2'))).toEqual(['13:15 IMC014']);
    expect(targetErrors(ifCore('threshold 3; steps 2; reset half'))).toEqual(['13:33 IMC012']);
    expect(targetErrors(ifCore('threshold 3'))).toEqual(['12:5 IMC246']);
  });

  it('needs integrate_and_fire in ops for a relu, and refuses a relu of spikes (IMC158)', () => {
    const net = 'network n on t {\n  input x: 2x1x1, 8 bits\n  h = fc(x, out 2)\n  s = relu(h)\n  r = relu(s)\n  o = fc(r, out 2)\n  output o\n}\n';
    const diags = (core: string) =>
      loadDesign('main.imc', read({ 'main.imc': `import "t.imc"\n${net}`, 't.imc': target(core) })).diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code}`);
    expect(diags(ifCore('threshold 4; steps 8'))).toContain('6:7 IMC158');
    const add = 'network n on t {\n  input x: 2x1x1, 8 bits\n  h = fc(x, out 2)\n  s = relu(h)\n  a = add(s, s)\n  o = fc(a, out 2)\n  output o\n}\n';
    const addDiags = loadDesign('main.imc', read({ 'main.imc': `import "t.imc"\n${add}`, 't.imc': target(ifCore('threshold 4; steps 8').replace('pool', 'pool, residual')) })).diagnostics;
    expect(addDiags.map((d) => `${d.span.line}:${d.span.column} ${d.code}`)).toContain('6:7 IMC131');
    const noIf = 'neuron_core {\n    ops psum, relu\n    model if\n    threshold 4; steps 8\n  }';
    expect(diags(noIf)).toContain('5:7 IMC033');
  });

  it('formats canonically: imcc fmt round-trips the neuron core', () => {
    const source = target(ifCore('threshold 4; leak 1; reset zero; steps 8'));
    const once = formatText(source, 't.imc').formatted!;
    expect(formatText(once, 't.imc').formatted).toBe(once);
    expect(once).toContain('model if');
    expect(once).toContain('reset zero');
  });
});

/**
 * The hand-worked network: x = [1, 2] (2x1x1), h = fc(x) with weights [[1, 1], [0, 1]] so h = [3, 2] every timestep;
 * s = relu(h) as IF neurons (threshold 4, leak 1, reset subtract); o = fc(s) with weights [[2, 1], [-1, 3]]; T = 4.
 *   neuron 0 (input 3): t0 3 -leak-> 2; t1 2+3=5 -> 4 fires, 0; t2 3 -> 2; t3 5 -> 4 fires, 0.  spikes 0,1,0,1
 *   neuron 1 (input 2): t0 2 -> 1; t1 3 -> 2; t2 4 -> 3 (below 4 after the leak); t3 5 -> 4 fires, 0. spikes 0,0,0,1
 *   o per timestep: t0 [0, 0]; t1 s=[1,0] -> [2, -1]; t2 [0, 0]; t3 s=[1,1] -> [3, 2]. Summed over T: [5, 1].
 */
describe('the reference model of integrate-and-fire cores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-if-'));
  const npz = join(dir, 'hand.npz');
  const arr = (shape: number[], values: number[]) => ({ dtype: 'i4' as const, shape, data: Float64Array.from(values) });
  writeFileSync(npz, formatNpz(new Map([['h.weight', arr([2, 2, 1, 1], [1, 1, 0, 1])], ['o.weight', arr([2, 2, 1, 1], [2, 1, -1, 3])]])));
  const handNet = `network n on t {\n  input x: 2x1x1, 8 bits\n  weights file "${npz}"\n  h = fc(x, out 2, requant 0)\n  s = relu(h)\n  o = fc(s, out 2, requant 0)\n  output o\n}\n`;

  it('computes the hand-worked example: output [5, 1], spikes of the last timestep, plain and mapped alike', () => {
    const d = load(handNet, ifCore('threshold 4; leak 1; reset subtract; steps 4'));
    const image = Int32Array.from([1, 2]);
    const plain = plainInference(d, image);
    expect(Array.from(plain.output)).toEqual([5, 1]);
    expect(plain.argmax).toBe(0);
    expect(Array.from(plain.nodes.get('s')!.data)).toEqual([1, 1]);
    const mapped = referenceInference(d, mapDesign(d), image);
    expect(Array.from(mapped.output)).toEqual([5, 1]);
  });

  it('the mapped model equals the plain one on a seeded conv network with pools, split over small tiles', () => {
    const net =
      'network n on t {\n  input x: 3x8x8, 8 bits\n  weights seed 3\n  c1 = conv(x, out 6, kernel 3, pad 1)\n  s1 = relu(c1)\n  p1 = maxpool(s1, size 2)\n  c2 = conv(p1, out 8, kernel 3, pad 1)\n  s2 = relu(c2)\n  p2 = avgpool(s2, size 2)\n  f = fc(flatten(p2), out 4, activation_bits 16)\n  output f\n}\n';
    // 16-row tiles split c2 (54 rows) into partial sums; the 24-bit ADC keeps them exact.
    const d = load(net, ifCore('threshold 20; leak 2; reset zero; steps 6'));
    const small = { ...d, target: { ...d.target, crossbar: { ...d.target.crossbar, rows: 16 } } };
    expect(mapDesign(small).layers.find((l) => l.layer === 'c2')!.rowParts).toBeGreaterThan(1);
    for (const seed of [1, 2, 3]) {
      const image = generateInputImage(seed, { channels: 3, height: 8, width: 8 }, 8);
      const plain = plainInference(small, image);
      expect(plain.output.some((v) => v !== 0)).toBe(true);
      expect(Array.from(referenceInference(small, mapDesign(small), image).output)).toEqual(Array.from(plain.output));
    }
  });

  it('with one timestep and reset to zero: the first timestep only (no spikes yet), output [0, 0]', () => {
    const d = load(handNet, ifCore('threshold 4; leak 1; reset zero; steps 1'));
    expect(Array.from(plainInference(d, Int32Array.from([1, 2])).output)).toEqual([0, 0]);
  });

  it('with a high T approximates the argmax of the ReLU network it replaces (seeded net)', () => {
    // No leak, reset by subtraction and a threshold at the hidden layer's largest value (127): neuron i fires
    // floor(T * h_i / 127) times, so T/127 times the ReLU network's output up to one spike per hidden neuron.
    // The output layer keeps 24 bits and no shift, so neither network saturates or rounds its class scores.
    const net = 'network n on t {\n  input x: 16x1x1, 8 bits\n  weights seed 5\n  h = fc(x, out 24, requant 9)\n  s = relu(h)\n  o = fc(s, out 6, requant 0, activation_bits 24)\n  output o\n}\n';
    const relu = load(net, `neuron_core { ops psum, relu }`);
    const spiking = load(net, ifCore('threshold 127; steps 1024'));
    let agree = 0;
    const images = 30;
    for (let i = 0; i < images; i++) {
      const image = generateInputImage(100 + i, { channels: 16, height: 1, width: 1 }, 8);
      if (plainInference(relu, image).argmax === plainInference(spiking, image).argmax) agree++;
    }
    expect(agree).toBe(images);
  });
});

describe('dataflow timing of integrate-and-fire cores', () => {
  // Two 3x3 convolutions with a spiking relu between them, on an 8x8 image: a small pipelined network.
  const net =
    'network n on t {\n  input x: 2x8x8, 8 bits\n  c1 = conv(x, out 4, kernel 3, pad 1)\n  s1 = relu(c1)\n  c2 = conv(s1, out 3, kernel 3, pad 1)\n  output c2\n}\n';

  it('stretches the static schedule by T: each static timestep becomes T timesteps (docs/dataflow.md)', () => {
    const relu = load(net, 'neuron_core { ops psum, relu }');
    const steps = 5;
    const spiking = load(net, ifCore(`threshold 16; steps ${steps}`));
    const a = simulateDataflow(relu, mapDesign(relu), { batch: 3 });
    const b = simulateDataflow(spiking, mapDesign(spiking), { batch: 3 });
    expect(a.latencyTimesteps).toBeGreaterThan(1);
    expect(b.latencyTimesteps).toBe(a.latencyTimesteps * steps);
    expect(b.intervalTimesteps).toBe(a.intervalTimesteps * steps);
    expect(b.batchTimesteps).toBe(a.batchTimesteps * steps);
    expect(b.imageStarts).toEqual(a.imageStarts.map((t) => t * steps));
    // An output is complete at the end of its macro-step, after its T reads.
    expect(b.imageOutputs).toEqual(a.imageOutputs.map((t) => t * steps + steps - 1));
    expect(b.throughputImagesPerSecond).toBeCloseTo(a.throughputImagesPerSecond / steps, 6);
    expect(b.layers.map((l) => [l.firstTimestep, l.lastTimestep, l.busyTimesteps])).toEqual(
      a.layers.map((l) => [l.firstTimestep * steps, l.lastTimestep * steps + steps - 1, l.busyTimesteps * steps]),
    );
  });

  it('repeats every crossbar operation in each of the T timesteps in the activity trace', () => {
    const spiking = load(net, ifCore('threshold 16; steps 3'));
    const relu = load(net, 'neuron_core { ops psum, relu }');
    const a = simulateDataflow(relu, mapDesign(relu), { batch: 1, activity: true });
    const b = simulateDataflow(spiking, mapDesign(spiking), { batch: 1, activity: true });
    const total = (r: typeof a) => r.activity!.reduce((sum, c) => sum + activityPixels(c), 0);
    expect(total(b)).toBe(3 * total(a));
  });
});

describe('the outputs of an integrate-and-fire design', () => {
  it('compile writes rtl/, tb/ and configs/ with the membrane module and the IF notes, and no refusal', () => {
    const net = 'network n on t {\n  input x: 2x4x4, 8 bits\n  c1 = conv(x, out 4, kernel 3, pad 1)\n  s1 = relu(c1)\n  output s1\n}\n';
    const r = loadDesign('main.imc', read({ 'main.imc': `import "t.imc"\n${net}`, 't.imc': target(ifCore('threshold 16; steps 4')) }));
    const result = compileDesign({ design: r.design!, sources: r.sources, version: '0.1.0' });
    expect(result.warnings).toEqual([]);
    const paths = result.files.map((f) => f.path);
    expect(paths).toContain('rtl/imcc_if_neuron.v');
    expect(paths).toContain('tb/n_tb.cpp');
    const text = (path: string): string => String(result.files.find((f) => f.path === path)!.content);
    const index = JSON.parse(text('configs/crosssim/index.json'));
    expect(index.integrateAndFire).toEqual({ threshold: 16, leak: 0, reset: 'subtract', steps: 4, neurons: ['s1'] });
    expect(text('configs/neurosim/run.txt')).toContain('multiply its latency and dynamic energy per image by 4');
  });
});
