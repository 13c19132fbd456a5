// The ONNX graph as the layers of an .imc network, still in floats: every supported operator becomes one layer (or
// disappears: Identity, Dropout; or folds: BatchNormalization into the conv / fc before it, a MatMul's bias Add into
// the fc). Each weight layer is followed by a `requant` layer, the .imc `batchnorm` that carries the neuron core's
// per-channel multiplier and bias. QuantizeLinear / DequantizeLinear pairs of a quantized model vanish from the
// float graph but leave their scales (./qdq.ts). A step, Greater(OrEqual) of a constant then Cast to float, is one
// `threshold` layer. Anything else is IMC127 naming the node, its operator and why.
import { ToolError } from '../diagnostics/index.js';
import { hasPadding, windowCount, type Padding } from '../ir/padding.js';
import type { AttributeValue, OnnxModel, OnnxNode, OnnxTensor } from './onnx.js';
import { activationQuant, dequantizeConstant, outputChannelScales, qdqError, quantizeConstant, type ActivationQuant, type QuantizedConstant } from './qdq.js';

export interface Shape3 {
  channels: number;
  height: number;
  width: number;
}

export type ImportOp =
  | { kind: 'input' }
  | { kind: 'conv'; weight: Float64Array; bias: Float64Array; outChannels: number; inChannels: number; kernelHeight: number; kernelWidth: number; stride: number; pad: Padding; weightScales?: Float64Array }
  | { kind: 'fc'; weight: Float64Array; bias: Float64Array; outFeatures: number; inFeatures: number; weightScales?: Float64Array }
  | { kind: 'requant' }
  /** `clip`: a Clip(0, clip), done by the requantization's saturation (its group's scale is clip / (2^(a-1)-1)). */
  | { kind: 'relu'; clip?: number }
  /** A step (Whetstone): 1 where x >= level (`strict`: x > level), else 0; from Greater(OrEqual) + Cast. */
  | { kind: 'threshold'; level: number; strict: boolean }
  | { kind: 'maxpool' | 'avgpool'; size: number; stride: number; pad: Padding }
  | { kind: 'gap' }
  | { kind: 'add' }
  | { kind: 'flatten' };

export interface ImportLayer {
  /** The .imc layer name (from the ONNX node name). */
  name: string;
  /** The ONNX nodes this layer stands for, for the comment beside it ("Conv /conv1/Conv"). */
  origin: string[];
  op: ImportOp;
  inputs: string[];
  shape: Shape3;
}

export interface ImportGraph {
  inputName: string;
  layers: ImportLayer[];
  output: string;
  /** Activation scales a quantized (QDQ) model fixes, by layer name; calibration measures the others. */
  activationScales: Map<string, ActivationQuant>;
}

const RESERVED = new Set(['import', 'target', 'network', 'on', 'extends', 'block', 'return']);

/** An .imc name for an ONNX name: letters, digits and _ (runs of anything else become one _), unique. */
export function imcName(onnxName: string, taken: Set<string>): string {
  let base = onnxName.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (base === '' || /^[0-9]/.test(base)) base = `n_${base}`;
  if (RESERVED.has(base)) base = `${base}_`;
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

function unsupported(node: OnnxNode, why: string): ToolError {
  return new ToolError('IMC127', { node: node.name, op: node.opType, why });
}

function ints(node: OnnxNode, key: string, fallback: number[]): number[] {
  const v: AttributeValue | undefined = node.attributes.get(key);
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw unsupported(node, `attribute ${key} is not a list of integers`);
  return v;
}

function int(node: OnnxNode, key: string, fallback: number): number {
  const v = node.attributes.get(key);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw unsupported(node, `attribute ${key} is not a number`);
  return v;
}

/**
 * auto_pad SAME_UPPER / SAME_LOWER as explicit [top, left, bottom, right] pads: ceil(size / stride) outputs, the odd
 * pixel of padding at the end (UPPER, TensorFlow's SAME) or at the beginning (LOWER).
 */
function samePads(autoPad: string, input: { height: number; width: number }, kernel: number[], stride: number): number[] {
  const total = (size: number, k: number) => Math.max(0, (Math.ceil(size / stride) - 1) * stride + k - size);
  const [th, tw] = [total(input.height, kernel[0]), total(input.width, kernel[1])];
  const begin = (t: number) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2));
  return [begin(th), begin(tw), th - begin(th), tw - begin(tw)];
}

