// imcc analyze FILE [--samples K] [--seed S] [--json]: the mapped network through the analog crossbar model
// (src/reference/analog) against the exact integer reference.
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import { seedOption, wholeNumber } from '../options.js';
import type { SetStatus } from './index.js';

export function registerAnalyze(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('analyze')
    .description('run the mapped network through the analog crossbar model (device noise, variation, source/neuron/wire resistance) and compare with the exact integer reference')
    .argument('<file>', 'the .imc design (network and target; the target crossbar may have a device block)')
    .option('--samples <K>', 'number of seeded input images', wholeNumber(1), 4)
    .option(seedOption.flags, 'seed of the input images, programming error and read noise', seedOption.parse, seedOption.default)
    .option('--json', 'print the analysis as JSON (schemas/analyze.schema.json)')
    .action(async (file: string, opts: { samples: number; seed: number; json?: boolean }) => {
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { mapDesign } = await import('../../mapping/index.js');
      const { analyzeAnalog } = await import('../../reference/analog/analyze.js');
      const { analysisReport } = await import('../../reference/analog/report.js');
      const { validateJson } = await import('../../support/schema.js');
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
