// Threshold (Whetstone-style binary) networks at import (issue 17 item 2, docs/import.md "Threshold networks"): the
// ONNX step pattern GreaterOrEqual / Greater of a constant + Cast becomes `threshold(x, level L)`; the committed
// threshold-trained digits model (models/digits-threshold, scripts/train-digits-threshold.py) imports, its float
// model matches PyTorch and its integer top-1 stays near it. Also the identity conv before an add of 0/1 values
// and the IMC127 / IMC135 reasons.
import { mkdirSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { runCli } from '../support/cli.js';
import { validateJson } from '../../src/support/schema.js';
import { parseNpy } from '../../src/support/npy.js';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { calibrate } from '../../src/import/quantize.js';
import { withBinaryShortcuts } from '../../src/import/spiking.js';
import { stepLevel } from '../../src/import/write.js';
import { evaluateDesign } from '../../src/import/evaluate.js';
import { ToolError } from '../../src/diagnostics/index.js';

const { onnx } = onnxProto;
const MODEL = 'models/digits-threshold/model.onnx';
const CALIB = 'models/digits/calib_x.npy';
const TEST_X = 'models/digits/test_x.npy';
const TEST_Y = 'models/digits/test_y.npy';

function tensor(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: 1, floatData: values };
}
function node(opType: string, inputs: string[], outputs: string[], attributes: onnxProto.onnx.IAttributeProto[] = []): onnxProto.onnx.INodeProto {
  return { name: `/${opType}_${outputs[0]}`, opType, input: inputs, output: outputs, attribute: attributes };
}
const toFloat: onnxProto.onnx.IAttributeProto = { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 1 };

function model(nodes: onnxProto.onnx.INodeProto[], initializers: onnxProto.onnx.ITensorProto[], output: string): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [1, 2, 2, 2].map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: output }],
    },
  }).finish();
}

const x = Float64Array.of(0.2, 0.5, 0.7, -0.1, 0.5, 0.9, 0, 0.51);
const identity = tensor('w', [2, 2, 1, 1], [1, 0, 0, 1]);

