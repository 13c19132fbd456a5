// The imcc command line: a thin shell over the phases. Each command lives in ./commands/<name>.ts and
// registers itself on the commander program; this file owns exit statuses and error handling only.
import { Command, CommanderError } from 'commander';
import { DiagnosticError, ToolError } from '../diagnostics/index.js';
import { printDiagnostics, reportError } from './io.js';
import { UsageError, usageDiagnostic } from './usage.js';
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

/** Printed after a usage error, as commander's showHelpAfterError would. */
const USAGE_HINT = '(run with --help for usage)\n';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let status: number = EXIT.ok;
  program
    .name('imcc')
    .description('Compiler for in-memory-computing CNN accelerators (crossbar tiles, input memories, dataflow, RTL)')
    .version(IMCC_VERSION)
    .exitOverride()
    // Usage errors are printed from the CommanderError main catches, which has commander's error code (usage.ts).
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });
  registerCommands(program, (code) => {
    status = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (caught) {
    let err = caught;
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; anything else is bad usage.
      if (err.exitCode === 0) return EXIT.ok;
      try {
        const usage = usageDiagnostic(err);
        if (usage) {
          reportError(usage);
          process.stderr.write(USAGE_HINT);
        }
        return EXIT.usage;
      } catch (unrecognised) {
        err = unrecognised;
      }
    }
    if (err instanceof DiagnosticError) {
      printDiagnostics(err.diagnostics, err.sources);
      return EXIT.badInput;
    }
    if (err instanceof UsageError) {
      reportError(err);
      process.stderr.write(USAGE_HINT);
      return EXIT.usage;
    }
    if (err instanceof ToolError) {
      reportError(err);
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
