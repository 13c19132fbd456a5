// The ONNX -> .imc layer conversion on small hand-built models: the operators beyond the digits CNN (Gemm with
// transB 0, MatMul + bias Add, GlobalAveragePool, AveragePool, Reshape, Identity, Dropout), checked against a direct
// float computation, and the IMC127 reasons for what the importer refuses.
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { calibrate } from '../../src/import/quantize.js';
import { ToolError } from '../../src/diagnostics/index.js';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;

function tensor(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: 1, floatData: values };
}
function int64s(name: string, values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: 7, int64Data: values };
}
function node(opType: string, inputs: string[], outputs: string[], attributes: onnxProto.onnx.IAttributeProto[] = []): onnxProto.onnx.INodeProto {
  return { name: `/${opType}_${outputs[0]}`, opType, input: inputs, output: outputs, attribute: attributes };
}
const ints = (name: string, v: number[]): onnxProto.onnx.IAttributeProto => ({ name, type: A.INTS, ints: v });

function model(nodes: onnxProto.onnx.INodeProto[], initializers: onnxProto.onnx.ITensorProto[], output: string | string[], inputDims: (number | string)[] = [1, 2, 4, 4]): Uint8Array {
  const dim = inputDims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim } } } }],
      output: (Array.isArray(output) ? output : [output]).map((name) => ({ name })),
    },
  }).finish();
}

const x = Float64Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 10 - 0.3);

