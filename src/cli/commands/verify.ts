// imcc verify FILE|DIR [--seed S] [--json]: builds the generated RTL with Verilator (cached under .imcc-cache/),
// runs one seeded image through it and compares addresses, ADC outputs, activations and outputs with the golden.
import { statSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { mapDesign } from '../../mapping/index.js';
import { planMemories } from '../../memory/index.js';
import { coverageText, verifyDesign, verifyOutputDir, type VerifyDetails, type VerifyStage, type VerifyResult, type Mismatch } from '../../verify/index.js';
import { validateJson } from '../../support/schema.js';
import { loadDesignForCli, withSources } from '../design.js';
import { printJson, printText } from '../io.js';
import { EXIT } from '../exit.js';
import type { SetStatus } from './index.js';

const STAGES: VerifyStage[] = ['emit', 'build', 'simulate', 'reference', 'compare'];

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function describeMismatch(m: Mismatch): string {
  const where = [m.core ? `core ${m.core}` : 'network output', m.layer ? `(layer ${m.layer})` : ''].filter((s) => s !== '').join(' ');
  const when = m.timestep !== null ? `timestep ${m.timestep}` : 'after the run';
  const schedule = m.scheduleTimestep !== null ? ` (schedule timestep ${m.scheduleTimestep})` : '';
  const values = m.expected !== null || m.actual !== null ? `: expected ${m.expected ?? 'nothing'}, actual ${m.actual ?? 'nothing'}` : '';
  return `${where}, ${when}${schedule}: ${m.what}${values}`;
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
  };
}

export function registerVerify(program: Command, setStatus: SetStatus): void {
  program
    .command('verify')
    .description(
      'build the generated RTL with Verilator (cached by a hash of the RTL), run a seeded input image through it and compare ' +
        'memory addresses with the schedules and ADC outputs, activations and outputs with the reference model',
    )
    .argument('<target>', 'a .imc design (compiled in memory) or an output directory of imcc compile (verified as it is on disk)')
    .option('--seed <S>', 'seed of the input image', wholeNumber, 1)
    .option('--cache-dir <dir>', 'where Verilator builds are cached', '.imcc-cache')
    .option('--json', 'print the result as JSON (schemas/verify.schema.json)')
    .action(async (target: string, opts: { seed: number; cacheDir: string; json?: boolean }) => {
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'verify [{bar}] {stage}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(STAGES.length, 0, { stage: 'starting' });
      const onStage = (stage: VerifyStage): void => bar?.update(STAGES.indexOf(stage), { stage });
      const options = { seed: opts.seed, cacheDir: opts.cacheDir, onStage };
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
          const { mapping, plan } = withSources(sources, () => {
            const mapping = mapDesign(design);
            return { mapping, plan: planMemories(design, mapping) };
          });
          details = await verifyDesign(design, mapping, plan, options);
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
          `PASS: ${result.comparisons} comparisons, 0 mismatches (${details.cycles} cycles, ${details.timesteps} timesteps, ${result.seconds} s)`,
        );
      } else {
        printText(`FAIL: ${result.mismatches} of ${result.comparisons} comparisons differ; first divergence: ${describeMismatch(result.firstMismatch!)}`);
      }
      if (!opts.json) printText(coverageText(result.coverage));
      setStatus(result.pass ? EXIT.ok : EXIT.badInput);
    });
}
