// Every command registers here, one line each. A command module imports only commander, ../io, ../options and the
// like at its top; the phases it runs are imported inside its action (`await import(...)`), so starting imcc costs
// only what the command uses (test/cli/startup.test.ts checks the static import graph).
import type { Command } from 'commander';
import { registerMap } from './map.js';
import { registerReplicate } from './replicate.js';
import { registerMemory } from './memory.js';
import { registerSchedule } from './schedule.js';
import { registerDiff } from './diff.js';
import { registerGitSetup } from './gitSetup.js';
import { registerSimulate } from './simulate.js';
import { registerCheck } from './check.js';
import { registerFmt } from './fmt.js';
import { registerAnalyze } from './analyze.js';
import { registerInfer } from './infer.js';
import { registerCompile } from './compile.js';
import { registerVerify } from './verify.js';
import { registerOptimize } from './optimize.js';
import { registerImport } from './import.js';
import { registerEvaluate } from './evaluate.js';
import { registerReport } from './report.js';
import { registerLsp } from './lsp.js';

/** Commands report their exit status through `setStatus`; thrown DiagnosticErrors are handled by main. */
export type SetStatus = (code: number) => void;

export function registerCommands(program: Command, setStatus: SetStatus): void {
  void program;
  void setStatus;
  registerMap(program, setStatus);
  registerReplicate(program, setStatus);
  registerMemory(program, setStatus);
  registerSchedule(program, setStatus);
  registerDiff(program, setStatus);
  registerGitSetup(program, setStatus);
  registerSimulate(program, setStatus);
  registerCheck(program, setStatus);
  registerFmt(program, setStatus);
  registerAnalyze(program, setStatus);
  registerInfer(program, setStatus);
  registerCompile(program, setStatus);
  registerVerify(program, setStatus);
  registerOptimize(program, setStatus);
  registerImport(program, setStatus);
  registerEvaluate(program, setStatus);
  registerReport(program, setStatus);
  registerLsp(program, setStatus);
}
