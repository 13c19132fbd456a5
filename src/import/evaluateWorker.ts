// Worker thread of `imcc evaluate`: runs chunks of images through the integer reference model, exact or
// through an analog chip (./evaluate.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { integerOutputs, type AnalogDraw } from './evaluate.js';

const { designFile, dataFile } = workerData as { designFile: string; dataFile: string };
parentPort!.on('message', (m: { index: number; from: number; to: number; analog?: AnalogDraw }) => {
  try {
    parentPort!.postMessage({ index: m.index, outputs: integerOutputs(designFile, dataFile, m.from, m.to, m.analog) });
  } catch (err) {
    parentPort!.postMessage({ index: m.index, error: err instanceof Error ? err.message : String(err) });
  }
});
