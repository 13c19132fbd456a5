// `imcc import`: an ONNX model -> a quantized .imc design and its weights file, checked and mapped onto the target
// before anything is written, with the per-layer quantization error measured on the calibration data. On a
// `model if` target the ReLU network is converted to integrate-and-fire neurons (./spiking.ts).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticError, ToolError } from '../diagnostics/index.js';
import { loadDesign, loadProgram } from '../ir/load.js';
import { withWrittenWeights } from '../ir/weightsFile.js';
import type { IrDesign, IrTarget } from '../ir/types.js';
import { mapDesign } from '../mapping/index.js';
import { compileReference, runReference } from '../reference/index.js';
import { quantizeReal, signedMax } from '../reference/arithmetic.js';
import { imageCount, readNpyArray } from '../reference/npyImages.js';
import { formatNpz } from '../support/npz.js';
import { runFloat, type FloatValues } from './float.js';
import { importGraph, imcName, type ImportGraph } from './graph.js';
import { withBinaryShortcuts, type SpikingConversion } from './spiking.js';
import { readOnnx } from './onnx.js';
import { quantize, type Quantization } from './quantize.js';
import { networkText, weightArrays } from './write.js';

export interface ImportOptions {
  model: string;
  target: string;
  output: string;
  calibrate: string;
  weightBits?: number;
  activationBits?: number;
  /** Integrate-and-fire conversion (a `model if` target): the normalizing percentile, default 99.9. */
  percentile?: number;
}

export interface LayerError {
  layer: string;
  onnx: string;
  shift: number;
  outputScale: number;
  /** Signal-to-quantization-noise ratio of the layer's requantized output vs the float model, dB; null for a spiking network. */
  sqnrDb: number | null;
}

export interface ImportResult {
  network: string;
  imc: string;
  weights: string;
  target: string;
  weightBits: number;
  activationBits: number;
  calibrationImages: number;
  inputScale: number;
  /** Set when the target's neuron core is integrate-and-fire and the ReLU network was converted. */
  conversion?: { neuron: 'if'; threshold: number; steps: number; percentile: number };
  layers: LayerError[];
}

/** Default percentile of data-based normalization: Rueckauer et al. (2017) found 99.9 to 99.99 robust to outliers. */
export const DEFAULT_PERCENTILE = 99.9;

function readBytes(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ENOENT' ? 'no such file' : ((err as { code?: string }).code ?? 'unreadable');
    throw new ToolError('IMC271', { what, file, reason });
  }
}

/** The one target the --target file declares. */
function loadTarget(file: string): IrTarget {
  const program = loadProgram(file);
  const errors = program.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new DiagnosticError(program.diagnostics, program.sources);
  const declared = program.files[0]?.declarations.filter((d) => d.kind === 'target') ?? [];
  if (declared.length !== 1) throw new ToolError('IMC087', { file, count: declared.length });
  return program.check.targets.get(declared[0].name.name)!;
}

/**
 * Calibration images: floats matching the model input, N x C x H x W or one C x H x W image, as every .npy image
 * input of imcc (reference/npyImages.ts), whose codes it shares: IMC256 and IMC277-IMC285 (.npy format), IMC123 (shape).
 */
export function readCalibration(file: string, graph: ImportGraph): Float64Array[] {
  const input = graph.layers.find((l) => l.op.kind === 'input')!.shape;
  const array = readNpyArray(file, readBytes(file, 'calibration data'));
  const count = imageCount(file, array.shape, input);
  if (count < 1) throw new ToolError('IMC123', { file, shape: array.shape.join(', '), chw: `${input.channels} x ${input.height} x ${input.width}` });
  if (array.dtype !== 'f4' && array.dtype !== 'f8') throw new ToolError('IMC088', { option: '--calibrate', file, dtype: array.dtype });
  const size = input.channels * input.height * input.width;
  return Array.from({ length: count }, (_, k) => array.data.slice(k * size, (k + 1) * size));
}

function bitsOption(value: number | undefined, fallback: number, what: string): number {
  const bits = value ?? fallback;
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) throw new ToolError('IMC129', { option: what, value: bits, expected: 'a whole number from 2 to 16' });
  return bits;
}

/** Float values (8 bytes each) the import keeps from calibration for its error table: 256 MB. */
const FLOAT_KEEP_LIMIT = 32 * 2 ** 20;

