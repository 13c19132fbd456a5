// The .imc grammar as a Chevrotain CstParser with error recovery, so one run reports every syntax error it can.
//
//   file        := (Sep | import | target | network)*
//   import      := 'import' String
//   target      := 'target' Name body
//   network     := 'network' Name ('extends' Name)? ('on' Name)? netBody
//   netBody     := '{' (Sep | block | assignment | property)* '}'
//   block       := 'block' Name '(' (Name (',' Name)*)? ')' '{' (Sep | assignment | return)* '}'
//   assignment  := Name '=' expr ('x' Number)?          // `x N`: repetition of a block instance
//   return      := 'return' expr
//   property    := Name (selector ':')? values? body?    // selector := Name | String
//   body        := '{' (Sep | property)* '}'
//   values      := group (',' group)*      group := atom+
//   expr        := Name '(' (arg (',' arg)*)? ')' | Name | '-'? Number
//   arg         := Name atom | expr                      // `out 16` is a named argument
//   atom        := '-'? (Number | Quantity) | Dims | Name | String
//   Sep         := Newline | ';'
import { CstParser, EOF, type CstNode, type IToken, type IRecognitionException } from './chevrotain.js';
import {
  allTokens,
  Block,
  Colon,
  Comma,
  Dims,
  Equals,
  Extends,
  Import,
  LBrace,
  LParen,
  Minus,
  Name,
  Network,
  Newline,
  NumberLit,
  On,
  Quantity,
  RBrace,
  Return,
  RParen,
  Semicolon,
  StringLit,
  Target,
} from './lexer.js';
import { expectedTokensProvider } from './syntaxExpected.js';

/** Thrown to stop parsing once enough syntax errors are known (recovery on garbage is slow and says nothing new). */
class TooManyErrors extends Error {}

/** Syntax errors collected before the parser gives up on a file. */
export const MAX_PARSE_ERRORS = 25;

/** Chevrotain's internal hook through which every syntax error is recorded (not in its public typings). */
interface ErrorRecorder {
  SAVE_ERROR(error: IRecognitionException): IRecognitionException;
}

