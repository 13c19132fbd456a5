// imcc analyze FILE [--samples K] [--seed S] [--json]: the mapped network through the analog crossbar model
// (src/reference/analog) against the exact integer reference.
import { type Command, InvalidArgumentError } from 'commander';
import { loadDesignForCli, withSources } from '../design.js';
import { printJson, printText } from '../io.js';
import { mapDesign } from '../../mapping/index.js';
import { analyzeAnalog } from '../../reference/analog/analyze.js';
import { analysisReport } from '../../reference/analog/report.js';
import { validateJson } from '../../support/schema.js';
import type { SetStatus } from './index.js';

function wholeNumber(min: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    }
    return Number(value);
  };
}

export function registerAnalyze(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('analyze')
    .description('run the mapped network through the analog crossbar model (device noise, variation, source/neuron/wire resistance) and compare with the exact integer reference')
    .argument('<file>', 'the .imc design (network and target; the target crossbar may have a device block)')
    .option('--samples <K>', 'number of seeded input images', wholeNumber(1), 4)
    .option('--seed <S>', 'seed of the input images, programming error and read noise', wholeNumber(0), 1)
    .option('--json', 'print the analysis as JSON (schemas/analyze.schema.json)')
    .action((file: string, opts: { samples: number; seed: number; json?: boolean }) => {
      const { design, sources } = loadDesignForCli(file);
      const analysis = withSources(sources, () => {
        const mapping = mapDesign(design);
        return analyzeAnalog(design, mapping, { samples: opts.samples, seed: opts.seed });
      });
      if (opts.json) {
        validateJson('analyze', analysis);
        printJson(analysis);
        return;
      }
      printText(analysisReport(analysis));
    });
}
