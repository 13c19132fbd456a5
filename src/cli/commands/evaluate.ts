// imcc evaluate DESIGN.imc --data X.npy --labels Y.npy [--onnx MODEL.onnx] [--json]: top-1 accuracy of the integer
// reference model (in parallel over the cores), and of the float ONNX model with their agreement (src/import/evaluate.ts).
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import type { SetStatus } from './index.js';

const percent = (v: number): string => `${(100 * v).toFixed(2)}%`;

export function registerEvaluate(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('evaluate')
    .description('top-1 accuracy of the bit-exact integer reference model on labelled images; with --onnx, also the float model and their agreement')
    .argument('<file>', 'the .imc design')
    .requiredOption('--data <x.npy>', 'images, N x C x H x W: floats (quantized with the input scale of the weights file) or integers')
    .requiredOption('--labels <y.npy>', 'N integer class labels')
    .option('--onnx <model>', 'the float ONNX model to compare with (needs float --data)')
    .option('--json', 'print {images, top1, floatTop1, agreement, meanAbsLogitError} (schemas/evaluate.schema.json)')
    .action(async (file: string, opts: { data: string; labels: string; onnx?: string; json?: boolean }) => {
      const { default: cliProgress } = await import('cli-progress');
      const { evaluateDesign } = await import('../../import/evaluate.js');
      const { validateJson } = await import('../../support/schema.js');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'evaluate [{bar}] {value}/{total} images', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
      let started = false;
      let result;
      try {
        result = await evaluateDesign(file, opts.data, opts.labels, opts.onnx, (done, total) => {
          if (!started) bar?.start(total, 0);
          started = true;
          bar?.update(done);
        });
      } finally {
        bar?.stop();
      }
      if (opts.json) {
        validateJson('evaluate', result);
        printJson(result);
        return;
      }
      const lines = [`images: ${result.images}`, `integer top-1: ${percent(result.top1)}`];
      if (result.floatTop1 !== null) {
        lines.push(`float top-1: ${percent(result.floatTop1)}`, `agreement: ${percent(result.agreement!)}`, `mean |logit error|: ${result.meanAbsLogitError!.toPrecision(4)}`);
      }
      printText(lines.join('\n'));
    });
}
