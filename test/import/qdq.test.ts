// Models already quantized with QuantizeLinear / DequantizeLinear pairs (the QDQ format of PyTorch, ONNX Runtime and
// Brevitas exports), built here in ONNX: the importer keeps their integer weights and their scales (per channel and
// per tensor) instead of calibrating, and the integer design computes what the QDQ model computes to within one step
// of requantization rounding. What the neuron core cannot express is IMC200 / IMC201, naming the node.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph, type ImportGraph } from '../../src/import/graph.js';
import { quantize } from '../../src/import/quantize.js';
import { importModel } from '../../src/import/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { compileReference, runReference } from '../../src/reference/index.js';
import { quantizeReal } from '../../src/reference/arithmetic.js';
import { formatNpy } from '../../src/support/npy.js';
import { mulberry32 } from '../../src/ir/weights.js';
import { ToolError } from '../../src/diagnostics/index.js';
import { runCli } from '../support/cli.js';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;
const INT8 = 3;
const UINT8 = 2;

// Scales as the model stores them (float32).
const S_IN = Math.fround(1 / 50);
const S_CONV = [0.01, 0.02, 0.015, 0.03].map(Math.fround); // per output channel, axis 0
const S_RELU = Math.fround(0.05);
const S_FC = Math.fround(0.004); // per tensor
const S_OUT = Math.fround(0.1);

const next = mulberry32(5);
const int8 = (): number => (next() % 255) - 127; // -127..127: symmetric, narrow range
const W_CONV = Array.from({ length: 4 * 9 }, int8);
const W_FC = Array.from({ length: 10 * 256 }, int8);
const B_CONV = [0.1, -0.05, 0.2, 0].map(Math.fround);
const B_FC = Array.from({ length: 10 }, (_, k) => Math.fround((k - 5) / 20));

interface Options {
  activationZero?: number;
  activationType?: number;
  weightZero?: number;
  convWeights?: number[];
  dequantizeScale?: number;
  /** The conv weight as floats quantized by a QuantizeLinear in the graph (rather than stored as int8). */
  floatConvWeights?: boolean;
  /** Per-channel scales on the relu activation (not expressible). */
  reluScales?: number[];
  /** A QuantizeLinear pair after the flatten with this scale (the flatten cannot rescale its input). */
  flattenScale?: number;
  /** A clipped ReLU, Clip(0, clip), in place of the Relu. */
  clip?: number;
}

