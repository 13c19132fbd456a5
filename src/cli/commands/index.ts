// Every command registers here, one line each.
import type { Command } from 'commander';

/** Commands report their exit status through `setStatus`; thrown DiagnosticErrors are handled by main. */
export type SetStatus = (code: number) => void;

export function registerCommands(program: Command, setStatus: SetStatus): void {
  void program;
  void setStatus;
}
