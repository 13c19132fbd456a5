// Accuracy of a design on a labelled data set (`imcc evaluate`): the integer reference model of the mapped design on
// every image, in parallel over worker threads, and optionally the float model (the importer's float interpreter of
// the ONNX graph) on the same images: top-1 of both, their agreement and the mean |logit| difference. With
// `analog`, also the top-1 with every crossbar product through the analog tile model (src/reference/analog), over
// several programming samples, for the design's device or each point of a sweep of one device parameter.
import { inputNode } from '../ir/nodeIndex.js';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DiagnosticError, ToolError } from '../diagnostics/index.js';
import { loadDesign } from '../ir/load.js';
import type { IrDesign } from '../ir/types.js';
import { readFileWeights } from '../ir/weightsFile.js';
import { mapDesign } from '../mapping/index.js';
import { compileReference, runReference } from '../reference/index.js';
import { analogChip, designDevice, layerBits } from '../reference/analog/chip.js';
import { top1Spread, sweptDevice, type SweepPointResult, type SweepSpec, type Top1Spread } from '../reference/analog/accuracy.js';
import { normalStream } from '../reference/analog/random.js';
import { analogTileProduct, type AnalogDevice } from '../reference/analog/tile.js';
import { parseNpyImages, readNpyArray, type NpyImages } from '../reference/npyImages.js';
import { isIntegerDtype, type NpyArray } from '../support/npy.js';
import { runFloat } from './float.js';
import { importGraph, type ImportGraph } from './graph.js';
import { readOnnx } from './onnx.js';

export interface EvaluateResult {
  images: number;
  top1: number;
  floatTop1: number | null;
  agreement: number | null;
  meanAbsLogitError: number | null;
  /** With --analog (no sweep): top-1 under the design's device over the programming samples. */
  analog?: { device: AnalogDevice & { ideal: boolean }; samples: number; seed: number; top1: Top1Spread & { perSample: number[] } };
  /** With --sweep: one point per value of the swept device parameter. */
  sweep?: { parameter: SweepSpec['parameter']; device: AnalogDevice & { ideal: boolean }; samples: number; seed: number; points: SweepPointResult[] };
}

/** What `imcc evaluate --analog` asks: K programming samples from a seed, optionally over a sweep. */
export interface AnalogEvaluation {
  samples: number;
  seed: number;
  sweep?: SweepSpec;
}

/**
 * One analog chip: a device, and the seed and sample index of its programming draw. Read noise is drawn per image
 * from stream (seed, read:sample:image), so results do not depend on how images are split over threads.
 */
export interface AnalogDraw {
  device: AnalogDevice;
  seed: number;
  sample: number;
}

function readNpy(file: string, what: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ToolError('IMC271', { what, file, reason: (err as { code?: string }).code ?? 'unreadable' });
  }
  return readNpyArray(file, bytes);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function checkedDesign(file: string): IrDesign {
  const loaded = loadDesign(file);
  if (!loaded.design || loaded.diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticError(loaded.diagnostics, loaded.sources);
  return loaded.design;
}

function dataImages(design: IrDesign, file: string): NpyImages {
  const input = inputNode(design.network);
  const inputScale = design.network.weights.kind === 'file' ? readFileWeights(design).inputScale : undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ToolError('IMC271', { what: 'data', file, reason: (err as { code?: string }).code ?? 'unreadable' });
  }
  return parseNpyImages(file, bytes, input.shape, input.activationBits, inputScale);
}

/** The compiled design and data of the last call, so a thread compiles them once for all its chunks. */
let prepared:
  | { key: string; images: NpyImages; ref: ReturnType<typeof compileReference>; bits: ReturnType<typeof layerBits> }
  | undefined;
/** The programmed chip of the last analog draw (a thread's chunks mostly come from one draw in a row). */
let chip: { key: string; tileFor: ReturnType<typeof analogChip> } | undefined;

