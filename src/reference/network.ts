// Graph facts the reference models need: node lookup, consumers, which batch norms are folded into a weight layer,
// and the seeded parameters of every weight layer (src/ir/weights.ts).
import type { IrDesign, IrNode, Shape } from '../ir/types.js';
import { isWeightOp } from '../ir/types.js';
import { generateBatchNorm, generateWeights, weightShape, type FoldedBatchNorm, type WeightShape } from '../ir/weights.js';
import { readFileWeights } from '../ir/weightsFile.js';

export function elementCount(shape: Shape): number {
  return shape.channels * shape.height * shape.width;
}

export interface NetworkIndex {
  byName: Map<string, IrNode>;
  consumers: Map<string, IrNode[]>;
}

export function indexNetwork(design: IrDesign): NetworkIndex {
  const byName = new Map<string, IrNode>();
  const consumers = new Map<string, IrNode[]>();
  for (const node of design.network.nodes) {
    byName.set(node.name, node);
    consumers.set(node.name, []);
  }
  for (const node of design.network.nodes) {
    for (const input of node.inputs) consumers.get(input)?.push(node);
  }
  return { byName, consumers };
}

export function nodeNamed(index: NetworkIndex, name: string): IrNode {
  const node = index.byName.get(name);
  if (!node) throw new Error(`reference: no node named ${name}`);
  return node;
}

/**
 * The weight layer a batch norm is folded into. Placement is checked once, when the network is read (IMC026, IMC213); a
 * design built in code that breaks it is a bug, not bad input.
 */
export function foldedInto(index: NetworkIndex, batchNorm: IrNode): IrNode {
  const producer = nodeNamed(index, batchNorm.inputs[0]);
  if (!isWeightOp(producer.op) || (index.consumers.get(producer.name) ?? []).length !== 1) {
    throw new Error(`batch norm '${batchNorm.name}' does not fold into '${producer.name}' (IMC026 and IMC213 reject such a network)`);
  }
  return producer;
}

/** True when the weight layer's only consumer is a batch norm: requantization then follows the batch norm. */
export function hasFoldedBatchNorm(index: NetworkIndex, layer: IrNode): boolean {
  const users = index.consumers.get(layer.name) ?? [];
  return users.length === 1 && users[0].op.kind === 'batchnorm';
}

export interface LayerParameters {
  layer: string;
  shape: WeightShape;
  /** OIHW. */
  weights: Int32Array;
  weightBits: number;
  requantShift: number;
  /** Present when a batch norm is folded into this layer; seeded by the weight layer's name, or from the file. */
  batchNorm?: FoldedBatchNorm;
}

/** Parameters of every weight layer (seeded, or from the weights file), by layer name. */
export function layerParameters(design: IrDesign, index: NetworkIndex = indexNetwork(design)): Map<string, LayerParameters> {
  const { weights } = design.network;
  const file = weights.kind === 'file' ? readFileWeights(design) : undefined;
  // Every batch norm must fold into a weight layer's accumulator (the language guarantees it, IMC026), for both models alike.
  for (const node of design.network.nodes) if (node.op.kind === 'batchnorm') foldedInto(index, node);
  const params = new Map<string, LayerParameters>();
  for (const node of design.network.nodes) {
    if (!isWeightOp(node.op)) continue;
    const input = nodeNamed(index, node.inputs[0]);
    const shape = weightShape(node, input.shape);
    const weightBits = node.weightBits ?? design.target.crossbar.weightBits;
    const requantShift = node.requant?.shift ?? 0;
    const entry: LayerParameters = {
      layer: node.name,
      shape,
      weights: file ? fileLayer(file.layers, node.name).weights : generateWeights(weights.seed, node.name, shape, weightBits),
      weightBits,
      requantShift,
    };
    if (hasFoldedBatchNorm(index, node)) {
      entry.batchNorm = file
        ? fileLayer(file.layers, node.name).batchNorm
        : generateBatchNorm(weights.seed, node.name, shape.outChannels, requantShift);
    }
    params.set(node.name, entry);
  }
  return params;
}

function fileLayer<T>(layers: Map<string, T>, name: string): T {
  const layer = layers.get(name);
  if (!layer) throw new Error(`reference: the checked weights file has no layer ${name}`);
  return layer;
}
