// Loading a design for a command: diagnostics from the language, and from any later phase, are printed with the
// quoted source lines, and the command exits with EXIT.badInput.
import { DiagnosticError, type Diagnostic, type SourceTexts } from '../diagnostics/index.js';
import type { IrDesign } from '../ir/types.js';
import { loadDesign } from '../ir/load.js';
import { applyOptimizeDirective } from '../optimize/index.js';

export interface LoadedDesign {
  design: IrDesign;
  sources: SourceTexts;
  /** The language's warnings (a layer computed but never used): compile prints them and carries them into report.txt. */
  warnings: Diagnostic[];
}

/** Loads FILE or throws DiagnosticError (with sources) for main to print. */
export function loadDesignForCli(file: string): LoadedDesign {
  const result = loadDesign(file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.design === null || errors.length > 0) throw new DiagnosticError(result.diagnostics, result.sources);
  const design = result.design;
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  return { design: withSources(result.sources, () => applyOptimizeDirective(design)), sources: result.sources, warnings };
}

/** Runs a phase; a DiagnosticError it throws gets the design's sources so lines can be quoted. */
export function withSources<T>(sources: SourceTexts, phase: () => T): T {
  try {
    return phase();
  } catch (err) {
    if (err instanceof DiagnosticError && err.sources.size === 0) throw new DiagnosticError(err.diagnostics, sources);
    throw err;
  }
}