function sizeOf(graph: ImportGraph, name: string): number {
  const { channels, height, width } = graph.layers.find((l) => l.name === name)!.shape;
  return channels * height * width;
}

/** Measured SQNR of every weight layer's requantized output over the calibration images. */
function quantizationErrors(design: IrDesign, graph: ImportGraph, q: Quantization, images: readonly Float64Array[], kept: readonly (FloatValues | undefined)[]): LayerError[] {
  const ref = compileReference(design, mapDesign(design));
  const inputName = graph.inputName;
  const inputScale = q.scales.get(inputName)!;
  const weightLayers = graph.layers.filter((l) => l.op.kind === 'conv' || l.op.kind === 'fc');
  const requantOf = new Map(graph.layers.filter((l) => l.op.kind === 'requant').map((l) => [l.inputs[0], l.name]));
  const signal = new Map<string, number>();
  const noise = new Map<string, number>();
  for (const [k, image] of images.entries()) {
    const float = kept[k] ?? runFloat(graph, image);
    const result = runReference(ref, Int32Array.from(image, (x) => quantizeReal(x, inputScale, q.activationBits)));
    for (const l of weightLayers) {
      const r = requantOf.get(l.name)!;
      const f = float.get(r)!;
      const integer = result.nodes.get(r)!.data;
      const s = q.scales.get(r)!;
      let sig = 0;
      let err = 0;
      for (let i = 0; i < f.length; i++) {
        sig += f[i] * f[i];
        err += (f[i] - integer[i] * s) ** 2;
      }
      signal.set(l.name, (signal.get(l.name) ?? 0) + sig);
      noise.set(l.name, (noise.get(l.name) ?? 0) + err);
    }
  }
  return weightLayers.map((l) => ({
    layer: l.name,
    onnx: l.origin[0] ?? '',
    shift: q.layers.get(l.name)!.shift,
    outputScale: q.scales.get(requantOf.get(l.name)!)!,
    sqnrDb: Math.round(100 * 10 * Math.log10(signal.get(l.name)! / Math.max(noise.get(l.name)!, 1e-300))) / 100,
  }));
}

/** The weight layers' shifts and scales, without an error measurement (a spiking network); maps the design. */
function mappedLayers(design: IrDesign, graph: ImportGraph, q: Quantization): LayerError[] {
  mapDesign(design);
  const requantOf = new Map(graph.layers.filter((l) => l.op.kind === 'requant').map((l) => [l.inputs[0], l.name]));
  return graph.layers
    .filter((l) => l.op.kind === 'conv' || l.op.kind === 'fc')
    .map((l) => ({ layer: l.name, onnx: l.origin[0] ?? '', shift: q.layers.get(l.name)!.shift, outputScale: q.scales.get(requantOf.get(l.name)!)!, sqnrDb: null }));
}

/** When only the grid is too small: how many cores the network needs and the smallest near-square grid holding them. */
function gridAdvice(design: IrDesign): string {
  try {
    const grid = { ...design.target.grid, rows: 1024, cols: 1024 };
    const cores = mapDesign({ ...design, target: { ...design.target, grid } }).cores.length;
    const cols = Math.ceil(Math.sqrt(cores));
    const rows = Math.ceil(cores / cols);
    return ` (a ${rows}x${cols} grid would hold its ${cores} cores)`;
  } catch {
    return '';
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // best effort: a leftover partial file is harmless
  }
}

