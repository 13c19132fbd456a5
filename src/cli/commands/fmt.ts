// imcc fmt FILE [--write | --check]: prints FILE in canonical form, rewrites it in place (only when it changes), or
// checks it (exit 1 when it is not canonical, for CI and pre-commit hooks).
import { Option, type Command } from 'commander';
import { DiagnosticError, diagnostic } from '../../diagnostics/index.js';
import { printText } from '../io.js';
import { EXIT } from '../exit.js';
import { errnoReason, writeFileAtomic } from '../../support/files.js';
import type { SetStatus } from './index.js';

export function registerFmt(program: Command, setStatus: SetStatus): void {
  program
    .command('fmt')
    .description('print a .imc file in canonical form (idempotent; comments kept); --write rewrites the file')
    .argument('<file>', 'the .imc file')
    .option('--write', 'rewrite FILE in place instead of printing it (untouched when already canonical)')
    .addOption(new Option('--check', 'print nothing; exit 1 (and name FILE on stderr) when FILE is not in canonical form').conflicts('write'))
    .action(async (file: string, opts: { write?: boolean; check?: boolean }) => {
      const { formatFile } = await import('../../dsl/fmt-file.js');
      const result = formatFile(file);
      if (result.formatted === null) throw new DiagnosticError(result.diagnostics, result.sources);
      if (opts.check) {
        if (result.formatted !== result.original) {
          process.stderr.write(`${file}: not in canonical form (imcc fmt --write ${file} rewrites it)\n`);
          setStatus(EXIT.badInput);
        }
        return;
      }
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
        throw new DiagnosticError([diagnostic('IMC036', { file, line: 1, column: 1, length: 1 }, { file, why })]);
      }
      printText(`${file}: formatted`);
    });
}