class ImcParser extends CstParser {
  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'full', errorMessageProvider: expectedTokensProvider });
    this.performSelfAnalysis();
    const recorder = this as unknown as ErrorRecorder;
    const save = recorder.SAVE_ERROR.bind(this);
    recorder.SAVE_ERROR = (error) => {
      if (this.errors.length >= MAX_PARSE_ERRORS) throw new TooManyErrors();
      return save(error);
    };
  }

  file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.sep) },
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.targetDecl) },
        { ALT: () => this.SUBRULE(this.networkDecl) },
      ]);
    });
  });

  sep = this.RULE('sep', () => {
    this.OR([{ ALT: () => this.CONSUME(Newline) }, { ALT: () => this.CONSUME(Semicolon) }]);
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(Import);
    this.CONSUME(StringLit);
  });

  targetDecl = this.RULE('targetDecl', () => {
    this.CONSUME(Target);
    this.CONSUME(Name);
    this.SUBRULE(this.body);
  });

  networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(Network);
    this.CONSUME(Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(Extends);
      this.CONSUME2(Name, { LABEL: 'base' });
    });
    this.OPTION2(() => {
      this.CONSUME(On);
      this.CONSUME3(Name, { LABEL: 'target' });
    });
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.sep) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { GATE: () => this.LA(2).tokenType === Equals, ALT: () => this.SUBRULE(this.assignment) },
        { ALT: () => this.SUBRULE(this.property) },
      ]);
    });
    this.CONSUME(RBrace);
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(Block);
    this.CONSUME(Name, { LABEL: 'name' });
    this.CONSUME(LParen);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.CONSUME2(Name, { LABEL: 'param' }) });
    this.CONSUME(RParen);
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.sep) },
        { ALT: () => this.SUBRULE(this.assignment) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
      ]);
    });
    this.CONSUME(RBrace);
  });

  assignment = this.RULE('assignment', () => {
    this.CONSUME(Name, { LABEL: 'name' });
    this.CONSUME(Equals);
    this.SUBRULE(this.expr);
    this.OPTION({
      GATE: () => this.LA(1).image === 'x' && this.LA(2).tokenType === NumberLit,
      DEF: () => {
        this.CONSUME2(Name, { LABEL: 'times' });
        this.CONSUME(NumberLit, { LABEL: 'count' });
      },
    });
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(Return);
    this.SUBRULE(this.expr);
  });

  expr = this.RULE('expr', () => {
    this.OR([
      {
        GATE: () => this.LA(2).tokenType === LParen,
        ALT: () => this.SUBRULE(this.call),
      },
      { ALT: () => this.CONSUME(Name) },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(Minus));
          this.CONSUME(NumberLit);
        },
      },
    ]);
  });

  call = this.RULE('call', () => {
    this.CONSUME(Name, { LABEL: 'callee' });
    this.CONSUME(LParen);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(RParen);
  });

  arg = this.RULE('arg', () => {
    this.OR([
      {
        GATE: () => {
          const next = this.LA(2).tokenType;
          return next !== Comma && next !== RParen && next !== LParen && next !== EOF;
        },
        ALT: () => {
          this.CONSUME(Name, { LABEL: 'key' });
          this.SUBRULE(this.atom);
        },
      },
      { ALT: () => this.SUBRULE(this.expr) },
    ]);
  });

  property = this.RULE('property', () => {
    this.CONSUME(Name, { LABEL: 'key' });
    this.OPTION({
      GATE: () => this.LA(2).tokenType === Colon,
      DEF: () => {
        this.OR([{ ALT: () => this.CONSUME2(Name, { LABEL: 'selector' }) }, { ALT: () => this.CONSUME(StringLit, { LABEL: 'selector' }) }]);
        this.CONSUME(Colon);
      },
    });
    this.OPTION2(() => {
      this.SUBRULE(this.group);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.group);
      });
    });
    this.OPTION3(() => this.SUBRULE(this.body));
  });

  group = this.RULE('group', () => {
    this.AT_LEAST_ONE(() => this.SUBRULE(this.atom));
  });

  body = this.RULE('body', () => {
    this.CONSUME(LBrace);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.sep) }, { ALT: () => this.SUBRULE(this.property) }]);
    });
    this.CONSUME(RBrace);
  });

  atom = this.RULE('atom', () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(Minus));
          this.OR2([{ ALT: () => this.CONSUME(NumberLit) }, { ALT: () => this.CONSUME(Quantity) }]);
        },
      },
      { ALT: () => this.CONSUME(Dims) },
      { ALT: () => this.CONSUME(Name) },
      { ALT: () => this.CONSUME(StringLit) },
    ]);
  });
}

let shared: ImcParser | undefined;

/** One parser instance, reused (Chevrotain's self-analysis is the expensive part). */
export function imcParser(): ImcParser {
  shared ??= new ImcParser();
  return shared;
}

export interface ParseResult {
  /** Undefined when parsing was abandoned (see `abandoned`). */
  cst: CstNode | undefined;
  errors: IRecognitionException[];
  /** Why the parser stopped early: too many errors, or input nested too deeply for the recursive descent. */
  abandoned?: 'errors' | 'depth';
}

export function parseTokens(tokens: IToken[]): ParseResult {
  const parser = imcParser();
  parser.input = tokens;
  try {
    const cst = parser.file();
    return { cst, errors: [...parser.errors] };
  } catch (err) {
    const errors = [...parser.errors];
    parser.input = [];
    if (err instanceof TooManyErrors) return { cst: undefined, errors, abandoned: 'errors' };
    if (err instanceof RangeError) return { cst: undefined, errors, abandoned: 'depth' };
    throw err;
  }
}
