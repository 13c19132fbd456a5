// `weights file "NAME.npz"`: a network's trained parameters, one NumPy array per tensor (docs/import.md):
//  - `<layer>.weight`: integers, OIHW [Cout, Cin, Fh, Fw] for a conv, [Cout, features] (or [Cout, features, 1, 1])
//    for an fc layer, each within the layer's symmetric weight range [-(2^(wb-1)-1), 2^(wb-1)-1];
//  - `<layer>.scale`, `<layer>.bias`: integers [Cout], the per-channel multiplier and bias of the neuron core
//    (y = P * scale + bias, then the layer's requant shift), present exactly when a batchnorm follows the layer;
//  - `input.scale`, `output.scale` (optional): float [1], the real value of one step of the network input (to
//    quantize float .npy inputs) and of its output (to compare the output with a float model).
// Anything else in the archive, a missing tensor or a wrong shape is a diagnostic at the `weights` statement.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, DiagnosticError, type Diagnostic, type DiagnosticArgs } from '../diagnostics/index.js';
import { isIntegerDtype, type NpyArray, type NpyOutput } from '../support/npy.js';
import { NpzFormatError, parseNpz } from '../support/npz.js';
import type { IrDesign, WeightSource } from './types.js';
import { consumersOf, producerOf } from './nodeIndex.js';
import { isWeightOp } from './types.js';
import { weightShape, type FoldedBatchNorm, type WeightShape } from './weights.js';

/** Largest magnitude of a neuron-core multiplier (16 bits) and bias (32 bits): P * scale + bias stays exact. */
export const FILE_SCALE_LIMIT = 2 ** 16 - 1;
export const FILE_BIAS_LIMIT = 2 ** 31 - 1;
/** Weights files above this size are refused (ResNet-18 at 8 bits is about 11 MB). */
export const MAX_WEIGHTS_BYTES = 512_000_000;

export interface FileLayer {
  weights: Int32Array;
  batchNorm?: FoldedBatchNorm;
}

export interface FileWeights {
  layers: Map<string, FileLayer>;
  /** Real value of one input step, when the file gives it. */
  inputScale?: number;
  /** Real value of one output step, when the file gives it. */
  outputScale?: number;
}

/** The weights file's path as read: relative to the file holding the `weights` statement. */
export function weightsFilePath(source: WeightSource): string {
  if (source.kind !== 'file' || source.file === undefined) throw new Error('weightsFilePath: not a file source');
  if (path.isAbsolute(source.file)) return path.normalize(source.file);
  return path.posix.normalize(path.posix.join(path.posix.dirname(source.span.file.split(path.sep).join('/')), source.file));
}

const cache = new WeakMap<WeightSource, FileWeights>();
/** Arrays just written to a weights file by this process (withWrittenWeights), by resolved path. */
const written = new Map<string, Map<string, NpyOutput>>();

/**
 * Runs `run` with the weights file `file` known to hold `arrays` (its caller has just written them there): reading it
 * checks these arrays against the network as it would the parsed file, without reading 11 M weights back and widening
 * them to doubles (imcc import's check of what it wrote; the bytes are formatNpz of the same arrays).
 */
export function withWrittenWeights<T>(file: string, arrays: Map<string, NpyOutput>, run: () => T): T {
  const key = path.resolve(file);
  written.set(key, arrays);
  try {
    return run();
  } finally {
    written.delete(key);
  }
}

