// imcc simulate FILE [--batch N] [--json] [--trace FILE] [--sweep | --sweep-batch] [--granularity pixel|block]: the timestep
// simulation of the mapped dataflow (latency, interval, batch time, throughput, link bandwidth), its per-core trace,
// or Figure 10's sweeps (replication per stage, batch size) as CSV or JSON rows.
import { Option, type Command } from 'commander';
import { ToolError } from '../../diagnostics/index.js';
import { errnoReason, writeFileAtomic } from '../../support/files.js';
import { printDiagnostics, printJson, printText } from '../io.js';
import { wholeNumber } from '../options.js';
import { pathArgument } from '../paths.js';
import type { Granularity } from '../../dataflow/index.js';
import type { SetStatus } from './index.js';

const batchSize = wholeNumber(1, 100_000, 'a number of images');

/** Writes the whole file or nothing (src/support/files.ts: a symlink is written through, a device refused). */
function writeTrace(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (err) {
    throw new ToolError('IMC091', { path, reason: errnoReason(err) });
  }
}

export function registerSimulate(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('simulate')
    .description('simulate the pipelined dataflow timestep by timestep: latency, throughput, link bandwidth (eq. 7)')
    .argument('<file>', 'the .imc design (network and target)')
    .option('--batch <n>', 'images sent back to back (the paper quotes throughput for a batch of 100)', batchSize, 100)
    .option('--json', 'print the figures (or a sweep\'s rows) as JSON (schemas/simulate.schema.json, sweep.schema.json, sweep-batch.schema.json)')
    .option('--trace <file>', 'write a per-timestep, per-core activity trace to FILE', pathArgument)
    .addOption(new Option('--sweep', "print Figure 10's sweep as CSV: latency and throughput for 1, 2, 4 replicas per stage").conflicts('sweepBatch'))
    .option('--sweep-batch', 'print throughput against the batch size (1 to 1,000 images) as CSV, for the design\'s mapping')
    .addOption(
      new Option('--granularity <g>', "timing model: 'pixel' (paper) or 'block' (one crossbar operation per timestep)")
        .choices(['pixel', 'block'])
        .default('pixel'),
    )
    .action(async (file: string, opts: { batch: number; json?: boolean; trace?: string; sweep?: boolean; sweepBatch?: boolean; granularity: Granularity }) => {
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { mapDesign } = await import('../../mapping/index.js');
      const {
        formatDataflowReport,
        formatSweepCsv,
        formatTrace,
        simulateDataflow,
        simulateJson,
        sweepReplication,
        sweepJson,
        sweepBatches,
        formatBatchSweepCsv,
        batchSweepJson,
        validateSimulateJson,
      } = await import('../../dataflow/index.js');
      const { design, sources } = loadDesignForCli(file);
      if (opts.sweep) {
        const sweep = withSources(sources, () => sweepReplication(design, { batch: opts.batch, granularity: opts.granularity }));
        for (const s of sweep.skipped) process.stderr.write(`imcc: sweep: skipped replicas ${s.replicas.join('/')}: ${s.reason}\n`);
        if (opts.json) printJson(sweepJson(sweep));
        else printText(formatSweepCsv(sweep));
        return;
      }
      if (opts.sweepBatch) {
        const sweep = withSources(sources, () => sweepBatches(design));
        if (opts.json) printJson(batchSweepJson(sweep));
        else printText(formatBatchSweepCsv(sweep));
        return;
      }
      const mapping = withSources(sources, () => mapDesign(design));
      const result = simulateDataflow(design, mapping, {
        batch: opts.batch,
        granularity: opts.granularity,
        activity: opts.trace !== undefined,
      });
      const json = simulateJson(result, design);
      validateSimulateJson(json);
      const title = `${design.network.name} on ${design.target.name}`;
      if (opts.trace !== undefined) writeTrace(opts.trace, formatTrace(result, title));
      printDiagnostics(result.diagnostics, sources);
      if (opts.json) printJson(json);
      else {
        // The paper's pixel model under-counts what the generated RTL takes when a core computes a block of replicas.
        const rtl = opts.granularity === 'pixel' ? simulateDataflow(design, mapping, { batch: 1, granularity: 'block' }).latencyTimesteps : undefined;
        printText(formatDataflowReport(result, title, rtl));
      }
    });
}
