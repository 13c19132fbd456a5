// Which batch norms are folded into a weight layer, and the seeded parameters of every weight layer
// (src/ir/weights.ts). Node lookup and consumers come from the IR's graph API (src/ir/nodeIndex.ts).
import type { IrDesign, IrNetwork, IrNode, Shape } from '../ir/types.js';
import { consumersOf, producerOf } from '../ir/nodeIndex.js';
import { isWeightOp } from '../ir/types.js';
import { generateBatchNorm, generateWeights, weightShape, type FoldedBatchNorm, type WeightShape } from '../ir/weights.js';
import { readFileWeights } from '../ir/weightsFile.js';

export function elementCount(shape: Shape): number {
  return shape.channels * shape.height * shape.width;
}

/**
 * The weight layer a batch norm is folded into. Placement is checked once, when the network is read (IMC026, IMC213); a
 * design built in code that breaks it is a bug, not bad input.
 */
export function foldedInto(network: IrNetwork, batchNorm: IrNode): IrNode {
  const producer = producerOf(network, batchNorm);
  if (!isWeightOp(producer.op) || consumersOf(network, producer.name).length !== 1) {
    throw new Error(`batch norm '${batchNorm.name}' does not fold into '${producer.name}' (IMC026 and IMC213 reject such a network)`);
  }
  return producer;
}

/** True when the weight layer's only consumer is a batch norm: requantization then follows the batch norm. */
export function hasFoldedBatchNorm(network: IrNetwork, layer: IrNode): boolean {
  const users = consumersOf(network, layer.name);
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
export function layerParameters(design: IrDesign): Map<string, LayerParameters> {
  const { network } = design;
  const { weights } = network;
  const file = weights.kind === 'file' ? readFileWeights(design) : undefined;
  // Every batch norm must fold into a weight layer's accumulator (the language guarantees it, IMC026), for both models alike.
  for (const node of design.network.nodes) if (node.op.kind === 'batchnorm') foldedInto(network, node);
  const params = new Map<string, LayerParameters>();
  for (const node of design.network.nodes) {
    if (!isWeightOp(node.op)) continue;
    const shape = weightShape(node, producerOf(network, node).shape);
    const weightBits = node.weightBits ?? design.target.crossbar.weightBits;
    const requantShift = node.requant?.shift ?? 0;
    const entry: LayerParameters = {
      layer: node.name,
      shape,
      weights: file ? fileLayer(file.layers, node.name).weights : generateWeights(weights.seed, node.name, shape, weightBits),
      weightBits,
      requantShift,
    };
    if (hasFoldedBatchNorm(network, node)) {
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
