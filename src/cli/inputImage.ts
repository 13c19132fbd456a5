// The input image of `imcc infer --input` and `imcc verify --input`: a .npy array (image --index of N x C x H x W),
// a JSON array of integers, or raw int8 bytes (docs/arithmetic.md "Input image", docs/import.md).
import { ToolError } from '../diagnostics/index.js';
import { errnoReason, readBoundedFile } from '../support/files.js';
import type { IrDesign } from '../ir/types.js';
import { readFileWeights } from '../ir/weightsFile.js';
import { parseImageFile } from '../reference/imageFile.js';
import { parseNpyImages } from '../reference/npyImages.js';

/** An input file larger than this is refused: a JSON array of the largest input (8192x8192x3 values) fits. */
export const MAX_IMAGE_BYTES = 1 << 30;

export function readInputBytes(path: string): Uint8Array {
  try {
    return readBoundedFile(path, MAX_IMAGE_BYTES);
  } catch (err) {
    const reason = errnoReason(err);
    throw new ToolError('IMC100', { path, reason });
  }
}

/** The design's input scale (real value of one input step), when its weights file gives one. */
export function designInputScale(design: IrDesign): number | undefined {
  return design.network.weights.kind === 'file' ? readFileWeights(design).inputScale : undefined;
}

export function readInputImage(design: IrDesign, path: string, index: number): Int32Array {
  const input = design.network.nodes.find((n) => n.op.kind === 'input');
  if (!input) throw new Error('checked design has no input node');
  const bytes = readInputBytes(path);
  if (path.toLowerCase().endsWith('.npy')) {
    const images = parseNpyImages(path, bytes, input.shape, input.activationBits, designInputScale(design));
    if (index >= images.count) throw new ToolError('IMC258', { file: path, count: images.count, index });
    return images.image(index);
  }
  if (index !== 0) throw new ToolError('IMC259', { file: path, index });
  return parseImageFile(path, bytes, input.shape, input.activationBits);
}
