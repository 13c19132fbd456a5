// The package's programmatic API (`import { compile } from 'imcc'`): what the CLI does, as functions. Errors in the
// input are thrown as DiagnosticError (format them with formatDiagnostic) or ToolError (code and message).
import { DiagnosticError, type Diagnostic } from './diagnostics/index.js';
import { loadDesign } from './ir/load.js';
import type { IrDesign } from './ir/types.js';
import { compileDesign, type CompileResult } from './pipeline/compile.js';
import { checkOutputDirectory, writeOutputDirectory } from './emit/output.js';
import { IMCC_VERSION } from './cli/version.js';

export { IMCC_VERSION as version };
export { DiagnosticError, ToolError, formatDiagnostic, type Diagnostic } from './diagnostics/index.js';
export { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostics/index.js';
export { loadDesign, type LoadResult } from './ir/load.js';
export type { IrDesign } from './ir/types.js';
export { mapDesign } from './mapping/index.js';
export { planMemories, coreSchedule } from './memory/index.js';
export { simulateDataflow } from './dataflow/index.js';
export { referenceInference } from './reference/index.js';
export { compileDesign, type CompileResult } from './pipeline/compile.js';
export { createProgram, type Program } from './pipeline/program.js';
export type { OutputFile } from './emit/output.js';
export { renderSchedule } from './memory/scheduleFile.js';
export { compareScheduleSets, formatScheduleDiff, type ScheduleDiff } from './diff/scheduleDiff.js';

export interface CompileOptions {
  /** Write the output directory here (created or replaced; never a directory that is not an imcc output). */
  output?: string;
  /** Also produce NeuroSim's input trace CSVs (large). */
  neurosimTraces?: boolean;
}

/** Loads the design in `file` or throws DiagnosticError. */
export function loadDesignOrThrow(file: string): { design: IrDesign; sources: ReadonlyMap<string, string>; warnings: Diagnostic[] } {
  const loaded = loadDesign(file);
  if (loaded.design === null) throw new DiagnosticError(loaded.diagnostics, loaded.sources);
  return { design: loaded.design, sources: loaded.sources, warnings: loaded.diagnostics.filter((d) => d.severity === 'warning') };
}

/** `imcc compile FILE -o DIR` as a function: every output file in memory, written to `options.output` when given. */
export function compile(file: string, options: CompileOptions = {}): CompileResult {
  if (options.output !== undefined) checkOutputDirectory(options.output);
  const { design, sources, warnings } = loadDesignOrThrow(file);
  const result = compileDesign({ design, sources, version: IMCC_VERSION, neurosimTraces: options.neurosimTraces === true, warnings });
  if (options.output !== undefined) writeOutputDirectory(options.output, result.files);
  return result;
}
