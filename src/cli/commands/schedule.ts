// imcc schedule FILE [--core NAME] [--json]: Algorithm 2's input-memory address schedule of every core (or one).
import type { Command } from 'commander';
import { DiagnosticError, ToolError } from '../../diagnostics/index.js';
import { printJson } from '../io.js';
import type { SetStatus } from './index.js';

export function registerSchedule(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('schedule')
    .description("print the input-memory address schedule (Algorithm 2) of each core, in the .sched format")
    .argument('<file>', 'the .imc design (network and target)')
    .option('--core <name>', 'only this core (c00, c01, ...)')
    .option('--json', 'print the schedules as JSON (schemas/schedule.schema.json)')
    .action(async (file: string, opts: { core?: string; json?: boolean }) => {
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { createProgram } = await import('../../pipeline/program.js');
      const { coreSchedule, coreStreamedSchedule } = await import('../../memory/index.js');
      const { schedulesJson, streamScheduleText } = await import('../../memory/scheduleFile.js');
      const { wholeScheduleDiagnostic } = await import('../../emit/limits.js');
      const { design, sources } = loadDesignForCli(file);
      // JSON is built whole; the text is streamed, chunk by chunk (copied: stdout may write it later), and needs no bound.
      const tooLarge = opts.json ? wholeScheduleDiagnostic(design) : undefined;
      if (tooLarge) throw new DiagnosticError([tooLarge], sources);
      // The Program's plan: the rings of cores that wait for a residual shortcut are sized by the dataflow's timing.
      const plan = withSources(sources, () => createProgram(design).memory);
      const ids = plan.cores.map((c) => c.core);
      if (opts.core !== undefined && !ids.includes(opts.core)) {
        throw new ToolError('IMC073', { core: opts.core, file, ids: ids.join(', ') });
      }
      const chosen = opts.core !== undefined ? [opts.core] : ids;
      if (opts.json) printJson(schedulesJson(chosen.map((id) => coreSchedule(plan, id))));
      else for (const id of chosen) streamScheduleText(coreStreamedSchedule(plan, id), (chunk) => process.stdout.write(Buffer.from(chunk)));
    });
}
