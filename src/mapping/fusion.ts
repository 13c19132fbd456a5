// Fusion of non-weight nodes into neuron cores: batch norm, ReLU, residual add, pools, global average pool and
// flatten run in the neuron core of the weight layer that produces their (main) input, in network order. Only the
// last result of such a chain leaves a core, so an intermediate result used elsewhere is an error.
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { IN_PLACE, producerOf, sentVolume } from '../ir/nodeIndex.js';
import { isWeightOp, shapeText, type IrNetwork, type IrNode } from '../ir/types.js';

export interface FusedLayer {
  /** The weight layer's node. */
  node: IrNode;
  /** Fused non-weight node names in network order. */
  fused: string[];
  /** The node whose activations leave the layer. */
  output: string;
  /** The weight layer's input node (as written in the network), and the layer (or input node) that sends it. */
  inputNode: string;
  source: string;
  residualFrom?: string;
  residualLayer?: string;
}

export interface Fusion {
  layers: FusedLayer[];
  /** Name of the network's input node. */
  inputName: string;
  /** For every node: the weight layer whose core computes it, or the input node's name. */
  owner: Map<string, string>;
  diagnostics: Diagnostic[];
}

export function fuseNetwork(network: IrNetwork): Fusion {
  const diagnostics: Diagnostic[] = [];
  const owner = new Map<string, string>();
  const layers: FusedLayer[] = [];
  const layerOf = new Map<string, FusedLayer>();
  const inputNode = network.nodes.find((n) => n.op.kind === 'input');
  const inputName = inputNode?.name ?? '';
  for (const node of network.nodes) {
    if (node.op.kind === 'input') {
      owner.set(node.name, node.name);
      continue;
    }
    if (isWeightOp(node.op)) {
      owner.set(node.name, node.name);
      const main = node.inputs[0];
      const layer: FusedLayer = { node, fused: [], output: node.name, inputNode: main, source: owner.get(main) ?? main };
      layers.push(layer);
      layerOf.set(node.name, layer);
      continue;
    }
    const main = node.inputs[0];
    const host = owner.get(main);
    const layer = host === undefined ? undefined : layerOf.get(host);
    if (layer === undefined) {
      diagnostics.push(
        diagnostic(
          'IMC053',
          node.span,
          { node: node.name, kind: node.op.kind },
        ),
      );
      owner.set(node.name, host ?? inputName);
      continue;
    }
    owner.set(node.name, layer.node.name);
    if (node.op.kind === 'add') {
      const shortcutLayer = owner.get(node.inputs[1]) ?? node.inputs[1];
      const [leftVolume, rightVolume] = [0, 1].map((k) => shapeText(sentVolume(network, producerOf(network, node, k))));
      if (layer.residualFrom !== undefined) {
        diagnostics.push(
          diagnostic('IMC055', node.span, { add: node.name, layer: layer.node.name }),
        );
      } else if (leftVolume !== rightVolume) {
        // A flatten on one side only, or of another volume: the features pair, the pixels the cores send do not.
        diagnostics.push(diagnostic('IMC066', node.span, { add: node.name, left: node.inputs[0], leftVolume, right: node.inputs[1], rightVolume }));
      } else if (node.inputs[1] === layer.node.name) {
        // Its own layer's value (add(relu(c), c)), which leaves the core for other readers: no core sends this add a
        // shortcut, and no phase models a core feeding itself. (Another value of its own core is IMC054's.)
        diagnostics.push(diagnostic('IMC065', node.span, { add: node.name, name: node.inputs[1], layer: layer.node.name }));
      } else {
        layer.residualFrom = node.inputs[1];
        layer.residualLayer = shortcutLayer;
      }
    }
    layer.fused.push(node.name);
    layer.output = node.name;
  }
  // A value read outside its core must be that core's output (or the network input itself). A residual add's
  // shortcut may also be a layer's own requantized value, which its core sends on the shortcut link beside its output;
  // a weight layer's main input comes over the main link, which carries the output only (the layer's own value when
  // only flattens follow it, which move no pixel).
  const kindOf = new Map(network.nodes.map((n) => [n.name, n.op.kind]));
  const leaves = (name: string, shortcut = false): boolean => {
    const host = owner.get(name);
    const layer = host === undefined ? undefined : layerOf.get(host);
    // Values owned by no layer were already reported (IMC053) or are the network input.
    if (layer === undefined) return true;
    if (host === name && (shortcut || layer.fused.every((f) => kindOf.get(f) === 'flatten'))) return true;
    return layer.output === name;
  };
  const complain = (name: string, reader: IrNode): void => {
    const host = owner.get(name)!;
    diagnostics.push(
      diagnostic(
        'IMC054',
        reader.span,
        { reader: reader.name, name, host, output: layerOf.get(host)!.output },
      ),
    );
  };
  for (const node of network.nodes) {
    node.inputs.forEach((input, k) => {
      const sameCore = k === 0 && !isWeightOp(node.op) && owner.get(node.name) === owner.get(input);
      if (sameCore) {
        // Inside a core the fused nodes must form a chain: each one reads the previous one.
        const layer = layerOf.get(owner.get(node.name)!);
        if (layer) {
          const at = layer.fused.indexOf(node.name);
          const previous = at <= 0 ? layer.node.name : layer.fused[at - 1];
          if (previous !== input) complain(input, node);
        }
        return;
      }
      if (!leaves(input, node.op.kind === 'add' && k === 1)) complain(input, node);
    });
  }
  // A core sends a flattened plane's pixels as they are (sentVolume): an fc reads them as its kernel's volume and the
  // ops in place keep them, but a conv or pool would read them as one pixel of all their channels.
  for (const node of network.nodes) {
    if (node.op.kind === 'input' || node.op.kind === 'fc' || node.op.kind === 'flatten' || IN_PLACE.has(node.op.kind)) continue;
    const input = producerOf(network, node);
    const volume = sentVolume(network, input);
    if (shapeText(volume) !== shapeText(input.shape)) {
      diagnostics.push(
        diagnostic('IMC067', node.span, { reader: node.name, kind: node.op.kind, name: input.name, volume: shapeText(volume), pixels: volume.height * volume.width }),
      );
    }
  }
  if (!leaves(network.output)) {
    const host = owner.get(network.output)!;
    diagnostics.push(
      diagnostic('IMC075', network.span, { output: network.output, host }),
    );
  }
  return { layers, inputName, owner, diagnostics };
}