describe('importGraph', () => {
  it('Identity, Conv 1x1, Dropout, AveragePool, GlobalAveragePool, Reshape, MatMul + Add, Gemm transB 0 compute as written', () => {
    const w = [1, -2, 0.5, 3]; // conv 2 -> 2, 1x1
    const m = [1, 2, 3, -1, 0.5, 0]; // MatMul [2, 3]
    const g = [0.25, -1, 2, 1, 0, 3]; // Gemm B [3, 2], transB 0
    const bytes = model(
      [
        node('Identity', ['x'], ['i']),
        node('Conv', ['i', 'w'], ['c']),
        node('Dropout', ['c'], ['d']),
        node('AveragePool', ['d'], ['p'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]),
        node('GlobalAveragePool', ['p'], ['gap']),
        node('Reshape', ['gap', 'shape'], ['flat']),
        node('MatMul', ['flat', 'm'], ['mm']),
        node('Add', ['mm', 'mb'], ['fc1']),
        node('Relu', ['fc1'], ['r']),
        node('Gemm', ['r', 'g', 'gb'], ['y']),
      ],
      [tensor('w', [2, 2, 1, 1], w), int64s('shape', [1, -1]), tensor('m', [2, 3], m), tensor('mb', [3], [0.1, 0.2, 0.3]), tensor('g', [3, 2], g), tensor('gb', [2], [1, -1])],
      'y',
    );
    const graph = importGraph(readOnnx('t.onnx', bytes));
    expect(graph.layers.map((l) => l.op.kind)).toEqual(['input', 'conv', 'requant', 'avgpool', 'gap', 'flatten', 'fc', 'requant', 'relu', 'fc', 'requant']);
    expect(graph.output).toBe(graph.layers[graph.layers.length - 1].name);
    // Direct float computation of the same model.
    const conv = [0, 1].map((o) => Array.from({ length: 16 }, (_, p) => w[o * 2] * x[p] + w[o * 2 + 1] * x[16 + p]));
    const gapValues = conv.map((ch) => ch.reduce((a, b) => a + b, 0) / 16); // 2x2 average pools, then the global mean
    const fc1 = [0, 1, 2].map((j) => Math.max(0, gapValues[0] * m[j] + gapValues[1] * m[3 + j] + [0.1, 0.2, 0.3][j]));
    const y = [0, 1].map((k) => fc1[0] * g[k] + fc1[1] * g[2 + k] + fc1[2] * g[4 + k] + [1, -1][k]);
    const out = runFloat(graph, x).get(graph.output)!;
    // The model stores float32 parameters (0.1 is not exact), so the two agree to float32 precision.
    expect(out).toHaveLength(2);
    for (let k = 0; k < 2; k++) expect(out[k]).toBeCloseTo(y[k], 6);
  });

  it('Clip(0, c) after a Conv is a clipped ReLU: the float model clips, and calibration sets its scale to c / 127', () => {
    const bytes = model([node('Conv', ['x', 'w'], ['c']), node('Clip', ['c', 'lo', 'hi'], ['y'])], [tensor('w', [1, 2, 1, 1], [4, 4]), tensor('lo', [], [0]), tensor('hi', [], [0.5])], 'y');
    const graph = importGraph(readOnnx('t.onnx', bytes));
    const clip = graph.layers[graph.layers.length - 1];
    expect(clip.op).toEqual({ kind: 'relu', clip: 0.5 });
    const out = runFloat(graph, x).get(graph.output)!;
    expect(Math.max(...out)).toBe(0.5);
    expect(Math.min(...out)).toBe(0);
    const scales = calibrate(graph, [x], 8);
    expect(scales.get(clip.name)).toBe(0.5 / 127);
    expect(scales.get(clip.inputs[0])).toBe(0.5 / 127);
  });

  const refused: { name: string; nodes: onnxProto.onnx.INodeProto[]; message: RegExp; dims?: (number | string)[]; code?: string; output?: string | string[] }[] = [
    { name: 'dilation', nodes: [node('Conv', ['x', 'w3'], ['y'], [ints('dilations', [2, 2])])], message: /\(Conv\): dilations \[2, 2\]: dilated convolutions are not supported/ },
    { name: 'a pad as large as the kernel', nodes: [node('Conv', ['x', 'w3'], ['y'], [ints('pads', [0, 0, 3, 0])])], message: /\(Conv\): pads \[0, 0, 3, 0\] are not smaller than the 3x3 kernel on every side/ },
    { name: 'per-axis strides', nodes: [node('Conv', ['x', 'w3'], ['y'], [ints('strides', [1, 2])])], message: /\(Conv\): strides \[1, 2\]/ },
    { name: 'a dynamic height', nodes: [node('Relu', ['x'], ['y'])], message: /graph input 'x' has shape \[1, 2, H, 4\]/, dims: [1, 2, 'H', 4], code: 'IMC267' },
    { name: 'a batch of 2', nodes: [node('Relu', ['x'], ['y'])], message: /graph input 'x' has batch size 2; export the model with batch 1/, dims: [2, 2, 4, 4], code: 'IMC268' },
    { name: 'two outputs', nodes: [node('Relu', ['x'], ['y']), node('Relu', ['y'], ['z'])], message: /^the graph has 2 outputs; the importer needs exactly one$/, output: ['y', 'z'], code: 'IMC269' },
    { name: 'an output no node makes', nodes: [node('Relu', ['x'], ['y'])], message: /^the graph output 'nowhere' comes from no supported node$/, output: 'nowhere', code: 'IMC270' },
    { name: 'a batch norm after a relu', nodes: [node('Relu', ['x'], ['r']), node('BatchNormalization', ['r', 's', 's', 's', 's'], ['y'])], message: /\(BatchNormalization\): a batch norm folds into the Conv or Gemm right before it/ },
    { name: 'a Gemm on a volume', nodes: [node('Gemm', ['x', 'w3'], ['y'])], message: /\(Gemm\): its input is 2x4x4; flatten it first/ },
    { name: 'a Clip with a negative minimum', nodes: [node('Conv', ['x', 'w3'], ['c']), node('Clip', ['c', 'neg', 'neg'], ['y'])], message: /\(Clip\): Clip\(-1, -1\): only a clipped ReLU/ },
    { name: 'a Softmax', nodes: [node('Softmax', ['x'], ['y'])], message: /\(Softmax\): this operator is not supported/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.code ?? 'IMC127'}${c.code ? '' : ' naming the node'}`, () => {
      const bytes = model(c.nodes, [tensor('w3', [2, 2, 3, 3], new Array(36).fill(0.1)), tensor('s', [2], [1, 1]), tensor('neg', [], [-1])], c.output ?? 'y', c.dims);
      let error: unknown;
      try {
        importGraph(readOnnx('t.onnx', bytes));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ToolError);
      expect((error as ToolError).code).toBe(c.code ?? 'IMC127');
      expect((error as ToolError).message).toMatch(c.message);
    });
  }
});
