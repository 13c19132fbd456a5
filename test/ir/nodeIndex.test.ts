// The IR's graph API (src/ir/nodeIndex.ts) on the examples: lookups by name, a node's producer and consumers, the
// network's ends, and the volume an fc layer receives through a flatten.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { consumersOf, inputNode, nodeIndex, nodeNamed, outputNode, producerOf, receivedShape, sentVolume } from '../../src/ir/nodeIndex.js';
import type { IrDesign } from '../../src/ir/types.js';
import { design, NetBuilder } from '../mapping/fixtures.js';

function load(file: string): IrDesign {
  const r = loadDesign(file);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.design!;
}

describe('graph API', () => {
  const lenet = load('examples/lenet.imc').network;
  const resnet = load('examples/resnet32.imc').network;

  it('indexes every node by name, once per network', () => {
    expect(nodeIndex(lenet).size).toBe(lenet.nodes.length);
    expect(nodeIndex(lenet)).toBe(nodeIndex(lenet));
    for (const n of lenet.nodes) expect(nodeNamed(lenet, n.name)).toBe(n);
    expect(() => nodeNamed(lenet, 'no_such_node')).toThrow(/no node 'no_such_node'/);
  });

  it('knows the two ends: the input image and the output logits', () => {
    expect(inputNode(lenet).name).toBe('image');
    expect(inputNode(lenet).shape).toEqual({ channels: 1, height: 28, width: 28 });
    expect(outputNode(lenet).name).toBe('logits');
  });

  it('gives a node its producer and a value its consumers (both inputs of an add)', () => {
    const c2 = nodeNamed(lenet, 'c2');
    expect(producerOf(lenet, c2).name).toBe('p1');
    expect(consumersOf(lenet, 'p1').map((n) => n.name)).toEqual(['c2']);
    expect(consumersOf(lenet, 'logits')).toEqual([]);
    const add = resnet.nodes.find((n) => n.op.kind === 'add')!;
    expect(producerOf(resnet, add, 1).name).toBe(add.inputs[1]);
    // A block's input feeds its first conv and, through the identity shortcut, the add.
    const reader = consumersOf(resnet, add.inputs[1]);
    expect(reader).toContain(add);
    expect(reader.length).toBe(2);
  });

  it("an fc receives the volume before the flatten; a conv receives its input as is", () => {
    const fc = lenet.nodes.find((n) => n.op.kind === 'fc' && producerOf(lenet, n).op.kind === 'flatten')!;
    const flatten = producerOf(lenet, fc);
    expect(flatten.shape).toEqual({ channels: 128, height: 1, width: 1 });
    expect(sentVolume(lenet, flatten)).toEqual(nodeNamed(lenet, 'p2').shape);
    expect(receivedShape(lenet, fc)).toEqual({ channels: 8, height: 4, width: 4 });
    const c2 = nodeNamed(lenet, 'c2');
    expect(receivedShape(lenet, c2)).toEqual(producerOf(lenet, c2).shape);
    expect(sentVolume(lenet, c2)).toEqual(c2.shape);
  });

  it('a ReLU, threshold or residual add after a flatten keeps the volume the core sends', () => {
    const b = new NetBuilder();
    const x = b.input('in', { channels: 2, height: 4, width: 4 });
    const c = b.conv('c', x, 4, 3);
    const s = b.unary('s', 'flatten', b.conv('d', x, 4, 3));
    const y = b.add('y', b.unary('r', 'relu', b.unary('f', 'flatten', c)), s);
    const net = design(b, b.fc('out', y, 3)).network;
    expect(nodeNamed(net, 'y').shape).toEqual({ channels: 64, height: 1, width: 1 });
    expect(sentVolume(net, nodeNamed(net, 'y'))).toEqual({ channels: 4, height: 4, width: 4 });
    expect(receivedShape(net, nodeNamed(net, 'out'))).toEqual({ channels: 4, height: 4, width: 4 });
  });
});
