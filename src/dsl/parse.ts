// Source text -> AST plus every lexing and syntax diagnostic of the file.
import type { IRecognitionException, IToken } from 'chevrotain';
import { diagnostic, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import type { SourceFile } from './ast.js';
import { lex, Name } from './lexer.js';
import { parseTokens } from './parser.js';
import { buildAst } from './visitor.js';

export interface ParsedSource {
  ast: SourceFile;
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** At most this many syntax errors per file: after that, recovery mostly reports echoes of the first ones. */
export const MAX_SYNTAX_ERRORS = 25;

const TOKEN_WORDS: Record<string, string> = {
  Name: 'a name',
  NumberLit: 'a number',
  Quantity: 'a number with a unit',
  Dims: 'dimensions like 3x3',
  StringLit: 'a string',
  LBrace: "'{'",
  RBrace: "'}'",
  LParen: "'('",
  RParen: "')'",
  Comma: "','",
  Colon: "':'",
  Equals: "'='",
  Minus: "'-'",
  Semicolon: "';'",
  Newline: 'end of line',
  EOF: 'end of file',
  Import: "'import'",
  Target: "'target'",
  Network: "'network'",
  On: "'on'",
  Extends: "'extends'",
  Block: "'block'",
  Return: "'return'",
};

function describeToken(t: IToken): string {
  const kind = t.tokenType?.name ?? 'EOF';
  if (kind === 'EOF') return 'end of file';
  if (kind === 'Newline') return 'end of line';
  const image = t.image.length > 30 ? t.image.slice(0, 30) + '...' : t.image;
  return `'${image}'`;
}

function syntaxMessage(e: IRecognitionException): string {
  const found = describeToken(e.token);
  if (e.name === 'MismatchedTokenException') {
    const m = /-->\s*(\w+)\s*<--/.exec(e.message);
    // Inside a call or a parameter list a missing ')' is as often a missing ','.
    const expected = m ? (m[1] === 'RParen' ? "',' or ')'" : (TOKEN_WORDS[m[1]] ?? m[1])) : 'something else';
    return `expected ${expected} but found ${found}`;
  }
  if (e.name === 'NotAllInputParsedException') return `unexpected ${found}: expected 'import', 'target' or 'network'`;
  if (e.name === 'EarlyExitException') return `unexpected ${found}: expected a value`;
  return `unexpected ${found}`;
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
  for (const e of parsed.errors) {
    if (diagnostics.length - lexed.diagnostics.length >= MAX_SYNTAX_ERRORS) break;
    let t = e.token;
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
    diagnostics.push(diagnostic('IMC002', span, { message: syntaxMessage(e) }));
  }
  if (parsed.abandoned === 'depth') {
    diagnostics.push(diagnostic('IMC002', { file, line: 1, column: 1, length: 1 }, { message: 'the file is too deeply nested or too broken to parse' }));
  }
  const ast = parsed.cst ? buildAst(parsed.cst, file, text) : { file, declarations: [] };
  return { ast, comments: lexed.comments, diagnostics };
}
