// Evaluation of single nodes shared by both reference models: the network input and the activation-scale ops that
// run outside a weight layer's accumulator (pools, add, relu, threshold, gap, flatten), plus the result type.
import type { IrDesign, IrNetwork, IrNode, Shape } from '../ir/types.js';
import { elementCount, foldedInto, type LayerParameters } from './network.js';
import { inputNode, outputNode as networkOutput } from '../ir/nodeIndex.js';
import {
  addTensors,
  batchNormRequantTensor,
  flattenTensor,
  globalAvgPoolTensor,
  poolTensor,
  reluTensor,
  type Tensor,
  thresholdTensor,
} from './ops.js';
import { clampSigned } from './arithmetic.js';
import type { IfNeurons } from './spiking.js';

/** Values of every node, by name. A weight layer followed by a folded batch norm holds accumulator-scale P. */
export type NodeValues = Map<string, Tensor>;

export interface InferenceResult {
  /** The input image, CHW. */
  input: Int32Array;
  nodes: NodeValues;
  /** The network output node's activations (CHW; the class scores for a classifier). */
  output: Int32Array;
  /** Index of the first largest output. */
  argmax: number;
}

export function inputTensor(design: IrDesign, image: Int32Array): Tensor {
  const input = inputNode(design.network);
  if (image.length !== elementCount(input.shape)) {
    throw new Error(`reference: image has ${image.length} values, the input needs ${elementCount(input.shape)}`);
  }
  const data = new Float64Array(image);
  for (let i = 0; i < data.length; i++) {
    if (clampSigned(data[i], input.activationBits) !== data[i]) {
      throw new Error(`reference: image value ${i} (${data[i]}) is outside the ${input.activationBits}-bit input range`);
    }
  }
  return { shape: input.shape, data };
}

export function valueOf(values: NodeValues, name: string): Tensor {
  const v = values.get(name);
  if (!v) throw new Error(`reference: ${name} is used before it is computed`);
  return v;
}

/** A folded batch norm: scale and bias of its weight layer, then requantization with that layer's shift. */
export function evaluateFoldedBatchNorm(node: IrNode, layerValue: Tensor, params: LayerParameters): Tensor {
  if (!params.batchNorm) throw new Error(`reference: ${params.layer} has no folded batch norm for ${node.name}`);
  return batchNormRequantTensor(layerValue, params.batchNorm, params.requantShift, node.activationBits);
}

/**
 * Non-weight nodes on activation-scale operands (a batch norm is handled by its weight layer). With `neurons` (an
 * integrate-and-fire design) a relu is one timestep of its integrate-and-fire neurons.
 */
export function evaluateActivationOp(node: IrNode, operands: Tensor[], shape: Shape, neurons?: IfNeurons): Tensor {
  const op = node.op;
  switch (op.kind) {
    case 'add':
      return addTensors(operands[0], operands[1], node.activationBits);
    case 'relu':
      return neurons ? neurons.fire(node.name, operands[0]) : reluTensor(operands[0]);
    case 'threshold':
      return thresholdTensor(operands[0], op.level);
    case 'maxpool':
    case 'avgpool':
      return poolTensor(operands[0], op, shape);
    case 'gap':
      return globalAvgPoolTensor(operands[0], shape);
    case 'flatten':
      return flattenTensor(operands[0], shape);
    default:
      throw new Error(`reference: ${node.name} (${op.kind}) is not an activation op`);
  }
}

/** Evaluates a non-weight node from its producers' values (the plain model, and unfused nodes of the mapped one). */
export function evaluateNode(
  node: IrNode,
  values: NodeValues,
  network: IrNetwork,
  params: Map<string, LayerParameters>,
  neurons?: IfNeurons,
): Tensor {
  if (node.op.kind === 'batchnorm') {
    const layer = foldedInto(network, node);
    const p = params.get(layer.name);
    if (!p) throw new Error(`reference: no parameters for ${layer.name}`);
    return evaluateFoldedBatchNorm(node, valueOf(values, layer.name), p);
  }
  return evaluateActivationOp(
    node,
    node.inputs.map((name) => valueOf(values, name)),
    node.shape,
    neurons,
  );
}

export function finishResult(design: IrDesign, image: Int32Array, values: NodeValues): InferenceResult {
  const outputNode = networkOutput(design.network);
  const output = new Int32Array(valueOf(values, outputNode.name).data);
  let argmax = 0;
  for (let i = 1; i < output.length; i++) if (output[i] > output[argmax]) argmax = i;
  return { input: new Int32Array(image), nodes: values, output, argmax };
}
