// imcc check FILE [--json]: parses and checks a .imc file and its imports; prints a short summary or diagnostics.
import type { Command } from 'commander';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../../diagnostics/index.js';
import { printDiagnostics, printJson, printText } from '../io.js';
import { EXIT } from '../exit.js';
import type { SetStatus } from './index.js';

export function registerCheck(program: Command, setStatus: SetStatus): void {
  program
    .command('check')
    .description('parse and check a .imc file (and its imports); print a summary of the network and target')
    .argument('<file>', 'the .imc file (a design, or a file of targets)')
    .option('--json', 'print the result as JSON (schemas/check.schema.json), diagnostics included')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadProgram } = await import('../../ir/load.js');
      const { networkSummary, networkSummaryLines, targetSummaryLine } = await import('../../ir/summary.js');
      const { validateJson } = await import('../../support/schema.js');
      const result = loadProgram(file);
      const diagnostics: Diagnostic[] = [...result.diagnostics];
      const entry = result.files[0];
      const declaresSomething = entry?.declarations.some((d) => d.kind !== 'import') ?? false;
      if (entry && !declaresSomething && !diagnostics.some((d) => d.severity === 'error')) {
        diagnostics.push(diagnostic('IMC212', { file: entry.file, line: 1, column: 1, length: 1 }, { file: entry.file, detail: ' and no target' }));
      }
      const ok = !diagnostics.some((d) => d.severity === 'error');
      const design = ok ? result.check.design : null;
      const targets = [...result.check.targets.values()].sort((a, b) => a.name.localeCompare(b.name));
      if (opts.json) {
        const json = {
          ok,
          files: [...result.sources.keys()],
          diagnostics: sortDiagnostics(diagnostics).map((d) => ({
            file: d.span.file,
            line: d.span.line,
            column: d.span.column,
            severity: d.severity,
            code: d.code,
            message: d.message,
          })),
          ...(design ? { network: { ...networkSummary(design.network), target: design.target.name } } : {}),
          targets: ok
            ? targets.map((t) => ({
                name: t.name,
                tileRows: t.crossbar.rows,
                tileCols: t.crossbar.cols,
                gridRows: t.grid.rows,
                gridCols: t.grid.cols,
                timestepNs: t.controller.timestepNs,
              }))
            : [],
        };
        validateJson('check', json);
        printJson(json);
        if (!ok) setStatus(EXIT.badInput);
        return;
      }
      if (!ok) {
        printDiagnostics(diagnostics, result.sources);
        setStatus(EXIT.badInput);
        return;
      }
      if (diagnostics.length > 0) printDiagnostics(diagnostics, result.sources);
      const lines = [`${file}: ok`];
      if (design) lines.push(...networkSummaryLines(design));
      for (const t of targets) lines.push(targetSummaryLine(t));
      lines.push(`files: ${[...result.sources.keys()].join(', ')}`);
      printText(lines.join('\n'));
    });
}
