// imcc evaluate DESIGN.imc --data X.npy --labels Y.npy [--onnx MODEL.onnx] [--analog [--samples K] [--seed S]]
// [--sweep NAME=START:STOP:STEP [--csv FILE]] [--json]: top-1 accuracy of the integer reference model (in parallel
// over the cores), of the float ONNX model with their agreement, and under the analog crossbar model
// (src/import/evaluate.ts, src/reference/analog/accuracy.ts).
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import { seedOption, wholeNumber } from '../options.js';
import { pathArgument } from '../paths.js';
import type { SetStatus } from './index.js';

const percent = (v: number): string => `${(100 * v).toFixed(2)}%`;

interface EvaluateOptions {
  data: string;
  labels: string;
  onnx?: string;
  analog?: boolean;
  samples: number;
  seed: number;
  sweep?: string;
  csv?: string;
  json?: boolean;
}

export function registerEvaluate(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('evaluate')
    .description('top-1 accuracy of the bit-exact integer reference model on labelled images; with --onnx, also the float model and their agreement; with --analog or --sweep, under the analog crossbar model')
    .argument('<file>', 'the .imc design')
    .requiredOption('--data <x.npy>', 'images, N x C x H x W: floats (quantized with the input scale of the weights file) or integers')
    .requiredOption('--labels <y.npy>', 'N integer class labels')
    .option('--onnx <model>', 'the float ONNX model to compare with (needs float --data)')
    .option('--analog', "also run every crossbar product through the analog tile model of the target's device block (docs/analog.md)")
    .option('--samples <K>', 'analog: programming draws (chips) to average over', wholeNumber(1, 1000, 'a sample count'), 4)
    .option(seedOption.flags, 'analog: seed of the programming error and read noise', seedOption.parse, seedOption.default)
    .option('--sweep <spec>', 'analog top-1 against one device parameter, NAME=START:STOP:STEP with NAME noise (read noise sigma) or variation (programming error sigma); CSV on stdout')
    .option('--csv <file>', 'with --sweep: write the CSV to FILE instead of stdout', pathArgument)
    .option('--json', 'print {images, top1, floatTop1, agreement, meanAbsLogitError, analog?, sweep?} (schemas/evaluate.schema.json)')
    .action(async (file: string, opts: EvaluateOptions, command: Command) => {
      const { ToolError } = await import('../../diagnostics/index.js');
      const fromCli = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      const analogAsked = opts.analog === true || opts.sweep !== undefined;
      if (!analogAsked && (fromCli('samples') || fromCli('seed') || opts.csv !== undefined)) {
        throw new ToolError('IMC155', { option: fromCli('samples') ? 'samples' : fromCli('seed') ? 'seed' : 'csv' });
      }
      if (opts.csv !== undefined && opts.sweep === undefined) throw new ToolError('IMC228', {});
      const { parseSweep, sweepCsv, SWEEP_PARAMETERS } = await import('../../reference/analog/accuracy.js');
      // Parsed before any work, so a bad spec fails at once.
      const sweep = opts.sweep === undefined ? undefined : parseSweep(opts.sweep);
      const { default: cliProgress } = await import('cli-progress');
      const { evaluateDesign } = await import('../../import/evaluate.js');
      const { validateJson } = await import('../../support/schema.js');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'evaluate [{bar}] {value}/{total} image runs', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
      let started = false;
      let result;
      try {
        result = await evaluateDesign(
          file,
          opts.data,
          opts.labels,
          opts.onnx,
          (done, total) => {
            if (!started) bar?.start(total, 0);
            started = true;
            bar?.update(done);
          },
          analogAsked ? { samples: opts.samples, seed: opts.seed, sweep } : undefined,
        );
      } finally {
        bar?.stop();
      }
      const csv = result.sweep ? sweepCsv(result.sweep.parameter, result.sweep.points) : undefined;
      if (csv !== undefined && opts.csv !== undefined) {
        const { errnoReason, writeFileAtomic } = await import('../../support/files.js');
        try {
          writeFileAtomic(opts.csv, csv);
        } catch (err) {
          throw new ToolError('IMC154', { csv: opts.csv, reason: errnoReason(err) });
        }
      }
      if (opts.json) {
        validateJson('evaluate', result);
        printJson(result);
        return;
      }
      // A sweep without --csv FILE prints its CSV alone, so the output can be piped into a plotting tool.
      if (csv !== undefined && opts.csv === undefined) {
        printText(csv);
        return;
      }
      const { deviceSummary } = await import('../../reference/analog/report.js');
      const lines = [`images: ${result.images}`, `integer top-1: ${percent(result.top1)}`];
      if (result.floatTop1 !== null) {
        lines.push(`float top-1: ${percent(result.floatTop1)}`, `agreement: ${percent(result.agreement!)}`, `mean |logit error|: ${result.meanAbsLogitError!.toPrecision(4)}`);
      }
      if (result.analog) {
        const a = result.analog;
        lines.push(
          `device: ${deviceSummary(a.device)}`,
          `analog top-1 (${a.samples} programming sample${a.samples === 1 ? '' : 's'}, seed ${a.seed}): mean ${percent(a.top1.mean)}, std ${percent(a.top1.std)}, min ${percent(a.top1.min)}, max ${percent(a.top1.max)}`,
        );
      }
      if (result.sweep) {
        const s = result.sweep;
        lines.push(
          `device: ${deviceSummary(s.device)}; each point replaces ${SWEEP_PARAMETERS[s.parameter]}`,
          `analog top-1 against ${s.parameter}, ${s.samples} programming sample${s.samples === 1 ? '' : 's'} per point, seed ${s.seed}; rows written to ${opts.csv}:`,
          ...s.points.map((p) => `  ${s.parameter} ${p.value}: mean ${percent(p.top1Mean)}, std ${percent(p.top1Std)}, min ${percent(p.top1Min)}, max ${percent(p.top1Max)}`),
        );
      }
      printText(lines.join('\n'));
    });
}