function refusal(bytes: Uint8Array): string {
  try {
    importGraph(readOnnx('t.onnx', bytes));
  } catch (err) {
    if (err instanceof ToolError) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('the step pattern', () => {
  it('GreaterOrEqual + Cast is x >= c, Greater + Cast is x > c, in the float model', () => {
    for (const [op, expected] of [
      ['GreaterOrEqual', [0, 1, 1, 0, 1, 1, 0, 1]],
      ['Greater', [0, 0, 1, 0, 0, 1, 0, 1]],
    ] as const) {
      const bytes = model([node('Conv', ['x', 'w'], ['c']), node(op, ['c', 'half'], ['b']), node('Cast', ['b'], ['y'], [toFloat])], [identity, tensor('half', [], [0.5])], 'y');
      const graph = importGraph(readOnnx('t.onnx', bytes));
      expect(graph.layers.map((l) => l.op.kind)).toEqual(['input', 'conv', 'requant', 'threshold']);
      expect(graph.layers[3].origin).toEqual([`${op} /${op}_b`, 'Cast /Cast_y']);
      expect(Array.from(runFloat(graph, x).get(graph.output)!)).toEqual(expected);
    }
  });

  it("the integer level: x >= c is q >= ceil(c / s), x > c is q >= floor(c / s) + 1, exact quotients kept", () => {
    expect(stepLevel({ level: 0.5, strict: false }, 0.03)).toBe(17); // 16.67 -> 17
    expect(stepLevel({ level: 0.5, strict: true }, 0.03)).toBe(17);
    expect(stepLevel({ level: 0.5, strict: false }, 0.05)).toBe(10); // exactly 10 (0.5 / 0.05 is 9.999999999999998)
    expect(stepLevel({ level: 0.5, strict: true }, 0.05)).toBe(11);
  });

  it('a step\'s 1 has the scale 1; its input keeps its calibrated scale', () => {
    const bytes = model(
      [node('Conv', ['x', 'w'], ['c']), node('GreaterOrEqual', ['c', 'half'], ['b']), node('Cast', ['b'], ['s'], [toFloat]), node('Conv', ['s', 'w'], ['y'])],
      [identity, tensor('half', [], [0.5])],
      'y',
    );
    const graph = importGraph(readOnnx('t.onnx', bytes));
    const scales = calibrate(graph, [x], 8);
    const step = graph.layers.find((l) => l.op.kind === 'threshold')!;
    expect(scales.get(step.name)).toBe(1);
    expect(scales.get(step.inputs[0])).toBeCloseTo(0.9 / 127, 6);
  });

  it('IMC127: a Cast of anything but a step, a step at a computed level, a step read without its Cast', () => {
    const half = tensor('half', [], [0.5]);
    expect(refusal(model([node('Conv', ['x', 'w'], ['c']), node('Cast', ['c'], ['y'], [toFloat])], [identity], 'y'))).toMatch(/^IMC127 .*\(Cast\): only the Cast of a step/);
    expect(refusal(model([node('Conv', ['x', 'w'], ['c']), node('Greater', ['c', 'c'], ['b']), node('Cast', ['b'], ['y'], [toFloat])], [identity], 'y'))).toMatch(
      /^IMC127 .*\(Greater\): only a step of an activation at one constant level/,
    );
    expect(refusal(model([node('Conv', ['x', 'w'], ['c']), node('Greater', ['c', 'half'], ['b']), node('Relu', ['b'], ['y'])], [identity, half], 'y'))).toMatch(
      /^IMC127 .*\(Relu\): input 'b' comes from no supported node/,
    );
    const toInt: onnxProto.onnx.IAttributeProto = { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 7 };
    expect(refusal(model([node('Conv', ['x', 'w'], ['c']), node('Greater', ['c', 'half'], ['b']), node('Cast', ['b'], ['y'], [toInt])], [identity, half], 'y'))).toMatch(/\(Cast\)/);
  });

  it('an add reading 0/1 values gets an identity 1x1 conv (and its requant) in front; the float model is unchanged', () => {
    const bytes = model(
      [node('Conv', ['x', 'w'], ['c']), node('GreaterOrEqual', ['c', 'half'], ['b']), node('Cast', ['b'], ['s'], [toFloat]), node('Conv', ['s', 'w'], ['d']), node('Add', ['d', 's'], ['y'])],
      [identity, tensor('half', [], [0.5])],
      'y',
    );
    const plain = importGraph(readOnnx('t.onnx', bytes));
    const graph = withBinaryShortcuts(plain, false);
    expect(graph.layers.map((l) => l.op.kind)).toEqual(['input', 'conv', 'requant', 'threshold', 'conv', 'requant', 'conv', 'requant', 'add']);
    const add = graph.layers[graph.layers.length - 1];
    expect(add.inputs[1]).toBe(graph.layers[7].name);
    expect(Array.from(runFloat(graph, x).get(add.name)!)).toEqual(Array.from(runFloat(plain, x).get(add.name)!));
  });

  it('IMC135: a clipped ReLU is not converted to integrate-and-fire', () => {
    const bytes = model([node('Conv', ['x', 'w'], ['c']), node('Clip', ['c', 'lo', 'hi'], ['y'])], [identity, tensor('lo', [], [0]), tensor('hi', [], [0.5])], 'y');
    const graph = importGraph(readOnnx('t.onnx', bytes));
    expect(() => calibrate(graph, [x], 8, undefined, { threshold: 127, percentile: 99.9 })).toThrow(/a clipped ReLU cannot become an integrate-and-fire neuron/);
    try {
      calibrate(graph, [x], 8, undefined, { threshold: 127, percentile: 99.9 });
    } catch (err) {
      expect((err as ToolError).code).toBe('IMC135');
    }
  });
});

describe('the threshold-trained digits CNN (models/digits-threshold)', () => {
  it('imports to examples/digits-threshold.imc and .npz byte for byte, one threshold layer per step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-threshold-import-'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync('examples/targets/digits-threshold-tile.imc', join(dir, 'targets', 'digits-threshold-tile.imc'));
    const r = await runCli(['import', MODEL, '--target', join(dir, 'targets', 'digits-threshold-tile.imc'), '-o', join(dir, 'digits-threshold.imc'), '--calibrate', CALIB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    validateJson('import', JSON.parse(r.stdout));
    const text = readFileSync(join(dir, 'digits-threshold.imc'), 'utf8');
    expect(text).toBe(readFileSync('examples/digits-threshold.imc', 'utf8'));
    expect(readFileSync(join(dir, 'digits-threshold.npz')).equals(readFileSync('examples/digits-threshold.npz'))).toBe(true);
    expect(text.match(/= threshold\(/g)).toHaveLength(3);
    expect(text).toContain('steps_0_GreaterOrEqual = threshold(bn1_BatchNormalization, level 17)');
  });

  it("the float interpreter reproduces PyTorch's logits of the test images (test_logits.npy from the training script)", () => {
    const graph = importGraph(readOnnx(MODEL, readFileSync(MODEL)));
    const images = parseNpy(readFileSync(TEST_X));
    const logits = parseNpy(readFileSync('models/digits-threshold/test_logits.npy'));
    let worst = 0;
    for (let k = 0; k < images.shape[0]; k++) {
      const out = runFloat(graph, images.data.subarray(k * 256, (k + 1) * 256)).get(graph.output)!;
      for (let i = 0; i < 10; i++) worst = Math.max(worst, Math.abs(out[i] - logits.data[k * 10 + i]));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('integer top-1 is within 2 points of the float top-1 on the 350 test images (docs/import.md, README table)', async () => {
    const r = await evaluateDesign('examples/digits-threshold.imc', TEST_X, TEST_Y, MODEL);
    expect(r.floatTop1! - r.top1).toBeLessThanOrEqual(0.02);
    expect({ top1: (100 * r.top1).toFixed(2), float: (100 * r.floatTop1!).toFixed(2) }).toEqual({ top1: '94.29', float: '95.71' });
  });
});
