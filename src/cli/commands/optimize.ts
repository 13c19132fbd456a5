// imcc optimize FILE [--cores N] [--objective O] [--strategy S] [--ignore-bandwidth] [--ragged] [--granularity G] [--batch N]
// [--json] [--write]:
// the replication optimizer's Pareto front and chosen mapping; --write puts the choice in FILE's mapping block.
import { Option, type Command } from 'commander';
import { printJson, printText } from '../io.js';
import { wholeNumber } from '../options.js';
import { OBJECTIVES, STRATEGIES, type Objective, type StrategyName } from '../../optimize/names.js';
import type { SetStatus } from './index.js';

export function registerOptimize(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('optimize')
    .description('choose every layer\'s replication for a core budget: the Pareto front (cores, images/s, latency, links) and the chosen mapping')
    .argument('<file>', 'the .imc design (network and target)')
    .option('--cores <n>', 'cores the mapping may use (default: the whole grid)', wholeNumber(1, 1_000_000))
    .addOption(new Option('--objective <o>', 'what the chosen point maximizes').choices([...OBJECTIVES]).default('throughput'))
    .addOption(new Option('--strategy <s>', "'pareto' (the optimizer) or a baseline: paper, balance, w0h0, uniform").choices([...STRATEGIES]).default('pareto'))
    .option('--ignore-bandwidth', "let links need more than the target's bandwidth (the report says so)")
    .option('--ragged', 'also search ragged method-2 blocks (replicas not a multiple of dW): a little faster ResNet-32, a slower search')
    .addOption(
      new Option('--granularity <g>', "timing model the search ranks by: 'pixel' (paper) or 'block' (the generated RTL's)")
        .choices(['pixel', 'block'])
        .default('pixel'),
    )
    .option('--batch <n>', 'images per batch for the throughput figure, as in simulate', wholeNumber(1, 100_000), 100)
    .option('--json', 'print the front and the chosen point as JSON (schemas/optimize.schema.json)')
    .option('--write', "rewrite FILE's mapping block with the chosen replication (through the formatter)")
    .action(
      async (
        file: string,
        opts: {
          cores?: number;
          objective: Objective;
          strategy: StrategyName;
          ignoreBandwidth?: boolean;
          ragged?: boolean;
          granularity: 'pixel' | 'block';
          batch: number;
          json?: boolean;
          write?: boolean;
        },
      ) => {
        const { loadDesignForCli, withSources } = await import('../design.js');
        const { formatOptimizeReport, optimizeDesign, optimizeJson, writeMapping } = await import('../../optimize/index.js');
        const { design, sources } = loadDesignForCli(file);
        const result = withSources(sources, () =>
          optimizeDesign(design, {
            strategy: opts.strategy,
            objective: opts.objective,
            budget: opts.cores,
            ignoreBandwidth: opts.ignoreBandwidth === true,
            batch: opts.batch,
            ragged: opts.ragged === true,
            granularity: opts.granularity,
          }),
        );
        // Built (and validated, which compiles the schema: a fifth of the run's CPU) only when printed.
        const json = opts.json ? optimizeJson(result) : undefined;
        if (opts.write) {
          const changed = writeMapping(file, design, result.chosen.layers);
          process.stderr.write(`${file}: ${changed ? 'mapping rewritten' : 'mapping already as chosen'}\n`);
        }
        if (json !== undefined) printJson(json);
        else printText(formatOptimizeReport(result, `${design.network.name} on ${design.target.name}`));
      },
    );
}