/** Integer outputs of images [from, to) of the data file, in this thread: exact, or through the analog chip `analog`. */
export function integerOutputs(designFile: string, dataFile: string, from: number, to: number, analog?: AnalogDraw): Int32Array[] {
  const key = `${designFile}\0${dataFile}`;
  if (prepared?.key !== key) {
    const design = checkedDesign(designFile);
    const mapping = mapDesign(design);
    prepared = { key, images: dataImages(design, dataFile), ref: compileReference(design, mapping), bits: layerBits(design, mapping) };
    chip = undefined;
  }
  const { images, ref, bits } = prepared;
  const out: Int32Array[] = [];
  if (!analog) {
    for (let k = from; k < to; k++) out.push(runReference(ref, images.image(k)).output);
    return out;
  }
  const chipKey = JSON.stringify(analog);
  if (chip?.key !== chipKey) chip = { key: chipKey, tileFor: analogChip(bits, analog.device, analog.seed, `sample${analog.sample}:`) };
  const { tileFor } = chip;
  for (let k = from; k < to; k++) {
    const noise = normalStream(analog.seed, `read:${analog.sample}:${k}`);
    out.push(runReference(ref, images.image(k), { tileProduct: (t, x) => analogTileProduct(tileFor(t), x, noise) }).output);
  }
  return out;
}

// The compiled CLI runs its chunks in dist/import/evaluateWorker.js. Run from the TypeScript sources (vitest, tsx)
// there is no compiled worker (Node 20 workers do not take the TypeScript loader), so the chunks run in this thread.
const workerFile = fileURLToPath(new URL('./evaluateWorker.js', import.meta.url));

/** A chunk of images [from, to) for one thread, exact or through one analog draw. */
interface Job {
  from: number;
  to: number;
  analog?: AnalogDraw;
}

/** Runs the jobs in worker threads, one per core (in this thread when run from the sources); outputs per job. */
async function parallelOutputs(designFile: string, dataFile: string, jobs: Job[], onProgress: (done: number) => void): Promise<Int32Array[][]> {
  const results: Int32Array[][] = new Array(jobs.length);
  let done = 0;
  if (!existsSync(workerFile)) {
    jobs.forEach(({ from, to, analog }, i) => {
      results[i] = integerOutputs(designFile, dataFile, from, to, analog);
      done += to - from;
      onProgress(done);
    });
    return results;
  }
  const threads = Math.max(1, Math.min(availableParallelism(), jobs.length));
  let next = 0;
  const runThread = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerFile, { workerData: { designFile, dataFile } });
      const give = (): void => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        worker.postMessage({ index: i, ...jobs[i] });
      };
      worker.on('message', (m: { index: number; outputs?: Int32Array[]; error?: string }) => {
        if (m.error !== undefined) {
          void worker.terminate();
          reject(new Error(m.error));
          return;
        }
        results[m.index] = m.outputs!;
        done += jobs[m.index].to - jobs[m.index].from;
        onProgress(done);
        give();
      });
      worker.on('error', reject);
      give();
    });
  await Promise.all(Array.from({ length: threads }, runThread));
  return results;
}

/** Images [0, count) in chunks of `size`, each a job with the same draw. */
function chunks(count: number, size: number, analog?: AnalogDraw): Job[] {
  const jobs: Job[] = [];
  for (let from = 0; from < count; from += size) jobs.push({ from, to: Math.min(count, from + size), analog });
  return jobs;
}

/** The float model, its input data and the design's output scale, for `--onnx`: IMC088, IMC271, IMC106. */
function floatComparison(design: IrDesign, dataFile: string, onnxFile: string): { data: NpyArray; graph: ImportGraph; outputScale: number } {
  const data = readNpy(dataFile, 'data');
  if (isIntegerDtype(data.dtype)) throw new ToolError('IMC088', { option: '--onnx', file: dataFile, dtype: data.dtype });
  let modelBytes: Uint8Array;
  try {
    modelBytes = readFileSync(onnxFile);
  } catch (err) {
    throw new ToolError('IMC271', { what: 'model', file: onnxFile, reason: (err as { code?: string }).code ?? 'unreadable' });
  }
  const graph = importGraph(readOnnx(onnxFile, modelBytes));
  const outputScale = design.network.weights.kind === 'file' ? readFileWeights(design).outputScale : undefined;
  if (outputScale === undefined) throw new ToolError('IMC106', {});
  return { data, graph, outputScale };
}

