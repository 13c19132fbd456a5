// imcc import MODEL.onnx --target T.imc -o NAME.imc --calibrate X.npy [--weight-bits N] [--activation-bits N]
// [--percentile P] [--json]:
// writes a quantized .imc design and its .npz weights file (src/import, docs/import.md) and prints the per-layer
// quantization error measured on the calibration images.
import { type Command, InvalidArgumentError } from 'commander';
import { printJson, printText } from '../io.js';
import type { SetStatus } from './index.js';

function bits(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of bits');
  return Number(value);
}

function percentValue(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError('expected a percentile, a number above 0, at most 100');
  return Number(value);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function registerImport(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('import')
    .description('import a trained ONNX model: quantize it (per-channel weights, calibrated activations) into NAME.imc and its NAME.npz weights file')
    .argument('<model>', 'the ONNX model (opset 11-18)')
    .requiredOption('--target <file>', 'a .imc file declaring the target hardware (exactly one target)')
    .requiredOption('-o, --output <name.imc>', 'the design to write; the weights file NAME.npz goes beside it')
    .requiredOption('--calibrate <x.npy>', 'calibration images, float N x C x H x W as the model takes them')
    .option('--weight-bits <N>', "weight bits (default: the target's crossbar weight_bits)", bits)
    .option('--activation-bits <N>', 'activation bits (default 8)', bits)
    .option('--percentile <P>', "integrate-and-fire targets ('model if'): the percentile of each relu's calibrated activations that fires every timestep (default 99.9)", percentValue)
    .option('--json', 'print the result as JSON (schemas/import.schema.json)')
    .action(async (model: string, opts: { target: string; output: string; calibrate: string; weightBits?: number; activationBits?: number; percentile?: number; json?: boolean }) => {
      const { importModel } = await import('../../import/index.js');
      const { validateJson } = await import('../../support/schema.js');
      const result = importModel({ model, ...opts });
      if (opts.json) {
        validateJson('import', result);
        printJson(result);
        return;
      }
      const width = Math.max(5, ...result.layers.map((l) => l.layer.length)) + 2;
      const lines = [
        `wrote ${result.imc} and ${result.weights} (network ${result.network} on ${result.target}, ${result.weightBits}-bit weights, ${result.activationBits}-bit activations)`,
        `calibrated on ${result.calibrationImages} images; input scale ${result.inputScale.toPrecision(6)}`,
        ...(result.conversion
          ? [
              `converted to integrate-and-fire: threshold ${result.conversion.threshold}, ${result.conversion.steps} timesteps, each relu normalized to the ${result.conversion.percentile}th percentile of its activations`,
              'per-layer error is not measured on spike trains (imcc evaluate gives the top-1):',
            ]
          : [`quantization error of each weight layer's output on the calibration images (SQNR vs the float model):`]),
        `${pad('layer', width)}${pad('shift', 7)}${pad('out scale', 13)}SQNR dB`,
        ...result.layers.map((l) => `${pad(l.layer, width)}${pad(String(l.shift), 7)}${pad(l.outputScale.toPrecision(5), 13)}${l.sqnrDb === null ? '-' : l.sqnrDb.toFixed(2)}`),
      ];
      printText(lines.join('\n'));
    });
}
