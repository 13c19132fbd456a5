// What the grammar allows where a syntax error is found, in words: Chevrotain hands its error message provider the
// token types it expected (per kind of recognition error), and the provider's string becomes the error's `message`,
// which parse.ts puts in IMC002's {expected}.
import type { IParserErrorMessageProvider, TokenType } from 'chevrotain';

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

/** The token kinds that start a value (`atom` in the grammar): when all may come, the message says "a value". */
const VALUE_STARTS = ['Minus', 'NumberLit', 'Quantity', 'Dims', 'Name', 'StringLit'];

function tokenWords(kinds: readonly string[]): string {
  const unique = [...new Set(kinds)];
  if (VALUE_STARTS.every((k) => unique.includes(k))) {
    const rest = unique.filter((k) => !VALUE_STARTS.includes(k));
    return joinOr(['a value', ...rest.map((k) => TOKEN_WORDS[k] ?? k)]);
  }
  return joinOr(unique.map((k) => TOKEN_WORDS[k] ?? k));
}

function joinOr(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

/** Only declarations stand at the top level of a file. */
const DECLARATIONS = "'import', 'target' or 'network'";

/** The first token kind of each path the parser could have taken. */
const firstKinds = (paths: readonly TokenType[][]): string[] => paths.filter((p) => p.length > 0).map((p) => p[0].name);

export const expectedTokensProvider: IParserErrorMessageProvider = {
  // Inside a call or a parameter list a missing ')' is as often a missing ','.
  // The end of the file is expected only where a declaration could come too.
  buildMismatchTokenMessage: ({ expected }) => (expected.name === 'RParen' ? "',' or ')'" : expected.name === 'EOF' ? DECLARATIONS : tokenWords([expected.name])),
  buildNotAllInputParsedMessage: () => DECLARATIONS,
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) => tokenWords(expectedPathsPerAlt.flatMap(firstKinds)),
  buildEarlyExitMessage: ({ expectedIterationPaths }) => tokenWords(firstKinds(expectedIterationPaths)),
};
