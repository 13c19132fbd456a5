// Formatting a source text or file: refuses text with syntax errors, and proves its own output parses back to
// the same AST before handing it out (a formatter bug must never rewrite a user's file into something else).
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { SourceFile } from './ast.js';
import { formatSource } from './format.js';
import { parseSource } from './parse.js';
import { errnoReason, readBoundedText } from '../support/files.js';

/** The AST without positions: what must not change when a file is formatted. */
export function astShape(ast: SourceFile): unknown {
  return JSON.parse(
    JSON.stringify(ast.declarations, (key, value: unknown) => (key === 'span' || key === 'start' || key === 'end' || key === 'endLine' ? undefined : value)),
  );
}

export interface FormatResult {
  /** Null when the text has syntax errors (then `diagnostics` says why). */
  formatted: string | null;
  original: string;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export function formatText(text: string, file: string): FormatResult {
  const sources = new Map([[file, text]]);
  const parsed = parseSource(text, file);
  if (parsed.diagnostics.length > 0) return { formatted: null, original: text, diagnostics: parsed.diagnostics, sources };
  if (parsed.ast.declarations.length === 0) {
    const empty = diagnostic('IMC039', { file, line: 1, column: 1, length: 1 }, { file });
    return { formatted: null, original: text, diagnostics: [empty], sources };
  }
  const formatted = formatSource(parsed.ast, text, parsed.comments);
  const again = parseSource(formatted, file);
  if (again.diagnostics.length > 0 || JSON.stringify(astShape(again.ast)) !== JSON.stringify(astShape(parsed.ast))) {
    throw new Error(`the formatter changed the meaning of ${file}`);
  }
  return { formatted, original: text, diagnostics: [], sources };
}

export const MAX_FORMAT_BYTES = 4_000_000;

export function formatFile(file: string): FormatResult {
  let text: string;
  try {
    text = readBoundedText(file, MAX_FORMAT_BYTES);
  } catch (err) {
    const why = errnoReason(err);
    return {
      formatted: null,
      original: '',
      diagnostics: [diagnostic('IMC003', { file, line: 1, column: 1, length: 1 }, { file, reason: why })],
      sources: new Map(),
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return formatText(text, file);
}
