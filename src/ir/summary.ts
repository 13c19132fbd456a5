// Figures `imcc check` reports about a checked design: layer counts by kind and weight counts.
import type { IrDesign, IrNetwork, IrNode, IrTarget } from './types.js';
import { inputNode, outputNode, producerOf } from './nodeIndex.js';
import { isWeightOp } from './types.js';

/** Weights of one weight layer: Cin*Fh*Fw*Cout for a convolution, inFeatures*outFeatures for fc (0 otherwise). */
export function layerWeightCount(node: IrNode, input: IrNode): number {
  if (node.op.kind === 'conv') return input.shape.channels * node.op.kernelHeight * node.op.kernelWidth * node.op.outChannels;
  if (node.op.kind === 'fc') return input.shape.channels * input.shape.height * input.shape.width * node.op.outFeatures;
  return 0;
}

export interface NetworkSummary {
  name: string;
  layers: number;
  weightLayers: number;
  conv: number;
  shortcut: number;
  fc: number;
  weights: number;
  input: { name: string; channels: number; height: number; width: number; bits: number };
  output: { name: string; channels: number; height: number; width: number };
  weightSource: string;
}

export function networkSummary(network: IrNetwork): NetworkSummary {
  let weights = 0;
  let conv = 0;
  let shortcut = 0;
  let fc = 0;
  for (const n of network.nodes) {
    if (!isWeightOp(n.op)) continue;
    weights += layerWeightCount(n, producerOf(network, n));
    if (n.op.kind === 'fc') fc++;
    else if (n.op.shortcut) shortcut++;
    else conv++;
  }
  const input = inputNode(network);
  const output = outputNode(network);
  return {
    name: network.name,
    layers: network.nodes.length,
    weightLayers: conv + shortcut + fc,
    conv,
    shortcut,
    fc,
    weights,
    input: { name: input.name, ...input.shape, bits: input.activationBits },
    output: { name: output.name, ...output.shape },
    weightSource: network.weights.kind === 'seed' ? `seed ${network.weights.seed}` : `file ${network.weights.file}`,
  };
}

export function targetSummaryLine(t: IrTarget): string {
  const c = t.crossbar;
  const clockMHz = t.controller.clockHz / 1e6;
  return (
    `target ${t.name}: ${t.grid.rows}x${t.grid.cols} grid of ${c.rows}x${c.cols} crossbars ` +
    `(${c.weightBits}-bit weights, ${c.devicesPerWeight === 2 ? 'differential pairs' : 'one device per weight'}, ` +
    `ADC ${c.adcBits} bits, DAC ${c.dacBits} bits), input memory ${t.inputMemory.wordBits} bits x ${t.inputMemory.depth} words, ` +
    `${clockMHz} MHz, ${t.controller.timestepNs} ns timestep, links ${t.link.bandwidthGbps} Gbit/s`
  );
}

export function networkSummaryLines(d: IrDesign): string[] {
  const s = networkSummary(d.network);
  return [
    `network ${s.name} on ${d.target.name}: input ${s.input.name} ${s.input.channels}x${s.input.height}x${s.input.width} (${s.input.bits}-bit), ` +
      `output ${s.output.name} ${s.output.channels}x${s.output.height}x${s.output.width}`,
    `  ${s.layers} layers, ${s.weightLayers} weight layers (${s.conv} conv, ${s.shortcut} shortcut, ${s.fc} fc), ` +
      `${s.weights.toLocaleString('en-US')} weights (${s.weightSource})`,
  ];
}
