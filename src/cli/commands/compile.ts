// imcc compile FILE -o DIR [--json] [--neurosim-run DIR]: every output of a design, written atomically (see
// src/emit/output.ts); with --neurosim-run, NeuroSim runs before anything is written and its figures join the report.
import type { Command } from 'commander';
import { printDiagnostics, printJson, printText } from '../io.js';
import { EXIT } from '../exit.js';
import { pathArgument } from '../paths.js';
import { groupDigits } from '../../support/format.js';
import { IMCC_VERSION } from '../version.js';
import type { SetStatus } from './index.js';

export function registerCompile(program: Command, setStatus: SetStatus): void {
  program
    .command('compile')
    .description(
      'compile a design: mapping.json, schedules/, rtl/, tb/, configs/, design.ts, report.txt, report.html and the source, written atomically to DIR',
    )
    .argument('<file>', 'the .imc design')
    .requiredOption('-o, --output <dir>', 'output directory (created or replaced; never a directory that is not an imcc output)', pathArgument)
    .option('--neurosim-traces', "also write NeuroSim's input trace CSVs (large: every input vector of every layer)")
    .option(
      '--neurosim-run <dir>',
      "build and run DNN+NeuroSim V1.4 (its NeuroSIM folder) on the design and add its area, latency and energy per image to report.txt and --json (implies --neurosim-traces)",
    )
    .option('--json', 'print a summary as JSON (schemas/compile.schema.json)')
    .action(async (file: string, opts: { output: string; json?: boolean; neurosimTraces?: boolean; neurosimRun?: string }) => {
      // Refuse a foreign output directory before any work (a ResNet-32 compile takes seconds).
      const { checkOutputDirectory, writeOutputDirectory } = await import('../../emit/output.js');
      checkOutputDirectory(opts.output);
      const { validateJson } = await import('../../support/schema.js');
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { compileDesign, REPORT_BATCH } = await import('../../pipeline/compile.js');
      const { design, sources, warnings } = loadDesignForCli(file);
      const neurosimTraces = opts.neurosimTraces === true || opts.neurosimRun !== undefined;
      const result = withSources(sources, () => compileDesign({ design, sources, version: IMCC_VERSION, neurosimTraces, warnings }));
      let files = result.files;
      let neurosim: import('../../verify/neurosim.js').NeuroSimFigures | undefined;
      if (opts.neurosimRun !== undefined) {
        const { runNeuroSimOnFiles, withNeuroSimReport } = await import('../../verify/neurosim.js');
        const { neurosimSetupFor } = await import('../../emit/configs/index.js');
        neurosim = await runNeuroSimOnFiles(files, opts.neurosimRun, neurosimSetupFor(design, result.mapping));
        files = withNeuroSimReport(files, neurosim);
      }
      withSources(sources, () => writeOutputDirectory(opts.output, files));
      printDiagnostics(result.warnings, sources);
      const summary = {
        output: opts.output,
        network: design.network.name,
        target: design.target.name,
        files: files.length,
        cores: result.mapping.cores.length,
        latencyTimesteps: result.dataflow.latencyTimesteps,
        batch: REPORT_BATCH,
        throughputImagesPerSecond: result.dataflow.throughputImagesPerSecond,
        ...(neurosim ? { neurosim } : {}),
      };
      if (opts.json) {
        validateJson('compile', summary);
        printJson(summary);
      } else {
        printText(
          `compiled ${design.network.name} on ${design.target.name}: ${groupDigits(summary.cores)} cores, ` +
            `latency ${groupDigits(summary.latencyTimesteps)} timesteps; ${groupDigits(summary.files)} files in ${opts.output}`,
        );
        if (neurosim) {
          printText(
            `NeuroSim: chip area ${(neurosim.areaUm2 / 1e6).toPrecision(4)} mm^2, ${(neurosim.latencyNs / 1e3).toPrecision(4)} us and ` +
              `${(neurosim.energyPj / 1e3).toPrecision(4)} nJ per image (report.txt)`,
          );
        }
      }
      setStatus(EXIT.ok);
    });
}
