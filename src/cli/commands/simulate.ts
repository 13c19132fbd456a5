// imcc simulate FILE [--batch N] [--json] [--trace FILE] [--sweep] [--granularity pixel|block]: the timestep
// simulation of the mapped dataflow (latency, interval, batch time, throughput, link bandwidth), its per-core trace,
// or Figure 10's replication sweep as CSV.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ToolError } from '../../dsl/diagnostics.js';
import { errnoReason, writeFileAtomic } from '../../support/files.js';
import { loadDesignForCli, withSources } from '../design.js';
import { printDiagnostics, printJson, printText } from '../io.js';
import { pathArgument } from '../paths.js';
import { mapDesign } from '../../mapping/index.js';
import {
  formatDataflowReport,
  formatSweepCsv,
  formatTrace,
  simulateDataflow,
  simulateJson,
  sweepReplication,
  validateSimulateJson,
  type Granularity,
} from '../../dataflow/index.js';
import type { SetStatus } from './index.js';

function batchSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 100_000) {
    throw new InvalidArgumentError('expected a whole number of images from 1 to 100000');
  }
  return n;
}

/** Writes the whole file or nothing (src/support/files.ts: a symlink is written through, a device refused). */
function writeTrace(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (err) {
    throw new ToolError('IMC091', `cannot write the trace file '${path}' (${errnoReason(err)})`);
  }
}

export function registerSimulate(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('simulate')
    .description('simulate the pipelined dataflow timestep by timestep: latency, throughput, link bandwidth (eq. 7)')
    .argument('<file>', 'the .imc design (network and target)')
    .option('--batch <n>', 'images sent back to back (the paper quotes throughput for a batch of 100)', batchSize, 100)
    .addOption(new Option('--json', 'print the figures as JSON (schemas/simulate.schema.json)').conflicts('sweep'))
    .option('--trace <file>', 'write a per-timestep, per-core activity trace to FILE', pathArgument)
    .option('--sweep', "print Figure 10's sweep as CSV: latency and throughput for 1, 2, 4 replicas per stage")
    .addOption(
      new Option('--granularity <g>', "timing model: 'pixel' (paper) or 'block' (one crossbar operation per timestep)")
        .choices(['pixel', 'block'])
        .default('pixel'),
    )
    .action((file: string, opts: { batch: number; json?: boolean; trace?: string; sweep?: boolean; granularity: Granularity }) => {
      const { design, sources } = loadDesignForCli(file);
      if (opts.sweep) {
        const sweep = withSources(sources, () => sweepReplication(design, { batch: opts.batch, granularity: opts.granularity }));
        for (const s of sweep.skipped) process.stderr.write(`imcc: sweep: skipped replicas ${s.replicas.join('/')}: ${s.reason}\n`);
        printText(formatSweepCsv(sweep));
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
      else printText(formatDataflowReport(result, title));
    });
}