/** One stride for both axes and the pad of each side (ONNX pads are [top, left, bottom, right]). */
function window(node: OnnxNode, kernel: number[], input: { height: number; width: number }): { stride: number; pad: Padding } {
  const strides = ints(node, 'strides', [1, 1]);
  if (strides.length !== 2 || strides[0] !== strides[1]) throw unsupported(node, `strides [${strides.join(', ')}]: the .imc layers take one stride for both axes`);
  const autoPad = node.attributes.get('auto_pad') ?? 'NOTSET';
  let pads: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') pads = samePads(autoPad, input, kernel, strides[0]);
  else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  else if (autoPad === 'NOTSET') pads = ints(node, 'pads', [0, 0, 0, 0]);
  else throw unsupported(node, `auto_pad ${String(autoPad)} (export with explicit pads)`);
  if (pads.length !== 4 || pads.some((p) => p < 0)) throw unsupported(node, `pads [${pads.join(', ')}]: expected four pads of at least 0 (top, left, bottom, right)`);
  const pad = { top: pads[0], left: pads[1], bottom: pads[2], right: pads[3] };
  if (pad.top >= kernel[0] || pad.bottom >= kernel[0] || pad.left >= kernel[1] || pad.right >= kernel[1]) {
    throw unsupported(node, `pads [${pads.join(', ')}] are not smaller than the ${kernel[0]}x${kernel[1]} kernel on every side`);
  }
  return { stride: strides[0], pad };
}

/**
 * values[from..to) *= k. A function of its own (as are quantize's per-channel loops) so that V8 optimizes it once for
 * every channel and layer: as a loop inside importGraph's one large function, each fold ran unoptimized until an
 * on-stack replacement, 0.1-0.15 s of a ResNet-18 import on a loaded machine (bench/import.ts).
 */
function scaleRange(values: Float64Array, from: number, to: number, k: number): void {
  for (let i = from; i < to; i++) values[i] *= k;
}

