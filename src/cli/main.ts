// The imcc command line: a thin shell over the phases. Each command lives in ./commands/<name>.ts and
// registers itself on the commander program; this file owns exit statuses and error handling only.
import { Command, CommanderError } from 'commander';
import { DiagnosticError, ToolError } from '../diagnostics/index.js';
import { printDiagnostics } from './io.js';
import { EXIT } from './exit.js';
import { IMCC_VERSION } from './version.js';
import { registerCommands } from './commands/index.js';

export { enableSignalCleanup } from '../support/files.js';

/**
 * For the process entry only: when the reader of stdout goes away (`imcc map --json | head`), stop quietly as other
 * command-line tools do, instead of dying on an unhandled EPIPE with a stack trace.
 */
export function installStdoutGuard(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Commander's usage errors in imcc's one error format: `imcc: error IMC142: ...`. */
export function usageError(text: string): string {
  return text.replace(/^(?:error: )+/, 'imcc: error IMC142: ');
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let status: number = EXIT.ok;
  program
    .name('imcc')
    .description('Compiler for in-memory-computing CNN accelerators (crossbar tiles, input memories, dataflow, RTL)')
    .version(IMCC_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(usageError(s)) });
  registerCommands(program, (code) => {
    status = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; anything else is bad usage.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof DiagnosticError) {
      printDiagnostics(err.diagnostics, err.sources);
      return EXIT.badInput;
    }
    if (err instanceof ToolError) {
      process.stderr.write(`imcc: error ${err.code}: ${err.message}\n`);
      return EXIT.badInput;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `imcc: internal error: ${message}\n` +
        'This is a bug in imcc, not in your input. Please report it with the command line and input file.\n',
    );
    if (process.env.IMCC_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return EXIT.internal;
  }
}
