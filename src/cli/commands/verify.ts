// imcc verify FILE|DIR [--seed S] [--images N] [--stream] [--json]: builds the generated RTL with Verilator (cached,
// src/verify/cache.ts), runs seeded images through it (every second one with a reset pulse mid-stream, or with
// --stream all back to back in one simulation) and compares addresses, ADC outputs, activations and outputs with the golden.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { BuildProgress, VerifyDetails, VerifyStage, VerifyResult, Mismatch } from '../../verify/index.js';
import { printJson, printText } from '../io.js';
import { groupDigits } from '../../support/format.js';
import { seedOption, wholeNumber } from '../options.js';
import { pathArgument } from '../paths.js';
import { EXIT } from '../exit.js';
import type { IrDesign } from '../../ir/types.js';
import type { SetStatus } from './index.js';

interface VerifyCliOptions {
  seed: number;
  images: number;
  stream?: boolean;
  input?: string;
  index: number;
  cacheDir?: string;
  json?: boolean;
  trace?: boolean;
  window: number;
  traceDir: string;
}

/** Three images by default: the second one runs through a mid-stream reset, the others from random start values (issue 19). */
const DEFAULT_IMAGES = 3;
const MAX_IMAGES = 1000;

const STAGES: VerifyStage[] = ['emit', 'build', 'simulate', 'reference', 'compare'];

export function describeMismatch(m: Mismatch): string {
  const where = [m.core ? `core ${m.core}` : 'network output', m.layer ? `(layer ${m.layer})` : ''].filter((s) => s !== '').join(' ');
  const when = m.timestep !== null ? `timestep ${m.timestep}` : 'after the run';
  const schedule = m.scheduleTimestep !== null ? ` (schedule timestep ${m.scheduleTimestep})` : '';
  const values = m.expected !== null || m.actual !== null ? `: expected ${m.expected ?? 'nothing'}, actual ${m.actual ?? 'nothing'}` : '';
  return `${where}, ${when}${schedule}: ${m.what}${values}`;
}

/** "3 images, 1 of them reset mid-stream; ", "3 images back to back; " or nothing for one image. */
function imagesText(d: VerifyDetails): string {
  if (d.stream) return `${d.images.length} image${d.images.length > 1 ? 's' : ''} back to back; `;
  const reset = d.images.filter((r) => r.resetAtCycle !== null).length;
  return d.images.length > 1 ? `${d.images.length} images, ${reset} of them reset mid-stream; ` : '';
}

/** The JSON contract's fields only (schemas/verify.schema.json). */
export function verifyJson(d: VerifyDetails): VerifyResult {
  return {
    pass: d.pass,
    comparisons: d.comparisons,
    mismatches: d.mismatches,
    cycles: d.cycles,
    seconds: d.seconds,
    firstMismatch: d.firstMismatch,
    coverage: d.coverage,
    images: d.images,
    stream: d.stream,
    stepTiming: d.stepTiming,
  };
}

