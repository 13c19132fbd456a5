// imcc fmt FILE [--write]: prints FILE in canonical form, or rewrites it in place (only when it changes).
import type { Command } from 'commander';
import { DiagnosticError, diagnostic } from '../../dsl/diagnostics.js';
import { formatFile } from '../../dsl/fmt-file.js';
import { printText } from '../io.js';
import { errnoReason, writeFileAtomic } from '../../support/files.js';
import type { SetStatus } from './index.js';

export function registerFmt(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('fmt')
    .description('print a .imc file in canonical form (idempotent; comments kept); --write rewrites the file')
    .argument('<file>', 'the .imc file')
    .option('--write', 'rewrite FILE in place instead of printing it (untouched when already canonical)')
    .action((file: string, opts: { write?: boolean }) => {
      const result = formatFile(file);
      if (result.formatted === null) throw new DiagnosticError(result.diagnostics, result.sources);
      if (!opts.write) {
        process.stdout.write(result.formatted);
        return;
      }
      if (result.formatted === result.original) {
        printText(`${file}: already formatted`);
        return;
      }
      // Atomic, mode kept; a symlink is written through (the file it names is formatted, the link stays).
      try {
        writeFileAtomic(file, result.formatted);
      } catch (err) {
        const why = errnoReason(err);
        throw new DiagnosticError([diagnostic('IMC036', { file, line: 1, column: 1, length: 1 }, `cannot write ${file}: ${why}`)]);
      }
      printText(`${file}: formatted`);
    });
}