function qdqModel(options: Options = {}): Uint8Array {
  const type = options.activationType ?? INT8;
  const zero = options.activationZero ?? 0;
  const f32 = (name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto => ({ name, dims, dataType: 1, floatData: values });
  const ints = (name: string, dims: number[], dataType: number, values: number[]): onnxProto.onnx.ITensorProto => ({ name, dims, dataType, int32Data: values });
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const qdq = (x: string, scale: string, zp: string, name: string): string => {
    nodes.push({ name: `/${name}/QuantizeLinear`, opType: 'QuantizeLinear', input: [x, scale, zp], output: [`${name}.q`] });
    nodes.push({ name: `/${name}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${name}.q`, options.dequantizeScale !== undefined && name === 'relu' ? 'dq_scale' : scale, zp], output: [`${name}.dq`] });
    return `${name}.dq`;
  };
  const x = qdq('x', 's_in', 'zp', 'input');
  const axis0 = [{ name: 'axis', type: A.INT, i: 0 }];
  if (options.floatConvWeights) nodes.push({ name: '/conv/w/QuantizeLinear', opType: 'QuantizeLinear', input: ['conv.wf', 'conv.ws', 'conv.wz'], output: ['conv.wq'], attribute: axis0 });
  nodes.push({ name: '/conv/w/DequantizeLinear', opType: 'DequantizeLinear', input: ['conv.wq', 'conv.ws', 'conv.wz'], output: ['conv.w'], attribute: axis0 });
  nodes.push({ name: '/conv/Conv', opType: 'Conv', input: [x, 'conv.w', 'conv.b'], output: ['conv'], attribute: [{ name: 'kernel_shape', type: A.INTS, ints: [3, 3] }, { name: 'pads', type: A.INTS, ints: [1, 1, 1, 1] }] });
  if (options.clip !== undefined) nodes.push({ name: '/relu/Clip', opType: 'Clip', input: ['conv', 'clip_lo', 'clip_hi'], output: ['relu'] });
  else nodes.push({ name: '/relu/Relu', opType: 'Relu', input: ['conv'], output: ['relu'] });
  const r = qdq('relu', 's_relu', 'zp', 'relu');
  nodes.push({ name: '/Flatten', opType: 'Flatten', input: [r], output: ['flat'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
  nodes.push({ name: '/fc/w/DequantizeLinear', opType: 'DequantizeLinear', input: ['fc.wq', 'fc.ws', 'fc.wz'], output: ['fc.w'] });
  const flat = options.flattenScale !== undefined ? qdq('flat', 's_flat', 'zp', 'flat') : 'flat';
  nodes.push({ name: '/fc/Gemm', opType: 'Gemm', input: [flat, 'fc.w', 'fc.b'], output: ['fc'], attribute: [{ name: 'transB', type: A.INT, i: 1 }] });
  const y = qdq('fc', 's_out', 'zp', 'output');
  const initializers = [
    f32('s_in', [], [S_IN]),
    options.reluScales ? f32('s_relu', [options.reluScales.length], options.reluScales) : f32('s_relu', [], [S_RELU]),
    f32('s_out', [], [S_OUT]),
    f32('s_flat', [], [options.flattenScale ?? S_RELU]),
    f32('clip_lo', [], [0]),
    f32('clip_hi', [], [options.clip ?? 6]),
    f32('dq_scale', [], [options.dequantizeScale ?? S_RELU]),
    ints('zp', [], type, [zero]),
    options.floatConvWeights
      ? f32('conv.wf', [4, 1, 3, 3], W_CONV.map((q, i) => Math.fround(q * S_CONV[Math.floor(i / 9)])))
      : ints('conv.wq', [4, 1, 3, 3], INT8, options.convWeights ?? W_CONV),
    f32('conv.ws', [4], S_CONV),
    ints('conv.wz', [4], INT8, [0, 0, options.weightZero ?? 0, 0]),
    f32('conv.b', [4], B_CONV),
    ints('fc.wq', [10, 256], INT8, W_FC),
    f32('fc.ws', [], [S_FC]),
    ints('fc.wz', [], INT8, [0]),
    f32('fc.b', [10], B_FC),
  ];
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'qdq',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimValue: 8 }, { dimValue: 8 }] } } } }],
      output: [{ name: y }],
    },
  }).finish();
}

const images = (count: number, seed: number): Float64Array[] => {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: 64 }, () => (rand() / 2 ** 32) * 2 - 0.5));
};

/** The QDQ model's own integer semantics (ONNX QuantizeLinear: round half to even, saturate to int8). */
function qdqReference(x: Float64Array): number[] {
  const q = (v: number): number => {
    const r = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v);
    return Math.min(127, Math.max(-128, r));
  };
  const xq = Array.from(x, (v) => q(v / S_IN));
  const relu: number[] = [];
  for (let o = 0; o < 4; o++) {
    for (let y = 0; y < 8; y++) {
      for (let xo = 0; xo < 8; xo++) {
        let acc = 0;
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const iy = y + ky - 1;
            const ix = xo + kx - 1;
            if (iy >= 0 && iy < 8 && ix >= 0 && ix < 8) acc += W_CONV[o * 9 + ky * 3 + kx] * xq[iy * 8 + ix];
          }
        }
        relu.push(q(Math.max(0, acc * S_CONV[o] * S_IN + B_CONV[o]) / S_RELU));
      }
    }
  }
  return Array.from({ length: 10 }, (_, k) => {
    let acc = 0;
    for (let i = 0; i < 256; i++) acc += W_FC[k * 256 + i] * relu[i];
    return q((acc * S_FC * S_RELU + B_FC[k]) / S_OUT);
  });
}

