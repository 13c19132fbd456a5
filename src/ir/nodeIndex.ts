// The nodes of a network by name, built once per node list and shared by every phase (mapping, memory planning),
// so per-layer lookups cost O(1) and a 10,000-layer network is not rebuilt 10,000 times.
import type { IrNetwork, IrNode } from './types.js';

const indexes = new WeakMap<readonly IrNode[], ReadonlyMap<string, IrNode>>();

/** Name -> node of NETWORK (cached on its node array, which the IR never mutates after checking). */
export function nodeIndex(network: IrNetwork): ReadonlyMap<string, IrNode> {
  let index = indexes.get(network.nodes);
  if (index === undefined) {
    index = new Map(network.nodes.map((n) => [n.name, n]));
    indexes.set(network.nodes, index);
  }
  return index;
}

/** The node NAME of NETWORK; throws when the checked IR lacks it (a bug, not bad input). */
export function nodeNamed(network: IrNetwork, name: string): IrNode {
  const node = nodeIndex(network).get(name);
  if (node === undefined) throw new Error(`network ${network.name} has no node '${name}'`);
  return node;
}

/**
 * The node whose activations a weight layer's cores receive: a conv reads its input node; an fc reads the volume
 * before any flatten (its kernel covers that whole volume, see mapping/kernel.ts deviceWeight).
 */
export function receivedNode(network: IrNetwork, node: IrNode): IrNode {
  let input = nodeNamed(network, node.inputs[0]);
  if (node.op.kind === 'fc') while (input.op.kind === 'flatten') input = nodeNamed(network, input.inputs[0]);
  return input;
}
