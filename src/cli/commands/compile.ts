// imcc compile FILE -o DIR [--json]: every output of a design, written atomically (see src/emit/output.ts).
import type { Command } from 'commander';
import { validateJson } from '../../support/schema.js';
import { loadDesignForCli, withSources } from '../design.js';
import { printDiagnostics, printJson, printText } from '../io.js';
import { EXIT } from '../exit.js';
import { IMCC_VERSION } from '../version.js';
import type { SetStatus } from './index.js';

export function registerCompile(program: Command, setStatus: SetStatus): void {
  program
    .command('compile')
    .description(
      'compile a design: mapping.json, schedules/, rtl/, tb/, configs/, design.ts, report.txt, report.html and the source, written atomically to DIR',
    )
    .argument('<file>', 'the .imc design')
    .requiredOption('-o, --output <dir>', 'output directory (created or replaced; never a directory that is not an imcc output)')
    .option('--neurosim-traces', "also write NeuroSim's input trace CSVs (large: every input vector of every layer)")
    .option('--json', 'print a summary as JSON (schemas/compile.schema.json)')
    .action(async (file: string, opts: { output: string; json?: boolean; neurosimTraces?: boolean }) => {
      // Loaded on demand: the emit phase pulls in ts-morph, which other commands should not pay for at startup.
      const { compileDesign, REPORT_BATCH } = await import('../../emit/compile.js');
      const { writeOutputDirectory } = await import('../../emit/output.js');
      const { design, sources } = loadDesignForCli(file);
      const result = withSources(sources, () => compileDesign({ design, sources, version: IMCC_VERSION, neurosimTraces: opts.neurosimTraces === true }));
      withSources(sources, () => writeOutputDirectory(opts.output, result.files));
      printDiagnostics(result.warnings, sources);
      const summary = {
        output: opts.output,
        network: design.network.name,
        target: design.target.name,
        files: result.files.length,
        cores: result.mapping.cores.length,
        latencyTimesteps: result.dataflow.latencyTimesteps,
        batch: REPORT_BATCH,
        throughputImagesPerSecond: result.dataflow.throughputImagesPerSecond,
      };
      if (opts.json) {
        validateJson('compile', summary);
        printJson(summary);
      } else {
        printText(
          `compiled ${design.network.name} on ${design.target.name}: ${summary.cores} cores, ` +
            `latency ${summary.latencyTimesteps} timesteps; ${summary.files} files in ${opts.output}`,
        );
      }
      setStatus(EXIT.ok);
    });
}