/** Converts the ONNX model into .imc layers (floats), or throws IMC127 / IMC125. */
export function importGraph(model: OnnxModel): ImportGraph {
  const taken = new Set<string>();
  const layers: ImportLayer[] = [];
  const byName = new Map<string, ImportLayer>();
  /** ONNX tensor name -> the layer whose value it is. */
  const producer = new Map<string, ImportLayer>();
  const consumers = new Map<string, number>();
  for (const n of model.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of model.outputs) consumers.set(o, (consumers.get(o) ?? 0) + 1);

  // The model's constants plus the weights that QDQ nodes dequantize (and, for those, their scales).
  const constants = new Map(model.constants);
  const quantizedConstants = new Map<string, QuantizedConstant>();
  /** ONNX activation tensor name -> the QuantizeLinear that made it (its DequantizeLinear must undo it). */
  const quantizedTensors = new Map<string, ActivationQuant>();
  const activationScales = new Map<string, ActivationQuant>();
  const dims = model.input.dims;
  const fixed = dims.slice(dims.length === 4 ? 1 : 0);
  if ((dims.length !== 4 && dims.length !== 3) || fixed.some((d) => typeof d !== 'number' || d < 1)) {
    throw new ToolError('IMC267', { input: model.input.name, shape: dims.join(', ') });
  }
  if (dims.length === 4 && typeof dims[0] === 'number' && dims[0] !== 1) {
    throw new ToolError('IMC268', { input: model.input.name, batch: dims[0] });
  }
  const add = (layer: Omit<ImportLayer, 'name'> & { onnxName: string }, output: string): ImportLayer => {
    const { onnxName, ...rest } = layer;
    const made: ImportLayer = { name: imcName(onnxName, taken), ...rest };
    layers.push(made);
    byName.set(made.name, made);
    producer.set(output, made);
    return made;
  };
  /** Boolean outputs of a Greater / GreaterOrEqual step: only a Cast to a float type may read them. */
  const steps = new Map<string, ImportLayer>();
  const inputLayer = add(
    { onnxName: model.input.name, origin: [`graph input ${model.input.name}`], op: { kind: 'input' }, inputs: [], shape: { channels: fixed[0] as number, height: fixed[1] as number, width: fixed[2] as number } },
    model.input.name,
  );

  const constant = (node: OnnxNode, name: string | undefined, what: string): OnnxTensor => {
    const t = name !== undefined ? constants.get(name) : undefined;
    if (!t) throw unsupported(node, `its ${what} is not a constant tensor (computed weights are not supported)`);
    return t;
  };
  const source = (node: OnnxNode, index = 0): ImportLayer => {
    const name = node.inputs[index];
    const p = producer.get(name);
    if (!p) throw unsupported(node, constants.has(name) ? `input ${index} is a constant, the importer needs an activation there` : `input '${name}' comes from no supported node`);
    return p;
  };
  /** The weight layer a BatchNormalization or bias Add folds into: it must feed only this node. */
  type WeightLayer = ImportLayer & { op: Extract<ImportOp, { kind: 'conv' | 'fc' }> };
  const foldTarget = (node: OnnxNode): WeightLayer | undefined => {
    const p = producer.get(node.inputs[0]);
    if (!p || (p.op.kind !== 'conv' && p.op.kind !== 'fc') || (consumers.get(node.inputs[0]) ?? 0) !== 1) return undefined;
    return p as WeightLayer;
  };
  const withRequant = (weightLayer: ImportLayer, output: string, onnxName: string, origin: string[]): void => {
    add({ onnxName, origin, op: { kind: 'requant' }, inputs: [weightLayer.name], shape: weightLayer.shape }, output);
  };

  for (const node of model.nodes) {
    const out = node.outputs[0];
    const origin = [`${node.opType} ${node.name}`];
    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        producer.set(out, source(node));
        break;
      case 'Conv': {
        const x = source(node);
        const w = constant(node, node.inputs[1], 'weight');
        if (int(node, 'group', 1) !== 1) throw unsupported(node, `group ${int(node, 'group', 1)}: grouped and depthwise convolutions do not map onto one kernel matrix`);
        if (ints(node, 'dilations', [1, 1]).some((d) => d !== 1)) throw unsupported(node, `dilations [${ints(node, 'dilations', [1, 1]).join(', ')}]: dilated convolutions are not supported`);
        if (w.dims.length !== 4 || w.dims[1] !== x.shape.channels) throw unsupported(node, `weight shape [${w.dims.join(', ')}] is not [Cout, ${x.shape.channels}, Fh, Fw]`);
        const [outChannels, inChannels, kernelHeight, kernelWidth] = w.dims;
        const given = quantizedConstants.get(node.inputs[1]);
        const weightScales = given && outputChannelScales(node, given, 0, outChannels);
        const { stride, pad } = window(node, [kernelHeight, kernelWidth], x.shape);
        const bias = node.inputs[2] ? constant(node, node.inputs[2], 'bias').data : new Float64Array(outChannels);
        const shape = { channels: outChannels, height: windowCount(x.shape.height, pad.top, pad.bottom, kernelHeight, stride), width: windowCount(x.shape.width, pad.left, pad.right, kernelWidth, stride) };
        if (shape.height < 1 || shape.width < 1) throw unsupported(node, 'the kernel is larger than its padded input');
        add({ onnxName: node.name, origin, op: { kind: 'conv', weight: new Float64Array(w.data), bias: new Float64Array(bias), outChannels, inChannels, kernelHeight, kernelWidth, stride, pad, weightScales }, inputs: [x.name], shape }, out);
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        const x = source(node);
        const w = constant(node, node.inputs[1], 'weight');
        const features = x.shape.channels * x.shape.height * x.shape.width;
        if (x.shape.height !== 1 || x.shape.width !== 1) throw unsupported(node, `its input is ${x.shape.channels}x${x.shape.height}x${x.shape.width}; flatten it first (Flatten or Reshape to 2-D)`);
        const transB = node.opType === 'Gemm' ? int(node, 'transB', 0) : 0;
        if (node.opType === 'Gemm' && int(node, 'transA', 0) !== 0) throw unsupported(node, 'transA 1 is not supported');
        if (w.dims.length !== 2) throw unsupported(node, `weight shape [${w.dims.join(', ')}] is not 2-D`);
        const [rows, cols] = w.dims;
        const outFeatures = transB ? rows : cols;
        if ((transB ? cols : rows) !== features) throw unsupported(node, `weight shape [${w.dims.join(', ')}] does not take ${features} input features`);
        const alpha = node.opType === 'Gemm' ? ((node.attributes.get('alpha') as number | undefined) ?? 1) : 1;
        const given = quantizedConstants.get(node.inputs[1]);
        // alpha scales the dequantized weights, so it scales their step too.
        const weightScales = given && outputChannelScales(node, given, transB ? 0 : 1, outFeatures).map((sw) => Math.abs(alpha) * sw);
        const beta = node.opType === 'Gemm' ? ((node.attributes.get('beta') as number | undefined) ?? 1) : 1;
        const weight = new Float64Array(outFeatures * features);
        for (let o = 0; o < outFeatures; o++) for (let i = 0; i < features; i++) weight[o * features + i] = alpha * (transB ? w.data[o * cols + i] : w.data[i * cols + o]);
        const bias = new Float64Array(outFeatures);
        if (node.opType === 'Gemm' && node.inputs[2]) {
          const c = constant(node, node.inputs[2], 'bias');
          if (c.data.length !== outFeatures && c.data.length !== 1) throw unsupported(node, `bias of ${c.data.length} values for ${outFeatures} outputs`);
          for (let o = 0; o < outFeatures; o++) bias[o] = beta * c.data[c.data.length === 1 ? 0 : o];
        }
        add({ onnxName: node.name, origin, op: { kind: 'fc', weight, bias, outFeatures, inFeatures: features, weightScales }, inputs: [x.name], shape: { channels: outFeatures, height: 1, width: 1 } }, out);
        break;
      }
      case 'BatchNormalization': {
        const target = foldTarget(node);
        if (!target) throw unsupported(node, 'a batch norm folds into the Conv or Gemm right before it, which must feed nothing else');
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => constant(node, node.inputs[i], 'statistics').data);
        const eps = (node.attributes.get('epsilon') as number | undefined) ?? 1e-5;
        const op = target.op;
        const channels = op.kind === 'conv' ? op.outChannels : op.outFeatures;
        const { weight } = op;
        const per = weight.length / channels;
        // Folded here, in floats, before quantization: W' = W * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta.
        for (let o = 0; o < channels; o++) {
          const k = gamma[o] / Math.sqrt(variance[o] + eps);
          scaleRange(weight, o * per, (o + 1) * per, k);
          // A quantized weight keeps its integers: the fold scales its step.
          if (op.weightScales) op.weightScales[o] *= Math.abs(k);
          op.bias[o] = (op.bias[o] - mean[o]) * k + beta[o];
        }
        withRequant(target, out, node.name, origin);
        break;
      }
      case 'Add': {
        const constantInput = node.inputs.findIndex((i) => constants.has(i));
        if (constantInput >= 0) {
          const target = foldTarget({ ...node, inputs: [node.inputs[1 - constantInput]] });
          const c = constants.get(node.inputs[constantInput])!;
          if (!target || target.op.kind !== 'fc' || (c.data.length !== target.op.outFeatures && c.data.length !== 1)) {
            throw unsupported(node, 'adding a constant is supported only as the bias of the MatMul right before it');
          }
          for (let o = 0; o < target.op.outFeatures; o++) target.op.bias[o] += c.data[c.data.length === 1 ? 0 : o];
          target.origin.push(...origin);
          producer.set(out, target);
          break;
        }
        const a = source(node, 0);
        const b = source(node, 1);
        if (a.shape.channels !== b.shape.channels || a.shape.height !== b.shape.height || a.shape.width !== b.shape.width) {
          throw unsupported(node, 'a residual add of two different shapes (broadcasting is not supported)');
        }
        add({ onnxName: node.name, origin, op: { kind: 'add' }, inputs: [a.name, b.name], shape: a.shape }, out);
        break;
      }
      case 'Relu':
      case 'GlobalAveragePool':
      case 'Flatten':
      case 'Reshape': {
        const x = source(node);
        if (node.opType === 'Relu') add({ onnxName: node.name, origin, op: { kind: 'relu' }, inputs: [x.name], shape: x.shape }, out);
        else if (node.opType === 'GlobalAveragePool') add({ onnxName: node.name, origin, op: { kind: 'gap' }, inputs: [x.name], shape: { channels: x.shape.channels, height: 1, width: 1 } }, out);
        else {
          const features = x.shape.channels * x.shape.height * x.shape.width;
          if (node.opType === 'Flatten' && int(node, 'axis', 1) !== 1) throw unsupported(node, `axis ${int(node, 'axis', 1)}: only Flatten(axis 1) to N x features is supported`);
          if (node.opType === 'Reshape') {
            const target = constant(node, node.inputs[1], 'target shape').data;
            const ok = target.length === 2 && (target[0] === 1 || target[0] === -1 || target[0] === 0) && (target[1] === -1 || target[1] === features);
            if (!ok) throw unsupported(node, `reshape to [${Array.from(target).join(', ')}]: only a reshape to 2-D [N, ${features}] (a flatten) is supported`);
          }
          add({ onnxName: node.name, origin, op: { kind: 'flatten' }, inputs: [x.name], shape: { channels: features, height: 1, width: 1 } }, out);
        }
        break;
      }
      case 'Clip': {
        const x = source(node);
        const bound = (index: number, attribute: string): number | undefined => {
          const name = node.inputs[index];
          if (name !== undefined && name !== '') {
            const t = constant(node, name, attribute);
            if (t.data.length !== 1) throw unsupported(node, `its ${attribute} is not a single number`);
            return t.data[0];
          }
          const a = node.attributes.get(attribute);
          return typeof a === 'number' ? a : undefined;
        };
        const low = bound(1, 'min');
        const high = bound(2, 'max');
        if (low !== 0 || high === undefined || !(high > 0) || !Number.isFinite(high)) {
          throw unsupported(node, `Clip(${low ?? '-inf'}, ${high ?? 'inf'}): only a clipped ReLU, Clip(0, max > 0), is supported`);
        }
        // (A Conv or Gemm without batch norm gets its requant layer at the end, between it and this clip.)
        if (!['requant', 'conv', 'fc'].includes(x.op.kind) || (consumers.get(node.inputs[0]) ?? 0) !== 1) {
          throw unsupported(node, 'a clipped ReLU must directly follow a Conv or Gemm (and its batch norm) that feeds nothing else: its clip is the requantization\'s saturation');
        }
        add({ onnxName: node.name, origin, op: { kind: 'relu', clip: high }, inputs: [x.name], shape: x.shape }, out);
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const x = source(node);
        const kernel = ints(node, 'kernel_shape', []);
        if (kernel.length !== 2 || kernel[0] !== kernel[1]) throw unsupported(node, `kernel_shape [${kernel.join(', ')}]: only square pooling windows are supported`);
        if (int(node, 'ceil_mode', 0) !== 0) throw unsupported(node, 'ceil_mode 1 is not supported (the .imc pools round the output size down)');
        if (ints(node, 'dilations', [1, 1]).some((d) => d !== 1)) throw unsupported(node, 'dilated pooling is not supported');
        const { stride, pad } = window(node, kernel, x.shape);
        if (node.opType === 'AveragePool' && hasPadding(pad) && int(node, 'count_include_pad', 0) === 0) {
          throw unsupported(node, 'a padded average pool that excludes the padding from its count (the neuron core divides by size*size; export with count_include_pad=1)');
        }
        const shape = { channels: x.shape.channels, height: windowCount(x.shape.height, pad.top, pad.bottom, kernel[0], stride), width: windowCount(x.shape.width, pad.left, pad.right, kernel[0], stride) };
        add({ onnxName: node.name, origin, op: { kind: node.opType === 'MaxPool' ? 'maxpool' : 'avgpool', size: kernel[0], stride, pad }, inputs: [x.name], shape }, out);
        break;
      }
      case 'Greater':
      case 'GreaterOrEqual': {
        const x = source(node);
        const level = constants.get(node.inputs[1]);
        if (!level || level.data.length !== 1) throw unsupported(node, 'only a step of an activation at one constant level (x > c or x >= c, then Cast to float) is supported');
        const made: ImportLayer = { name: imcName(node.name, taken), origin, op: { kind: 'threshold', level: level.data[0], strict: node.opType === 'Greater' }, inputs: [x.name], shape: x.shape };
        layers.push(made);
        byName.set(made.name, made);
        steps.set(out, made);
        break;
      }
      case 'Cast': {
        const step = steps.get(node.inputs[0]);
        // ONNX TensorProto types FLOAT, FLOAT16, DOUBLE, BFLOAT16: the 0/1 of a step as numbers.
        if (!step || ![1, 10, 11, 16].includes(int(node, 'to', 0))) throw unsupported(node, 'only the Cast of a step (Greater or GreaterOrEqual of a constant) to a float type is supported');
        step.origin.push(...origin);
        producer.set(out, step);
        break;
      }
      case 'QuantizeLinear':
      case 'DequantizeLinear': {
        const scale = constant(node, node.inputs[1], 'scale');
        const zeroPoint = node.inputs[2] ? constant(node, node.inputs[2], 'zero point') : undefined;
        const value = constants.get(node.inputs[0]);
        if (value && node.opType === 'QuantizeLinear') {
          constants.set(out, quantizeConstant(node, value, scale, zeroPoint));
        } else if (value) {
          const { value: weight, quantized } = dequantizeConstant(node, value, scale, zeroPoint);
          constants.set(out, weight);
          quantizedConstants.set(out, quantized);
        } else if (node.opType === 'QuantizeLinear') {
          const x = source(node);
          const quant = activationQuant(node, scale, zeroPoint);
          const earlier = activationScales.get(x.name);
          if (earlier && earlier.scale !== quant.scale) throw qdqError(node, `scale ${quant.scale} on a tensor that ${earlier.node} quantizes with scale ${earlier.scale}`);
          activationScales.set(x.name, quant);
          quantizedTensors.set(out, quant);
          producer.set(out, x);
        } else {
          const x = source(node);
          const quant = quantizedTensors.get(node.inputs[0]);
          const zero = zeroPoint?.data[0] ?? 0;
          if (!quant) throw qdqError(node, 'dequantizes an activation that no QuantizeLinear quantized');
          if (scale.data.length !== 1 || scale.data[0] !== quant.scale || zero !== 0) {
            throw qdqError(node, `scale ${Array.from(scale.data).join(', ')} and zero point ${zero} do not undo ${quant.node} (scale ${quant.scale}, zero point 0)`);
          }
          producer.set(out, x);
        }
        break;
      }
      default:
        throw unsupported(node, 'this operator is not supported (supported: Conv, Gemm, MatMul(+Add), BatchNormalization, Relu, Clip(0, max), Greater / GreaterOrEqual of a constant + Cast (a step), MaxPool, AveragePool, GlobalAveragePool, Add, Flatten, Reshape to 2-D, Identity, Dropout)');
    }
  }
  // Every weight layer gets its requant layer (a BatchNormalization already made one).
  const withRequants: ImportLayer[] = [];
  const renamed = new Map<string, string>();
  const hasRequant = new Set(layers.filter((l) => l.op.kind === 'requant').map((l) => l.inputs[0]));
  for (const layer of layers) {
    const inputs = layer.inputs.map((i) => renamed.get(i) ?? i);
    withRequants.push({ ...layer, inputs });
    if ((layer.op.kind === 'conv' || layer.op.kind === 'fc') && !hasRequant.has(layer.name)) {
      const requant: ImportLayer = { name: imcName(`${layer.name}_requant`, taken), origin: [], op: { kind: 'requant' }, inputs: [layer.name], shape: layer.shape };
      withRequants.push(requant);
      renamed.set(layer.name, requant.name);
    }
  }
  if (model.outputs.length !== 1) throw new ToolError('IMC269', { count: model.outputs.length });
  const outLayer = producer.get(model.outputs[0]);
  if (!outLayer) throw new ToolError('IMC270', { output: model.outputs[0] });
  // A QuantizeLinear after a Conv or Gemm quantizes its requantized output.
  const scales = new Map([...activationScales].map(([name, quant]) => [renamed.get(name) ?? name, quant]));
  return { inputName: inputLayer.name, layers: withRequants, output: renamed.get(outLayer.name) ?? outLayer.name, activationScales: scales };
}
