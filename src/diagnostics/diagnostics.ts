// Positioned diagnostics shared by every phase. A phase that finds bad input returns or throws
// `Diagnostic`s; only the CLI prints them (with `formatDiagnostic`) and picks the exit status.
import { catalogueEntry, diagnosticMessage, isDiagnosticCode, type DiagnosticArgs, type DiagnosticCode, type Severity } from './catalogue.js';

export interface SourceSpan {
  /** Path as the user gave it (relative paths stay relative, so output is machine independent). */
  file: string;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
  /** Length in characters on the first line (>= 1), for the caret underline. */
  length: number;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: SourceSpan;
}

/** Thrown by any phase for bad input; carries every diagnostic found, never a stack trace for the user. */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];
  /** Source texts for quoting lines; phases after the language may leave it empty (the CLI fills it in). */
  readonly sources: SourceTexts;
  constructor(diagnostics: Diagnostic[], sources: SourceTexts = new Map()) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
    this.sources = sources;
  }
}

/** A diagnostic of `code` at `span`: its message is the code's template filled with `args`, its severity the code's. */
export function diagnostic<C extends DiagnosticCode>(code: C, span: SourceSpan, args: DiagnosticArgs<C>): Diagnostic {
  if (!isDiagnosticCode(code)) throw new Error(`unregistered or retired diagnostic code ${code}`);
  return { code, severity: catalogueEntry(code).severity, message: diagnosticMessage(code, args), span };
}

/** Source texts by file path, so diagnostics can quote the offending line. */
export type SourceTexts = ReadonlyMap<string, string>;

/**
 * `file:line:col: error IMC0nn: message`, then the source line and a caret under the column.
 * Non-printable characters in the quoted line are shown as `?` so binary input cannot garble a terminal.
 */
export function formatDiagnostic(d: Diagnostic, sources: SourceTexts): string {
  const head = `${d.span.file}:${d.span.line}:${d.span.column}: ${d.severity} ${d.code}: ${d.message}`;
  const text = sources.get(d.span.file);
  if (text === undefined) return head;
  const lines = text.split(/\r\n?|\n/);
  const raw = lines[d.span.line - 1];
  if (raw === undefined) return head;
  const shown = raw.replace(/\t/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  const clipped = shown.length > 200 ? shown.slice(0, 200) + '...' : shown;
  const col = Math.max(1, Math.min(d.span.column, clipped.length + 1));
  const len = Math.max(1, Math.min(d.span.length, clipped.length - col + 1));
  return `${head}\n  ${clipped}\n  ${' '.repeat(col - 1)}${'^'.repeat(len)}`;
}

/** Stable order: by file, line, column, then code, so output is deterministic. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.line - b.span.line ||
      a.span.column - b.span.column ||
      a.code.localeCompare(b.code),
  );
}

/**
 * An error about files or directories rather than a position in the source (an output directory that is not an
 * imcc output, an unreadable input). Printed as `imcc: error IMCnnn: message`, exit status 1.
 */
export class ToolError<C extends DiagnosticCode = DiagnosticCode> extends Error {
  readonly code: DiagnosticCode;
  constructor(code: C, args: DiagnosticArgs<C>) {
    super(diagnosticMessage(code, args));
    this.name = 'ToolError';
    this.code = code;
  }
}
