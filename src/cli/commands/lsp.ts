// imcc lsp: the .imc language server over stdio (docs/editors.md). Its code is loaded only for this command.
import type { Command } from 'commander';
import type { SetStatus } from './index.js';

export function registerLsp(program: Command, setStatus: SetStatus): void {
  program
    .command('lsp')
    .description('run the .imc language server over stdio (diagnostics, hover, go to definition, completion, formatting)')
    .option('--stdio', 'talk LSP on stdin/stdout (the default and only transport; accepted because editors pass it)')
    .action(async () => {
      const { serveStdio } = await import('../../lsp/server.js');
      serveStdio();
      // The server runs until the client sends exit; main must not end the process before.
      await new Promise<void>((resolve) => process.stdin.on('close', resolve));
      setStatus(0);
    });
}
