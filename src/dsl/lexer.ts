// Tokens of the .imc language, in match order (Chevrotain takes the first pattern that matches, so keywords come
// before Name and Dims before Number). Newlines are significant: they end a statement like `;` does, except where a
// statement obviously continues (inside parentheses, after `,` `=` `:` `{`, before `{` `}`); `significantTokens`
// drops those.
import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
});
export const Newline = createToken({ name: 'Newline', pattern: /\r\n?|\n/, line_breaks: true });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });

export const Name = createToken({ name: 'Name', pattern: /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/ });
function keyword(word: string): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Name });
}
export const Import = keyword('import');
export const Target = keyword('target');
export const Network = keyword('network');
export const On = keyword('on');
export const Extends = keyword('extends');
export const Block = keyword('block');
export const Return = keyword('return');

/** `256x256`, `3x32x32`: integer dimensions joined by `x` (no spaces). */
export const Dims = createToken({ name: 'Dims', pattern: /\d+(?:x\d+)+(?![A-Za-z0-9_.])/ });
/** A number with a unit glued to it: `100ns`, `4.5Gbps`, `2%`, `8bits`. */
export const Quantity = createToken({ name: 'Quantity', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:[A-Za-z]+|%)/ });
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  longer_alt: Quantity,
});
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/ });

export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });

export const allTokens: TokenType[] = [
  WhiteSpace,
  BlockComment,
  LineComment,
  Newline,
  Semicolon,
  Import,
  Target,
  Network,
  Extends,
  Block,
  Return,
  On,
  Name,
  Dims,
  NumberLit,
  Quantity,
  StringLit,
  LBrace,
  RBrace,
  LParen,
  RParen,
  Comma,
  Colon,
  Equals,
  Minus,
];

export const KEYWORDS = ['import', 'target', 'network', 'on', 'extends', 'block', 'return'] as const;

const imcLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });

export interface LexResult {
  /** Tokens the parser reads (insignificant newlines removed). */
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** At most this many lexing errors are reported per file; binary input would otherwise produce thousands. */
export const MAX_LEX_ERRORS = 20;

export function lex(text: string, file: string): LexResult {
  const result = imcLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of result.errors.slice(0, MAX_LEX_ERRORS)) {
    const bad = text.slice(e.offset, e.offset + e.length);
    const first = bad.charAt(0);
    const span = { file, line: e.line ?? 1, column: e.column ?? 1, length: Math.max(1, Math.min(e.length, 80)) };
    diagnostics.push(first === '"' ? diagnostic('IMC224', span, {}) : diagnostic('IMC001', span, { character: describeChar(first) }));
  }
  const comments = (result.groups['comments'] ?? []) as IToken[];
  let tokens = significantTokens(result.tokens);
  // The parser and every later pass recurse on nesting: cut absurdly deep input short instead of the stack.
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].tokenType;
    if (t === LParen || t === LBrace) depth++;
    else if ((t === RParen || t === RBrace) && depth > 0) depth--;
    if (depth > MAX_NESTING) {
      const at = tokens[i];
      diagnostics.push(
        diagnostic('IMC093', { file, line: at.startLine ?? 1, column: at.startColumn ?? 1, length: 1 }, { max: MAX_NESTING }),
      );
      tokens = tokens.slice(0, i);
      break;
    }
  }
  return { tokens, comments, diagnostics };
}

/** Deepest nesting of parentheses and braces accepted. */
export const MAX_NESTING = 64;

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return `'${ch}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

const continuesAfter = new Set<TokenType>([LBrace, LParen, Comma, Equals, Newline, Semicolon, Minus]);
const continuesBefore = new Set<TokenType>([LBrace, RBrace, RParen, Comma]);

/** Drops newlines that cannot end a statement, so the parser sees one separator per statement boundary. */
export function significantTokens(tokens: readonly IToken[]): IToken[] {
  const out: IToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.tokenType !== Newline) {
      out.push(t);
      continue;
    }
    const prev = out[out.length - 1];
    if (prev === undefined || continuesAfter.has(prev.tokenType)) continue;
    let j = i + 1;
    while (j < tokens.length && tokens[j].tokenType === Newline) j++;
    const next = tokens[j];
    if (next === undefined || continuesBefore.has(next.tokenType)) continue;
    out.push(t);
  }
  return out;
}
