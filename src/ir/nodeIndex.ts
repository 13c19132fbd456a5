// The graph API of a checked network: nodes by name, a node's producer and consumers, the network's input and output
// nodes, and the volume a weight layer receives (through flatten). Indexes are built once per node list and shared
// by every phase, so per-layer lookups cost O(1) and a 10,000-layer network is not rebuilt 10,000 times.
import type { IrNetwork, IrNode, Shape } from './types.js';

interface GraphIndex {
  byName: ReadonlyMap<string, IrNode>;
  consumers: ReadonlyMap<string, readonly IrNode[]>;
}

const indexes = new WeakMap<readonly IrNode[], GraphIndex>();

/** The indexes of NODES, built on first use and cached on the array (the IR never mutates it after checking). */
function graphIndex(nodes: readonly IrNode[]): GraphIndex {
  let index = indexes.get(nodes);
  if (index === undefined) {
    index = buildGraphIndex(nodes);
    indexes.set(nodes, index);
  }
  return index;
}

/** The indexes of a node list, uncached: for the IR checker, whose node list still grows while it builds. */
export function buildGraphIndex(nodes: readonly IrNode[]): GraphIndex {
  const byName = new Map<string, IrNode>();
  const consumers = new Map<string, IrNode[]>();
  for (const n of nodes) {
    byName.set(n.name, n);
    consumers.set(n.name, []);
  }
  for (const n of nodes) for (const input of n.inputs) consumers.get(input)?.push(n);
  return { byName, consumers };
}

/** Name -> node of NETWORK. */
export function nodeIndex(network: IrNetwork): ReadonlyMap<string, IrNode> {
  return graphIndex(network.nodes).byName;
}

/** The node NAME of NETWORK; throws when the checked IR lacks it (a bug, not bad input). */
export function nodeNamed(network: IrNetwork, name: string): IrNode {
  const node = nodeIndex(network).get(name);
  if (node === undefined) throw new Error(`network ${network.name} has no node '${name}'`);
  return node;
}

/** The node that produces NODE's input number INPUT (its main input by default). */
export function producerOf(network: IrNetwork, node: IrNode, input = 0): IrNode {
  return nodeNamed(network, node.inputs[input]);
}

/** The nodes that read NAME's value, in network order. */
export function consumersOf(network: IrNetwork, name: string): readonly IrNode[] {
  return graphIndex(network.nodes).consumers.get(name) ?? [];
}

/** The network's input node (the checker makes exactly one). */
export function inputNode(network: IrNetwork): IrNode {
  const input = network.nodes.find((n) => n.op.kind === 'input');
  if (input === undefined) throw new Error(`network ${network.name} has no input node`);
  return input;
}

/** The node the network outputs. */
export function outputNode(network: IrNetwork): IrNode {
  return nodeNamed(network, network.output);
}

/** Ops whose value is their (main) input's, value by value in place: they keep a flattened value's order. */
export const IN_PLACE: ReadonlySet<string> = new Set(['relu', 'threshold', 'add', 'batchnorm']);

/**
 * The volume whose pixels a core sends for NODE's value. A flatten renames a volume's values (the flattened order
 * c * H * W + y * W + x is the volume's own CHW order) and moves none, and the ops after it in the core (ReLU,
 * threshold, a residual add) keep that order, so the core sends the pixels of the volume before the flatten.
 */
export function sentVolume(network: IrNetwork, node: IrNode): Shape {
  let volume = node;
  while (volume.op.kind === 'flatten' || IN_PLACE.has(volume.op.kind)) volume = producerOf(network, volume);
  return volume.shape;
}

/**
 * The volume a weight layer's cores receive: a conv its input node's; an fc the pixels its producer sends (its
 * kernel covers that whole volume, see mapping/kernel.ts deviceWeight).
 */
export function receivedShape(network: IrNetwork, node: IrNode): Shape {
  const input = producerOf(network, node);
  return node.op.kind === 'fc' ? sentVolume(network, input) : input.shape;
}
