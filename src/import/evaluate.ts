// Accuracy of a design on a labelled data set (`imcc evaluate`): the integer reference model of the mapped design on
// every image, in parallel over worker threads, and optionally the float model (the importer's float interpreter of
// the ONNX graph) on the same images: top-1 of both, their agreement and the mean |logit| difference.
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DiagnosticError, ToolError } from '../dsl/diagnostics.js';
import { loadDesign } from '../ir/load.js';
import type { IrDesign } from '../ir/types.js';
import { readFileWeights } from '../ir/weightsFile.js';
import { mapDesign } from '../mapping/index.js';
import { compileReference, runReference } from '../reference/index.js';
import { parseNpyImages, type NpyImages } from '../reference/npyImages.js';
import { isIntegerDtype, NpyFormatError, parseNpy, type NpyArray } from '../support/npy.js';
import { runFloat } from './float.js';
import { importGraph } from './graph.js';
import { readOnnx } from './onnx.js';

export interface EvaluateResult {
  images: number;
  top1: number;
  floatTop1: number | null;
  agreement: number | null;
  meanAbsLogitError: number | null;
}

function readNpy(file: string, what: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ToolError('IMC129', `cannot read the ${what} ${file} (${(err as { code?: string }).code ?? 'unreadable'})`);
  }
  try {
    return parseNpy(bytes);
  } catch (err) {
    if (err instanceof NpyFormatError) throw new ToolError('IMC123', `${file}: ${err.message}`);
    throw err;
  }
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
  const input = design.network.nodes.find((n) => n.op.kind === 'input')!;
  const inputScale = design.network.weights.kind === 'file' ? readFileWeights(design).inputScale : undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ToolError('IMC129', `cannot read the data ${file} (${(err as { code?: string }).code ?? 'unreadable'})`);
  }
  return parseNpyImages(file, bytes, input.shape, input.activationBits, inputScale);
}

/** The compiled design and data of the last call, so a thread compiles them once for all its chunks. */
let prepared: { key: string; images: NpyImages; ref: ReturnType<typeof compileReference> } | undefined;

/** Integer outputs of images [from, to) of the data file, in this thread. */
export function integerOutputs(designFile: string, dataFile: string, from: number, to: number): Int32Array[] {
  const key = `${designFile}\0${dataFile}`;
  if (prepared?.key !== key) {
    const design = checkedDesign(designFile);
    prepared = { key, images: dataImages(design, dataFile), ref: compileReference(design, mapDesign(design)) };
  }
  const { images, ref } = prepared;
  const out: Int32Array[] = [];
  for (let k = from; k < to; k++) out.push(runReference(ref, images.image(k)).output);
  return out;
}

// The compiled CLI runs its chunks in dist/import/evaluateWorker.js. Run from the TypeScript sources (vitest, tsx)
// there is no compiled worker (Node 20 workers do not take the TypeScript loader), so the chunks run in this thread.
const workerFile = fileURLToPath(new URL('./evaluateWorker.js', import.meta.url));

/** Runs the chunks of 16 images in worker threads, one per core (in this thread when run from the sources). */
async function parallelOutputs(designFile: string, dataFile: string, count: number, onProgress: (done: number) => void): Promise<Int32Array[]> {
  const chunk = 16;
  const ranges: [number, number][] = [];
  for (let from = 0; from < count; from += chunk) ranges.push([from, Math.min(count, from + chunk)]);
  const results: Int32Array[][] = new Array(ranges.length);
  let done = 0;
  if (!existsSync(workerFile)) {
    ranges.forEach(([from, to], i) => {
      results[i] = integerOutputs(designFile, dataFile, from, to);
      done += to - from;
      onProgress(done);
    });
    return results.flat();
  }
  const threads = Math.max(1, Math.min(availableParallelism(), ranges.length));
  let next = 0;
  const runThread = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerFile, { workerData: { designFile, dataFile } });
      const give = (): void => {
        if (next >= ranges.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        worker.postMessage({ index: i, from: ranges[i][0], to: ranges[i][1] });
      };
      worker.on('message', (m: { index: number; outputs?: Int32Array[]; error?: string }) => {
        if (m.error !== undefined) {
          void worker.terminate();
          reject(new Error(m.error));
          return;
        }
        results[m.index] = m.outputs!;
        done += ranges[m.index][1] - ranges[m.index][0];
        onProgress(done);
        give();
      });
      worker.on('error', reject);
      give();
    });
  await Promise.all(Array.from({ length: threads }, runThread));
  return results.flat();
}

export async function evaluateDesign(
  designFile: string,
  dataFile: string,
  labelsFile: string,
  onnxFile: string | undefined,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<EvaluateResult> {
  const design = checkedDesign(designFile);
  const images = dataImages(design, dataFile);
  const labels = readNpy(labelsFile, 'labels');
  if (!isIntegerDtype(labels.dtype) || labels.shape.length !== 1 || labels.shape[0] !== images.count) {
    throw new ToolError('IMC129', `--labels ${labelsFile}: expected ${images.count} integer labels (shape (${images.count},)), found ${labels.dtype} of shape (${labels.shape.join(', ')})`);
  }
  const outputs = await parallelOutputs(designFile, dataFile, images.count, (d) => onProgress(d, images.count));
  let correct = 0;
  for (let k = 0; k < images.count; k++) if (argmax(outputs[k]) === labels.data[k]) correct++;
  const result: EvaluateResult = { images: images.count, top1: correct / images.count, floatTop1: null, agreement: null, meanAbsLogitError: null };
  if (onnxFile === undefined) return result;

  const data = readNpy(dataFile, 'data');
  if (isIntegerDtype(data.dtype)) throw new ToolError('IMC129', `--onnx needs float data (the model's own input); ${dataFile} holds ${data.dtype} integers`);
  let modelBytes: Uint8Array;
  try {
    modelBytes = readFileSync(onnxFile);
  } catch (err) {
    throw new ToolError('IMC125', `cannot read the model ${onnxFile} (${(err as { code?: string }).code ?? 'unreadable'})`);
  }
  const graph = importGraph(readOnnx(onnxFile, modelBytes));
  const outputScale = design.network.weights.kind === 'file' ? readFileWeights(design).outputScale : undefined;
  if (outputScale === undefined) throw new ToolError('IMC129', `--onnx: the design's weights file gives no output.scale to compare its outputs with the float model (import it with imcc import)`);
  const size = data.data.length / images.count;
  let floatCorrect = 0;
  let agree = 0;
  let absError = 0;
  let terms = 0;
  for (let k = 0; k < images.count; k++) {
    const values = runFloat(graph, data.data.subarray(k * size, (k + 1) * size));
    const logits = values.get(graph.output)!;
    if (logits.length !== outputs[k].length) throw new ToolError('IMC129', `--onnx ${onnxFile}: the model has ${logits.length} outputs, the design ${outputs[k].length}`);
    const f = argmax(logits);
    if (f === labels.data[k]) floatCorrect++;
    if (f === argmax(outputs[k])) agree++;
    for (let i = 0; i < logits.length; i++) absError += Math.abs(logits[i] - outputs[k][i] * outputScale);
    terms += logits.length;
  }
  return { ...result, floatTop1: floatCorrect / images.count, agreement: agree / images.count, meanAbsLogitError: absError / terms };
}
