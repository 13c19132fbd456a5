// Activation dumps of the reference model (`imcc infer --dump DIR`): one text file per weight layer with the
// activations its neuron core sends, one pixel per line in arrival order, so an RTL testbench that prints the same
// lines can be compared with `diff` line by line. Files come from templates/reference/activations.txt.hbs.
import type { Shape } from '../ir/types.js';
import type { ReferenceResult } from '../reference/index.js';
import { renderTemplate } from '../support/templates.js';
import type { OutputFile } from './output.js';

/** One line per pixel, x outer and y inner (the dataflow's arrival order): `y x: v0 v1 ... v(C-1)`. */
export function activationLines(shape: Shape, values: ArrayLike<number>): string[] {
  const { channels, height, width } = shape;
  const plane = height * width;
  const lines: string[] = [];
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const pixel: number[] = [];
      for (let c = 0; c < channels; c++) pixel.push(values[c * plane + y * width + x]);
      lines.push(`${y} ${x}: ${pixel.join(' ')}`);
    }
  }
  return lines;
}

export function renderActivations(title: string, shape: Shape, bits: number, values: ArrayLike<number>): string {
  return renderTemplate('reference/activations.txt.hbs', {
    title,
    channels: shape.channels,
    height: shape.height,
    width: shape.width,
    bits,
    lastChannel: shape.channels - 1,
    lines: activationLines(shape, values),
  });
}

/** File name of a layer's dump: the node name, with any character unsafe in a path replaced by `_`. */
export function activationFileName(layer: string): string {
  return `activations/${layer.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`;
}

export interface ActivationDumpLayer {
  layer: string;
  outputNode: string;
  file: string;
  channels: number;
  height: number;
  width: number;
  bits: number;
  adcBits: number;
  adcShift: number;
}

/** The dump's text files (input image and every weight layer) and their index for infer.json. */
export function activationDump(
  result: ReferenceResult,
  inputShape: Shape,
  inputBits: number,
  bitsOf: (node: string) => number,
): { files: OutputFile[]; layers: ActivationDumpLayer[] } {
  const files: OutputFile[] = [{ path: 'input.txt', content: renderActivations('input image', inputShape, inputBits, result.input) }];
  const layers: ActivationDumpLayer[] = [];
  for (const l of result.layers) {
    const file = activationFileName(l.layer);
    const bits = bitsOf(l.outputNode);
    files.push({ path: file, content: renderActivations(`layer ${l.layer} (sent after ${l.outputNode})`, l.shape, bits, l.activations) });
    layers.push({
      layer: l.layer,
      outputNode: l.outputNode,
      file,
      channels: l.shape.channels,
      height: l.shape.height,
      width: l.shape.width,
      bits,
      adcBits: l.adc.bits,
      adcShift: l.adc.shift,
    });
  }
  return { files, layers };
}