/** Loads and checks the design's weights file against its network; throws DiagnosticError (IMC120-IMC122). */
export function readFileWeights(design: IrDesign): FileWeights {
  const source = design.network.weights;
  const cached = cache.get(source);
  if (cached) return cached;
  const at = <C extends 'IMC120' | 'IMC121' | 'IMC122' | 'IMC260' | 'IMC261' | 'IMC262' | 'IMC263'>(code: C, args: DiagnosticArgs<C>): Diagnostic => diagnostic(code, source.span, args);
  const file = weightsFilePath(source);
  const known = written.get(path.resolve(file));
  if (known) {
    const result = matchNetwork(design, known, file, at);
    cache.set(source, result);
    return result;
  }
  let bytes: Uint8Array;
  try {
    if (statSync(file).size > MAX_WEIGHTS_BYTES) throw Object.assign(new Error(), { code: `larger than ${MAX_WEIGHTS_BYTES} bytes` });
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new DiagnosticError([at('IMC120', { file, reason })]);
  }
  let arrays: Map<string, NpyArray>;
  try {
    arrays = parseNpz(bytes);
  } catch (err) {
    if (err instanceof NpzFormatError) throw new DiagnosticError([at('IMC120', { file, reason: err.message })]);
    throw err;
  }
  const result = matchNetwork(design, arrays, file, at);
  cache.set(source, result);
  return result;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function matchNetwork(
  design: IrDesign,
  arrays: ReadonlyMap<string, NpyArray | NpyOutput>,
  file: string,
  at: <C extends 'IMC120' | 'IMC121' | 'IMC122' | 'IMC260' | 'IMC261' | 'IMC262' | 'IMC263'>(code: C, args: DiagnosticArgs<C>) => Diagnostic,
): FileWeights {
  const problems: Diagnostic[] = [];
  const used = new Set<string>();

  const take = (name: string, shapes: number[][], what: string): NpyArray | NpyOutput | undefined => {
    const a = arrays.get(name);
    if (!a) {
      problems.push(at('IMC121', { file, name, what, shape: shapeText(shapes[0]) }));
      return undefined;
    }
    used.add(name);
    if (!isIntegerDtype(a.dtype)) {
      problems.push(at('IMC261', { file, name, dtype: a.dtype, what }));
      return undefined;
    }
    if (!shapes.some((s) => sameShape(s, a.shape))) {
      problems.push(at('IMC260', { file, name, shape: shapeText(a.shape), needed: shapes.map(shapeText).join(' or ') }));
      return undefined;
    }
    return a;
  };
  const inRange = (name: string, data: Float64Array | Int32Array, limit: number, what: string): boolean => {
    for (let i = 0; i < data.length; i++) {
      if (Math.abs(data[i]) > limit) {
        problems.push(at('IMC122', { file, name, index: i, value: data[i], what, limit }));
        return false;
      }
    }
    return true;
  };

  const layers = new Map<string, FileLayer>();
  for (const node of design.network.nodes) {
    if (!isWeightOp(node.op)) continue;
    const shape: WeightShape = weightShape(node, producerOf(design.network, node).shape);
    const oihw = [shape.outChannels, shape.inChannels, shape.kernelHeight, shape.kernelWidth];
    const shapes = node.op.kind === 'fc' ? [oihw.slice(0, 2), oihw] : [oihw];
    const weightBits = node.weightBits ?? design.target.crossbar.weightBits;
    const w = take(`${node.name}.weight`, shapes, `the ${node.op.kind} layer's weights`);
    const wOk = w !== undefined && inRange(`${node.name}.weight`, w.data, 2 ** (weightBits - 1) - 1, `the layer's ${weightBits}-bit weight range`);
    const users = consumersOf(design.network, node.name);
    const folded = users.length === 1 && users[0].op.kind === 'batchnorm';
    let batchNorm: FoldedBatchNorm | undefined;
    if (folded) {
      const scale = take(`${node.name}.scale`, [[shape.outChannels]], 'the neuron core multipliers of its batchnorm');
      const bias = take(`${node.name}.bias`, [[shape.outChannels]], 'the neuron core biases of its batchnorm');
      if (
        scale &&
        bias &&
        inRange(`${node.name}.scale`, scale.data, FILE_SCALE_LIMIT, 'the multiplier range') &&
        inRange(`${node.name}.bias`, bias.data, FILE_BIAS_LIMIT, 'the bias range')
      ) {
        batchNorm = { scale: Int32Array.from(scale.data), bias: Float64Array.from(bias.data) };
      }
    }
    if (wOk && w && (!folded || batchNorm)) {
      // Weights already in an Int32Array (withWrittenWeights) are kept as they are: nothing writes to either.
      const weights = w.data instanceof Int32Array ? w.data : new Int32Array(w.data);
      layers.set(node.name, { weights, ...(batchNorm ? { batchNorm } : {}) });
    }
  }
  const realScale = (name: string): number | undefined => {
    const scale = arrays.get(name);
    if (!scale) return undefined;
    used.add(name);
    if (scale.data.length !== 1 || !(scale.data[0] > 0) || !Number.isFinite(scale.data[0])) {
      problems.push(at('IMC262', { file, name }));
      return undefined;
    }
    return scale.data[0];
  };
  const inputScale = realScale('input.scale');
  const outputScale = realScale('output.scale');
  const extra = [...arrays.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) {
    problems.push(at('IMC263', { file, arrays: `${extra.slice(0, 5).join(', ')}${extra.length > 5 ? `, ... (${extra.length} in all)` : ''}` }));
  }
  if (problems.length > 0) throw new DiagnosticError(problems);
  return { layers, ...(inputScale !== undefined ? { inputScale } : {}), ...(outputScale !== undefined ? { outputScale } : {}) };
}

