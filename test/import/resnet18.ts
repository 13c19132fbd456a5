// torchvision's ResNet-18 (num_classes 10) as an ONNX model with batch norms kept (or folded), built here with seeded
// weights (no Python in CI): conv 7x7/2 + BN + ReLU, max pool 3x3/2 pad 1, four stages of two basic blocks (64, 128, 256,
// 512 channels; 1x1/2 conv + BN projections on the first block of stages 2-4), global average pool, flatten, fc.
import onnxProto from 'onnx-proto';
import { mulberry32 } from '../../src/ir/weights.js';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;

/**
 * Folds every BatchNormalization into the Conv before it, in the model itself, the way an export with BN folded
 * (torch.onnx.export(..., training=TrainingMode.EVAL, do_constant_folding=True) after fuse_conv_bn) presents it: a
 * Conv with a bias and no BN node. Parameters are rounded to float32 as the file stores them.
 */
function foldBatchNorms(nodes: onnxProto.onnx.INodeProto[], initializers: onnxProto.onnx.ITensorProto[]): onnxProto.onnx.INodeProto[] {
  const values = (name: string): Float32Array => {
    const t = initializers.find((i) => i.name === name)!;
    return new Float32Array(Uint8Array.from(t.rawData!).buffer);
  };
  const replace = (name: string, dims: number[], data: Float32Array): void => {
    const at = initializers.findIndex((i) => i.name === name);
    const tensor = { name, dims, dataType: 1, rawData: new Uint8Array(data.buffer) };
    if (at >= 0) initializers[at] = tensor;
    else initializers.push(tensor);
  };
  const kept: onnxProto.onnx.INodeProto[] = [];
  for (const node of nodes) {
    if (node.opType !== 'BatchNormalization') {
      kept.push(node);
      continue;
    }
    const conv = kept.find((n) => n.output![0] === node.input![0])!;
    const [gamma, beta, mean, variance] = node.input!.slice(1).map(values);
    const eps = node.attribute!.find((a) => a.name === 'epsilon')!.f!;
    const weight = values(conv.input![1]);
    const per = weight.length / gamma.length;
    const bias = new Float32Array(gamma.length);
    for (let o = 0; o < gamma.length; o++) {
      const k = gamma[o] / Math.sqrt(variance[o] + eps);
      for (let i = 0; i < per; i++) weight[o * per + i] *= k;
      bias[o] = beta[o] - mean[o] * k;
    }
    const dims = initializers.find((i) => i.name === conv.input![1])!.dims as number[];
    replace(conv.input![1], dims, weight);
    replace(`${conv.input![1]}.folded_bias`, [gamma.length], bias);
    conv.input = [conv.input![0], conv.input![1], `${conv.input![1]}.folded_bias`];
    conv.output = node.output;
    for (const name of node.input!.slice(1)) initializers.splice(initializers.findIndex((i) => i.name === name), 1);
  }
  return kept;
}

export function resnet18Onnx(inputSize = 64, seed = 18, options: { foldBatchNorm?: boolean } = {}): Uint8Array {
  const next = mulberry32(seed);
  const uniform = (): number => next() / 2 ** 32 - 0.5;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const param = (name: string, dims: number[], fill: () => number): string => {
    const count = dims.reduce((a, b) => a * b, 1);
    // Raw little-endian float32 bytes, as torch.onnx.export writes initializers.
    initializers.push({ name, dims, dataType: 1, rawData: new Uint8Array(Float32Array.from({ length: count }, fill).buffer) });
    return name;
  };
  const ints = (name: string, v: number[]): onnxProto.onnx.IAttributeProto => ({ name, type: A.INTS, ints: v });
  const conv = (name: string, x: string, cin: number, cout: number, k: number, stride: number): string => {
    const fanIn = cin * k * k;
    const w = param(`${name}.weight`, [cout, cin, k, k], () => (2 * uniform()) / Math.sqrt(fanIn / 3));
    const pad = (k - 1) / 2;
    nodes.push({ name: `/${name}/Conv`, opType: 'Conv', input: [x, w], output: [`${name}.out`], attribute: [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ints('pads', [pad, pad, pad, pad])] });
    return `${name}.out`;
  };
  const bn = (name: string, x: string, channels: number): string => {
    const inputs = [x, param(`${name}.weight`, [channels], () => 1 + 0.2 * uniform()), param(`${name}.bias`, [channels], () => 0.1 * uniform()), param(`${name}.running_mean`, [channels], () => 0.1 * uniform()), param(`${name}.running_var`, [channels], () => 1 + 0.5 * uniform())];
    nodes.push({ name: `/${name}/BatchNormalization`, opType: 'BatchNormalization', input: inputs, output: [`${name}.out`], attribute: [{ name: 'epsilon', type: A.FLOAT, f: 1e-5 }] });
    return `${name}.out`;
  };
  const relu = (name: string, x: string): string => {
    nodes.push({ name: `/${name}/Relu`, opType: 'Relu', input: [x], output: [`${name}.relu`] });
    return `${name}.relu`;
  };
  let x = relu('stem', bn('bn1', conv('conv1', 'input', 3, 64, 7, 2), 64));
  nodes.push({ name: '/maxpool/MaxPool', opType: 'MaxPool', input: [x], output: ['maxpool.out'], attribute: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])] });
  x = 'maxpool.out';
  let channels = 64;
  for (const [stage, width] of [64, 128, 256, 512].entries()) {
    for (const block of [0, 1]) {
      const name = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const y = relu(`${name}.a`, bn(`${name}.bn1`, conv(`${name}.conv1`, x, channels, width, 3, stride), width));
      const z = bn(`${name}.bn2`, conv(`${name}.conv2`, y, width, width, 3, 1), width);
      const shortcut = stride !== 1 || channels !== width ? bn(`${name}.downsample.1`, conv(`${name}.downsample.0`, x, channels, width, 1, stride), width) : x;
      nodes.push({ name: `/${name}/Add`, opType: 'Add', input: [z, shortcut], output: [`${name}.sum`] });
      x = relu(name, `${name}.sum`);
      channels = width;
    }
  }
  nodes.push({ name: '/avgpool/GlobalAveragePool', opType: 'GlobalAveragePool', input: [x], output: ['gap'] });
  nodes.push({ name: '/Flatten', opType: 'Flatten', input: ['gap'], output: ['flat'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
  const fcW = param('fc.weight', [10, 512], () => (2 * uniform()) / Math.sqrt(512 / 3));
  const fcB = param('fc.bias', [10], () => 0.1 * uniform());
  nodes.push({ name: '/fc/Gemm', opType: 'Gemm', input: ['flat', fcW, fcB], output: ['logits'], attribute: [{ name: 'transB', type: A.INT, i: 1 }] });
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'resnet18',
      node: options.foldBatchNorm ? foldBatchNorms(nodes, initializers) : nodes,
      initializer: initializers,
      input: [{ name: 'input', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimValue: inputSize }, { dimValue: inputSize }] } } } }],
      output: [{ name: 'logits' }],
    },
  }).finish();
}
