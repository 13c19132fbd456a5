// Worker thread of `imcc evaluate`: runs chunks of images through the integer reference model (./evaluate.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { integerOutputs } from './evaluate.js';

const { designFile, dataFile } = workerData as { designFile: string; dataFile: string };
parentPort!.on('message', (m: { index: number; from: number; to: number }) => {
  try {
    parentPort!.postMessage({ index: m.index, outputs: integerOutputs(designFile, dataFile, m.from, m.to) });
  } catch (err) {
    parentPort!.postMessage({ index: m.index, error: err instanceof Error ? err.message : String(err) });
  }
});
