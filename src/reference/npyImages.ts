// Real input images as NumPy .npy arrays (`imcc infer --input X.npy`, `imcc verify --input`, `imcc evaluate --data`):
// N x C x H x W or C x H x W, either integers (used as they are, within the input's signed range) or floats, which
// are quantized with the design's input scale (the `input.scale` of its weights file): q = clamp(floor(x / scale + 1/2)).
import { ToolError } from '../diagnostics/index.js';
import type { Shape } from '../ir/types.js';
import { isIntegerDtype, NpyFormatError, parseNpy, type NpyArray, type NpyProblem } from '../support/npy.js';
import { quantizeReal, signedMax, signedMin } from './arithmetic.js';

export interface NpyImages {
  count: number;
  /** Image k (0-based), CHW order, as input activations. */
  image(k: number): Int32Array;
}

/** How many images a .npy array of `dims` holds for an input of `shape`: N x C x H x W or one C x H x W (else IMC123). */
export function imageCount(file: string, dims: readonly number[], shape: Shape): number {
  const chw = [shape.channels, shape.height, shape.width];
  const fits = (dims.length === 4 && dims.slice(1).every((d, i) => d === chw[i])) || (dims.length === 3 && dims.every((d, i) => d === chw[i]));
  if (!fits) throw new ToolError('IMC123', { file, shape: dims.join(', '), chw: chw.join(' x ') });
  return dims.length === 4 ? dims[0] : 1;
}

/** The diagnostic of a .npy format problem: one code per rule the file breaks. */
function npyFormatError(file: string, problem: NpyProblem): ToolError {
  switch (problem.rule) {
    case 'magic': return new ToolError('IMC256', { file });
    case 'version': return new ToolError('IMC277', { file, version: problem.version });
    case 'truncatedHeader': return new ToolError('IMC278', { file });
    case 'header': return new ToolError('IMC279', { file, header: problem.header });
    case 'dtype': return new ToolError('IMC280', { file, dtype: problem.dtype });
    case 'bigEndian': return new ToolError('IMC281', { file, dtype: problem.dtype });
    case 'fortranOrder': return new ToolError('IMC282', { file });
    case 'shape': return new ToolError('IMC283', { file, shape: problem.shape });
    case 'dataSize': return new ToolError('IMC284', { file, bytes: problem.bytes, shape: problem.shape, dtype: problem.dtype, needed: problem.needed });
    case 'beyondExact': return new ToolError('IMC285', { file, value: problem.value, index: problem.index });
  }
}

/** Parses a .npy input or data file; a format problem is a ToolError of its rule (IMC256, IMC277-IMC285). */
export function readNpyArray(file: string, bytes: Uint8Array): NpyArray {
  try {
    return parseNpy(bytes);
  } catch (err) {
    if (err instanceof NpyFormatError) throw npyFormatError(file, err.problem);
    throw err;
  }
}

/** Parses a .npy file of images for a network input; ToolError IMC256/IMC277-IMC285 (format), IMC123 (shape), IMC124 (no scale), IMC257 (not finite), IMC103. */
export function parseNpyImages(file: string, bytes: Uint8Array, shape: Shape, bits: number, inputScale: number | undefined): NpyImages {
  const array = readNpyArray(file, bytes);
  const count = imageCount(file, array.shape, shape);
  const size = shape.channels * shape.height * shape.width;
  const lo = signedMin(bits);
  const hi = signedMax(bits);
  const integer = isIntegerDtype(array.dtype);
  if (integer) {
    for (let i = 0; i < array.data.length; i++) {
      const v = array.data[i];
      if (v < lo || v > hi) {
        throw new ToolError('IMC103', { place: `${file}: image ${Math.floor(i / size)}, index ${i % size}: `, value: v, bits, lo, hi });
      }
    }
  } else if (inputScale === undefined) {
    throw new ToolError(
      'IMC124',
      { file, dtype: array.dtype },
    );
  } else {
    for (let i = 0; i < array.data.length; i++) {
      if (!Number.isFinite(array.data[i])) throw new ToolError('IMC257', { file, value: array.data[i], index: i });
    }
  }
  return {
    count,
    image(k: number): Int32Array {
      const out = new Int32Array(size);
      const base = k * size;
      for (let i = 0; i < size; i++) {
        const v = array.data[base + i];
        out[i] = integer ? v : quantizeReal(v, inputScale!, bits);
      }
      return out;
    },
  };
}