export async function evaluateDesign(
  designFile: string,
  dataFile: string,
  labelsFile: string,
  onnxFile: string | undefined,
  onProgress: (done: number, total: number) => void = () => {},
  analog?: AnalogEvaluation,
): Promise<EvaluateResult> {
  const design = checkedDesign(designFile);
  const images = dataImages(design, dataFile);
  const labels = readNpy(labelsFile, 'labels');
  if (!isIntegerDtype(labels.dtype) || labels.shape.length !== 1 || labels.shape[0] !== images.count) {
    throw new ToolError('IMC105', { file: labelsFile, count: images.count, dtype: labels.dtype, shape: labels.shape.join(', ') });
  }
  // What the comparison with the float model needs is checked before the design runs on every image.
  const float = onnxFile === undefined ? undefined : floatComparison(design, dataFile, onnxFile);
  const top1Of = (outputs: Int32Array[]): number => {
    let correct = 0;
    for (let k = 0; k < images.count; k++) if (argmax(outputs[k]) === labels.data[k]) correct++;
    return correct / images.count;
  };
  // Every run (the exact one, then each point's samples) is one list of jobs, so all threads stay busy throughout.
  const device = designDevice(design);
  const points = analog === undefined ? [] : analog.sweep ? analog.sweep.values.map((v) => sweptDevice(device, analog.sweep!.parameter, v)) : [device];
  // Analog chunks are larger: each new draw costs a thread the programming of every tile.
  const runs: Job[][] = [chunks(images.count, 16)];
  for (const pointDevice of points) {
    for (let sample = 0; sample < analog!.samples; sample++) runs.push(chunks(images.count, 50, { device: pointDevice, seed: analog!.seed, sample }));
  }
  const total = runs.length * images.count;
  const jobOutputs = await parallelOutputs(designFile, dataFile, runs.flat(), (d) => onProgress(d, total));
  const runTop1: number[] = [];
  let at = 0;
  for (const jobs of runs) {
    runTop1.push(top1Of(jobOutputs.slice(at, at + jobs.length).flat()));
    at += jobs.length;
  }
  const outputs = jobOutputs.slice(0, runs[0].length).flat();
  const result: EvaluateResult = { images: images.count, top1: runTop1[0], floatTop1: null, agreement: null, meanAbsLogitError: null };
  if (analog) {
    const reported = { ...device, ideal: design.target.crossbar.device === undefined };
    const perPoint = points.map((_, p) => runTop1.slice(1 + p * analog.samples, 1 + (p + 1) * analog.samples));
    if (analog.sweep) {
      const points = analog.sweep.values.map((value, p) => {
        const spread = top1Spread(perPoint[p]);
        return { value, top1Mean: spread.mean, top1Std: spread.std, top1Min: spread.min, top1Max: spread.max, samples: analog.samples };
      });
      result.sweep = { parameter: analog.sweep.parameter, device: reported, samples: analog.samples, seed: analog.seed, points };
    } else {
      result.analog = { device: reported, samples: analog.samples, seed: analog.seed, top1: { ...top1Spread(perPoint[0]), perSample: perPoint[0] } };
    }
  }
  if (float === undefined) return result;
  const { data, graph, outputScale } = float;

  const size = data.data.length / images.count;
  let floatCorrect = 0;
  let agree = 0;
  let absError = 0;
  let terms = 0;
  for (let k = 0; k < images.count; k++) {
    const values = runFloat(graph, data.data.subarray(k * size, (k + 1) * size));
    const logits = values.get(graph.output)!;
    if (logits.length !== outputs[k].length) throw new ToolError('IMC107', { file: onnxFile!, modelOutputs: logits.length, designOutputs: outputs[k].length });
    const f = argmax(logits);
    if (f === labels.data[k]) floatCorrect++;
    if (f === argmax(outputs[k])) agree++;
    for (let i = 0; i < logits.length; i++) absError += Math.abs(logits[i] - outputs[k][i] * outputScale);
    terms += logits.length;
  }
  return { ...result, floatTop1: floatCorrect / images.count, agreement: agree / images.count, meanAbsLogitError: absError / terms };
}
