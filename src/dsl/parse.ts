// Source text -> AST plus every lexing and syntax diagnostic of the file.
import type { IToken } from 'chevrotain';
import { diagnostic, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import type { SourceFile } from './ast.js';
import { lex, MAX_NESTING, Name } from './lexer.js';
import { parseTokens } from './parser.js';
import { buildAst } from './visitor.js';

export interface ParsedSource {
  ast: SourceFile;
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** The codes of lexing and syntax errors: a later check on the same line would mostly echo the parser's recovery. */
export const SYNTAX_CODES: ReadonlySet<string> = new Set(['IMC001', 'IMC224', 'IMC002', 'IMC093']);

/** At most this many syntax errors per file: after that, recovery mostly reports echoes of the first ones. */
export const MAX_SYNTAX_ERRORS = 25;

function describeToken(t: IToken): string {
  const kind = t.tokenType?.name ?? 'EOF';
  if (kind === 'EOF') return 'end of file';
  if (kind === 'Newline') return 'end of line';
  const image = t.image.length > 30 ? t.image.slice(0, 30) + '...' : t.image;
  return `'${image}'`;
}

/**
 * Longest name (of a target, network, layer, block or parameter, and of a layer inside block instances): names become
 * parts of output file names (rtl/<network>_<core>_weights.mem, configs/crosssim/<layer>.json), which a file
 * system limits to 255 bytes; this leaves room for the longest suffix imcc adds.
 */
export const MAX_NAME_LENGTH = 200;

export function nameTooLong(name: string, span: SourceSpan): Diagnostic {
  return diagnostic('IMC041', span, { name: name.slice(0, 24), length: name.length, max: MAX_NAME_LENGTH });
}

/** The first '(' or '{' at the deepest nesting of the tokens (where IMC093 points when the parser ran out of stack). */
function deepestToken(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  let deepest = 0;
  let at: IToken | undefined;
  for (const t of tokens) {
    const kind = t.tokenType?.name;
    if (kind === 'LParen' || kind === 'LBrace') {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        at = t;
      }
    } else if ((kind === 'RParen' || kind === 'RBrace') && depth > 0) depth--;
  }
  return at;
}

export function parseSource(text: string, file: string): ParsedSource {
  const lexed = lex(text, file);
  const parsed = parseTokens(lexed.tokens);
  const diagnostics = [...lexed.diagnostics];
  const longNames = new Set<string>();
  for (const t of lexed.tokens) {
    // Reported where first written; its later uses would only repeat it.
    if (t.tokenType === Name && t.image.length > MAX_NAME_LENGTH && !longNames.has(t.image)) {
      longNames.add(t.image);
      diagnostics.push(nameTooLong(t.image, { file, line: t.startLine ?? 1, column: t.startColumn ?? 1, length: 80 }));
    }
  }
  const lastReal = lexed.tokens[lexed.tokens.length - 1];
  const seen = new Set<string>();
  // Tokens end where the lexer cut too deep a nesting (IMC093): errors from there on only echo the cut.
  const cut = lexed.diagnostics.some((d) => d.code === 'IMC093');
  // A parser out of stack (abandoned for depth) leaves errors of its unwinding, not of the text: only IMC093 is said.
  for (const e of parsed.abandoned === 'depth' ? [] : parsed.errors) {
    if (diagnostics.length - lexed.diagnostics.length >= MAX_SYNTAX_ERRORS) break;
    let t = e.token;
    if (cut && (!Number.isFinite(t.startOffset) || t.tokenType?.name === 'EOF')) continue;
    if (!Number.isFinite(t.startOffset) || t.tokenType?.name === 'EOF') {
      // End of file: point just after the last token (or at 1:1 in an empty file).
      const line = lastReal ? (lastReal.endLine ?? 1) : 1;
      const column = lastReal ? (lastReal.endColumn ?? 0) + 1 : 1;
      t = { ...t, startLine: line, startColumn: column, image: ' ' };
    }
    const span = { file, line: t.startLine ?? 1, column: t.startColumn ?? 1, length: Math.max(1, Math.min(t.image.length, 80)) };
    // One syntax error per line: the rest of a broken line is mostly recovery echoing the first.
    const key = `${span.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The parser's error message provider (syntaxExpected.ts) made the message the tokens the grammar allows here.
    diagnostics.push(diagnostic('IMC002', span, { expected: e.message, found: describeToken(e.token) }));
  }
  if (parsed.abandoned === 'depth') {
    // The lexer cuts nesting at MAX_NESTING; a parser that still runs out of stack had less of it than that needs.
    const at = deepestToken(lexed.tokens);
    diagnostics.push(diagnostic('IMC093', { file, line: at?.startLine ?? 1, column: at?.startColumn ?? 1, length: 1 }, { max: MAX_NESTING }));
  }
  const ast = parsed.cst ? buildAst(parsed.cst, file, text) : { file, declarations: [] };
  return { ast, comments: lexed.comments, diagnostics };
}
