// The collector of one run: every phase that checks source positions reports into it; the CLI prints its list.
import { diagnostic, type Diagnostic, type SourceSpan } from './diagnostics.js';
import type { DiagnosticArgs, DiagnosticCode } from './catalogue.js';

/** Anything with a source position (every AST node). */
export interface Located {
  span: SourceSpan;
}

/**
 * Collects diagnostics of one run. The same code at the same position is reported once, with the first message:
 * a block body is checked once per instance, and its errors would otherwise repeat for every instance.
 */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  /** Reports `code` at `at` with its template filled from `args` (severity from the catalogue). */
  report<C extends DiagnosticCode>(code: C, at: Located, args: DiagnosticArgs<C>): void {
    this.add(diagnostic(code, at.span, args));
  }
  add(d: Diagnostic): void {
    const key = `${d.code}:${d.span.file}:${d.span.line}:${d.span.column}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(d);
  }
}