export function importModel(options: ImportOptions): ImportResult {
  const model = readOnnx(options.model, readBytes(options.model, 'model'));
  const target = loadTarget(options.target);
  const neurons = target.neuronCore.spiking;
  const graph = withBinaryShortcuts(importGraph(model), neurons !== undefined);
  const weightBits = bitsOption(options.weightBits, target.crossbar.weightBits, 'weight-bits');
  const activationBits = bitsOption(options.activationBits, 8, 'activation-bits');
  const pct = options.percentile ?? DEFAULT_PERCENTILE;
  if (options.percentile !== undefined && !neurons) throw new ToolError('IMC098', { target: target.name });
  if (!(pct > 0 && pct <= 100)) throw new ToolError('IMC129', { option: 'percentile', value: pct, expected: 'a number above 0, at most 100' });
  const spiking: SpikingConversion | undefined = neurons && { threshold: neurons.threshold, percentile: pct };
  if (neurons && neurons.threshold > signedMax(activationBits)) {
    throw new ToolError('IMC134', { target: target.name, threshold: neurons.threshold, activationBits, signedMax: signedMax(activationBits) });
  }
  // Checked before calibration, the import's largest cost.
  const imcFile = options.output.endsWith('.imc') ? options.output : `${options.output}.imc`;
  const dir = path.dirname(imcFile);
  if (!existsSync(dir)) throw new ToolError('IMC111', { dir: options.output, reason: `its directory ${dir} does not exist` });
  const calibration = readCalibration(options.calibrate, graph);
  // The float pass of calibration is the import's largest cost: keep its requantized outputs for the error table
  // rather than run it twice, up to FLOAT_KEEP_LIMIT values (beyond, the error pass recomputes them).
  const requants = graph.layers.filter((l) => l.op.kind === 'requant').map((l) => l.name);
  const perImage = requants.reduce((n, name) => n + sizeOf(graph, name), 0);
  const kept: (FloatValues | undefined)[] = [];
  const q = quantize(
    graph,
    calibration,
    weightBits,
    activationBits,
    (values, k) => {
      if (!spiking && (k + 1) * perImage <= FLOAT_KEEP_LIMIT) kept[k] = new Map(requants.map((name) => [name, values.get(name)!]));
    },
    spiking,
  );

  const base = path.basename(imcFile, '.imc');
  const weightsName = `${base}.npz`;
  const partialWeights = `${base}.npz.partial`;
  const relTarget = path.relative(path.resolve(dir), path.resolve(options.target)).split(path.sep).join('/');
  const names = {
    name: imcName(base, new Set()),
    model: path.basename(options.model),
    opset: model.opset,
    calibration: `${calibration.length} images of ${path.basename(options.calibrate)}`,
    targetImport: relTarget,
    target: target.name,
  };
  const conversion = neurons && { neuron: 'if' as const, threshold: neurons.threshold, steps: neurons.steps, percentile: pct };
  const finalText = networkText(graph, q, { ...names, weightsFile: weightsName, conversion }, imcFile);
  // The check loads the text naming the partial weights file: the final text with its one quoted weights file name
  // swapped, rather than rendered and formatted a second time; only the check reads it.
  const quoted = JSON.stringify(weightsName);
  const checkText =
    finalText.split(quoted).length === 2 ? finalText.replace(quoted, () => JSON.stringify(partialWeights)) : networkText(graph, q, { ...names, weightsFile: partialWeights, conversion }, imcFile);
  const partialPath = path.join(dir, partialWeights);
  // A spiking network's output is summed over its T timesteps: one output step is worth s_out / T.
  const arrays = weightArrays(graph, q, neurons?.steps ?? 1);
  writeFileSync(partialPath, formatNpz(arrays));
  let layers: LayerError[];
  try {
    const check = () => loadDesign(imcFile, (f) => (path.resolve(f) === path.resolve(imcFile) ? checkText : readFileSync(f, 'utf8')));
    // The check reads the weights from the arrays just written rather than parsing the file back (same values).
    const loaded = withWrittenWeights(partialPath, arrays, check);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (!loaded.design || errors.length > 0) {
      throw new ToolError('IMC128', { check: 'fit', target: target.name, reasons: errors.map((d) => `${d.code} ${d.message}`).join('; ') });
    }
    try {
      // A spiking network's per-layer values are spike trains, not comparable one to one with the float model:
      // its error shows in the top-1 of `imcc evaluate`, so only the mapping is checked here.
      layers = spiking ? mappedLayers(loaded.design, graph, q) : quantizationErrors(loaded.design, graph, q, calibration, kept);
    } catch (err) {
      if (err instanceof DiagnosticError) {
        const reasons = err.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ');
        throw new ToolError('IMC128', { check: 'map onto', target: target.name, reasons: `${reasons}${gridAdvice(loaded.design)}` });
      }
      throw err;
    }
  } catch (err) {
    removeQuietly(partialPath);
    throw err;
  }
  const partialImc = `${imcFile}.partial`;
  writeFileSync(partialImc, finalText);
  renameSync(path.join(dir, partialWeights), path.join(dir, weightsName));
  renameSync(partialImc, imcFile);
  return {
    network: names.name,
    imc: imcFile,
    weights: path.join(dir, weightsName),
    target: target.name,
    weightBits,
    activationBits,
    calibrationImages: calibration.length,
    inputScale: q.scales.get(graph.inputName)!,
    ...(conversion ? { conversion } : {}),
    layers,
  };
}
