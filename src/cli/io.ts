// Printing helpers shared by commands: JSON goes to stdout alone, diagnostics and progress to stderr.
import { formatJson } from '../support/json.js';
import { formatDiagnostic, sortDiagnostics, type Diagnostic, type SourceTexts, type ToolError } from '../diagnostics/index.js';

export function printJson(value: unknown): void {
  process.stdout.write(formatJson(value));
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceTexts): void {
  for (const d of sortDiagnostics(diagnostics)) process.stderr.write(formatDiagnostic(d, sources) + '\n');
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'}\n`);
}

/** A problem with files or options, in imcc's one format: `imcc: error IMCnnn: message`. */
export function reportError(err: ToolError): void {
  process.stderr.write(`imcc: error ${err.code}: ${err.message}\n`);
}