const graphOf = (bytes: Uint8Array): ImportGraph => importGraph(readOnnx('qdq.onnx', bytes));

function thrown(f: () => unknown): ToolError {
  try {
    f();
  } catch (err) {
    if (err instanceof ToolError) return err;
    throw err;
  }
  throw new Error('expected a ToolError');
}

describe('QDQ models keep their own quantization', () => {
  const graph = graphOf(qdqModel());

  it('weights keep their integers and per-channel / per-tensor scales; activations their QDQ scales, whatever the calibration data', () => {
    const conv = graph.layers.find((l) => l.op.kind === 'conv')!;
    const fc = graph.layers.find((l) => l.op.kind === 'fc')!;
    for (const calibration of [images(4, 1), images(4, 2).map((im) => im.map((v) => 10 * v))]) {
      const q = quantize(graph, calibration, 8, 8);
      expect(Array.from(q.layers.get(conv.name)!.weights)).toEqual(W_CONV);
      expect(Array.from(q.layers.get(fc.name)!.weights)).toEqual(W_FC);
      expect(q.scales.get(graph.inputName)).toBe(S_IN);
      expect(q.scales.get(graph.layers.find((l) => l.op.kind === 'relu')!.name)).toBe(S_RELU);
      expect(q.scales.get(graph.output)).toBe(S_OUT);
      // docs/import.md: m[o] = round(s_w[o] * s_in / s_out * 2^n), bias round(b[o] / s_out * 2^n).
      const { multiplier, bias, shift } = q.layers.get(conv.name)!;
      expect(Array.from(multiplier)).toEqual(S_CONV.map((sw) => Math.round(((sw * S_IN) / S_RELU) * 2 ** shift)));
      expect(Array.from(bias)).toEqual(B_CONV.map((b) => Math.sign(b) * Math.round(Math.abs((b / S_RELU) * 2 ** shift))));
      expect(multiplier.every((m) => m < 2 ** 15)).toBe(true);
    }
  });

  it('a float weight quantized by a QuantizeLinear in the graph gives the same integers (round half to even, per channel)', () => {
    const fromFloats = graphOf(qdqModel({ floatConvWeights: true }));
    const conv = fromFloats.layers.find((l) => l.op.kind === 'conv')!;
    expect(Array.from(quantize(fromFloats, images(2, 1), 8, 8).layers.get(conv.name)!.weights)).toEqual(W_CONV);
  });

  it('imports onto a target; the integer reference model computes the QDQ model to within one output step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-qdq-'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync('examples/targets/digits-tile.imc', join(dir, 'targets', 'digits-tile.imc'));
    writeFileSync(join(dir, 'qdq.onnx'), qdqModel());
    const calib = images(8, 3);
    writeFileSync(join(dir, 'calib.npy'), formatNpy({ dtype: 'f8', shape: [8, 1, 8, 8], data: Float64Array.from(calib.flatMap((im) => Array.from(im))) }));
    const result = importModel({ model: join(dir, 'qdq.onnx'), target: join(dir, 'targets', 'digits-tile.imc'), output: join(dir, 'qdq.imc'), calibrate: join(dir, 'calib.npy') });
    expect(result.inputScale).toBe(S_IN);
    const { design } = loadDesign(join(dir, 'qdq.imc'));
    const ref = compileReference(design!, mapDesign(design!));
    let worst = 0;
    let nonZero = 0;
    for (const image of images(6, 4)) {
      const ours = Array.from(runReference(ref, Int32Array.from(image, (v) => quantizeReal(v, S_IN, 8))).output);
      const theirs = qdqReference(image);
      for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(ours[k] - theirs[k]));
      nonZero += theirs.filter((v) => v !== 0).length;
    }
    expect(nonZero).toBeGreaterThan(30);
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('QDQ the neuron core cannot express', () => {
  it('an activation zero point: IMC200 naming the QuantizeLinear', () => {
    const err = thrown(() => graphOf(qdqModel({ activationZero: 3 })));
    expect(err.code).toBe('IMC200');
    expect(err.message).toContain("node '/input/QuantizeLinear' (QuantizeLinear): zero point 3 on an activation");
  });

  it('per-channel scales on an activation: IMC200', () => {
    const err = thrown(() => graphOf(qdqModel({ reluScales: [0.05, 0.05, 0.05, 0.05] })));
    expect(err.code).toBe('IMC200');
    expect(err.message).toContain("node '/relu/QuantizeLinear' (QuantizeLinear): 4 scales on an activation; the neuron core takes one scale per tensor");
  });

  it('an asymmetric weight (non-zero weight zero point): IMC200 naming the Conv and its DequantizeLinear', () => {
    const err = thrown(() => graphOf(qdqModel({ weightZero: 2 })));
    expect(err.code).toBe('IMC200');
    expect(err.message).toContain("node '/conv/Conv' (Conv): its weight (from /conv/w/DequantizeLinear) has a non-zero zero point");
  });

  it('a DequantizeLinear that does not undo its QuantizeLinear: IMC200', () => {
    const err = thrown(() => graphOf(qdqModel({ dequantizeScale: 0.07 })));
    expect(err.code).toBe('IMC200');
    expect(err.message).toContain("node '/relu/DequantizeLinear' (DequantizeLinear): scale 0.07");
  });

  it('different scales on a flatten and its input: IMC265 naming both QuantizeLinears', () => {
    const err = thrown(() => quantize(graphOf(qdqModel({ flattenScale: 0.07 })), images(2, 1), 8, 8));
    expect(err.code).toBe('IMC265');
    expect(err.message).toContain("node '/flat/QuantizeLinear' (QuantizeLinear): scale 0.07");
  });

  it('a clipped ReLU whose scale is not its clip over the top step: IMC266', () => {
    const err = thrown(() => quantize(graphOf(qdqModel({ clip: 1 })), images(2, 1), 8, 8));
    expect(err.code).toBe('IMC266');
    expect(err.message).toContain('on the clipped ReLU');
  });

  it('uint8 activations need 9-bit activations: IMC264 with 8, imported as they are with 9', () => {
    const graph = graphOf(qdqModel({ activationType: UINT8 }));
    const err = thrown(() => quantize(graph, images(2, 1), 8, 8));
    expect(err.code).toBe('IMC264');
    expect(err.message).toContain('uint8 activations (0 to 255) do not fit 8-bit signed activations; import with --activation-bits 9');
    expect(quantize(graph, images(2, 1), 8, 9).scales.get(graph.inputName)).toBe(S_IN);
  });

  it('an int8 weight of -128 (full range): IMC201 on the CLI, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-qdq-'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync('examples/targets/digits-tile.imc', join(dir, 'targets', 'digits-tile.imc'));
    writeFileSync(join(dir, 'bad.onnx'), qdqModel({ convWeights: W_CONV.map((w, i) => (i === 5 ? -128 : w)) }));
    writeFileSync(join(dir, 'calib.npy'), formatNpy({ dtype: 'f4', shape: [1, 1, 8, 8], data: new Float64Array(64) }));
    const r = await runCli(['import', join(dir, 'bad.onnx'), '--target', join(dir, 'targets', 'digits-tile.imc'), '-o', join(dir, 'bad.imc'), '--calibrate', join(dir, 'calib.npy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('imcc: error IMC201: layer conv_Conv: its quantized weights reach 128 steps, beyond the 8-bit symmetric range +-127');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