export function registerVerify(program: Command, setStatus: SetStatus): void {
  program
    .command('verify')
    .description(
      'build the generated RTL with Verilator (cached by a hash of the RTL), run seeded input images (or --input; every second one reset mid-stream, or with --stream all back to back) through it and compare ' +
        'memory addresses with the schedules and ADC outputs, activations and outputs with the reference model',
    )
    .argument('<target>', 'a .imc design (compiled in memory) or an output directory of imcc compile (verified as it is on disk)')
    .option(seedOption.flags, 'seed of the input image', seedOption.parse, seedOption.default)
    .option(
      '--images <n>',
      'images to run (seeds S, S+1, ...); in every second one a reset pulse interrupts the stream halfway and it restarts',
      wholeNumber(1, MAX_IMAGES),
      DEFAULT_IMAGES,
    )
    .option(
      '--stream',
      'run the images back to back in one simulation, no reset between them (each compared with its own reference; memory addresses with the schedules, image k at ring columns k x width on; timesteps with the dataflow model for the first image)',
    )
    .option('--input <image>', 'input image instead of the seed (.npy, .json or raw int8, as for imcc infer)', pathArgument)
    .option('--index <K>', 'which image of a .npy input (0-based)', wholeNumber(0), 0)
    .option('--cache-dir <dir>', 'where Verilator builds are cached (default $IMCC_CACHE_DIR, else $XDG_CACHE_HOME/imcc or ~/.cache/imcc)')
    .option('--json', 'print the result as JSON (schemas/verify.schema.json)')
    .option('--trace', 'build with Verilator --trace and keep a VCD around the first mismatch (or of the run) and the address trace')
    .option('--window <n>', 'with --trace: timesteps kept on each side of the first mismatch', wholeNumber(1), 5)
    .option('--trace-dir <dir>', 'with --trace: where wave.vcd and addresses.txt are written', pathArgument, 'imcc-trace')
    .action(async (target: string, opts: VerifyCliOptions) => {
      const { default: cliProgress } = await import('cli-progress');
      const { createProgram } = await import('../../pipeline/program.js');
      const { coverageText, formatBuildProgress, stepTimingText, verifyDesign, verifyOutputDir } = await import('../../verify/index.js');
      const { validateJson } = await import('../../support/schema.js');
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { readInputImage } = await import('../inputImage.js');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'verify [{bar}] {stage} ({duration_formatted})', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(STAGES.length, 0, { stage: 'starting' });
      const onStage = (stage: VerifyStage): void => bar?.update(STAGES.indexOf(stage), { stage });
      // Within the build stage the bar advances by the C++ files Verilator has compiled (its longest part).
      const buildStep = STAGES.indexOf('build');
      const onBuildProgress = (p: BuildProgress): void =>
        bar?.update(buildStep + (p.total ? Math.min(p.compiled, p.total) / p.total : 0), { stage: formatBuildProgress(p) });
      const input = opts.input;
      const imageFor = input !== undefined ? (design: IrDesign): Int32Array => readInputImage(design, input, opts.index) : undefined;
      const waveform = opts.trace === true ? { window: opts.window, dir: opts.traceDir } : undefined;
      const options = { seed: opts.seed, images: opts.images, stream: opts.stream === true, cacheDir: opts.cacheDir, onStage, onBuildProgress: bar ? onBuildProgress : undefined, waveform, ...(imageFor ? { imageFor } : {}) };
      let details: VerifyDetails;
      try {
        let isDir = false;
        try {
          isDir = statSync(target).isDirectory();
        } catch {
          isDir = false;
        }
        if (isDir) {
          details = await verifyOutputDir(target, options);
        } else {
          const { design, sources } = loadDesignForCli(target);
          // Mapping and memory planning run here, inside withSources, so their diagnostics show the source lines.
          const program = createProgram(design);
          withSources(sources, () => program.memory);
          details = await verifyDesign(program, options);
        }
        bar?.update(STAGES.length, { stage: 'done' });
      } finally {
        bar?.stop();
      }
      const result = verifyJson(details);
      if (opts.json) {
        validateJson('verify', result);
        printJson(result);
      } else if (result.pass) {
        printText(
          `PASS: ${groupDigits(result.comparisons)} comparisons, 0 mismatches (${imagesText(details)}${groupDigits(details.cycles)} cycles, ${groupDigits(details.timesteps)} timesteps, ${result.seconds} s)`,
        );
      } else {
        const failed = details.images.filter((r) => r.mismatches > 0).map((r) => `seed ${r.seed}${r.resetAtCycle !== null ? ` (reset at cycle ${r.resetAtCycle})` : ''}`);
        printText(
          `FAIL: ${groupDigits(result.mismatches)} of ${groupDigits(result.comparisons)} comparisons differ (${failed.length} of ${details.images.length} images: ${failed.join(', ')}); ` +
            `first divergence: ${describeMismatch(result.firstMismatch!)}`,
        );
      }
      if (details.waveform !== undefined) {
        const w = details.waveform;
        const where =
          `waveform of timesteps ${w.first}..${w.last}: ${w.vcd} (open with: gtkwave ${w.vcd})\n` + `memory addresses per core: ${w.addresses}\n`;
        if (opts.json) process.stderr.write(where);
        else printText(where.trimEnd());
      }
      if (!opts.json) printText(`${coverageText(result.coverage)}\n${stepTimingText(result.stepTiming)}`);
      setStatus(result.pass ? EXIT.ok : EXIT.badInput);
    });
}
