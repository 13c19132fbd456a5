// Typed AST of one .imc file, produced from the CST by src/dsl/visitor.ts. Every node carries its source span.
// Statements a syntax error cut short are still present with `recovered: true`, so later checks can stay quiet
// about what the syntax error already explains.
import type { SourceSpan } from '../diagnostics/index.js';

/** A position range: `span` for diagnostics plus character offsets for the formatter's comment placement. */
export interface Located {
  span: SourceSpan;
  /** Offsets of the first character and one past the last character. */
  start: number;
  end: number;
  /** Line of the last character. */
  endLine: number;
}

export interface NumberAtom extends Located {
  kind: 'number';
  /** As written (without the sign), e.g. `4.5` or `1e400`; printed back unchanged by the formatter. */
  text: string;
  value: number;
  negative: boolean;
}
export interface QuantityAtom extends Located {
  kind: 'quantity';
  text: string;
  /** The number part (may be Infinity for absurd input; checks reject it). */
  value: number;
  unit: string;
  negative: boolean;
}
export interface DimsAtom extends Located {
  kind: 'dims';
  text: string;
  values: number[];
}
export interface NameAtom extends Located {
  kind: 'name';
  name: string;
}
export interface StringAtom extends Located {
  kind: 'string';
  value: string;
}
export type Atom = NumberAtom | QuantityAtom | DimsAtom | NameAtom | StringAtom;

/** `key [selector:] values [{ body }]`: the generic statement of targets, defaults, mapping and network settings. */
export interface Property extends Located {
  kind: 'property';
  key: NameAtom;
  selector?: NameAtom | StringAtom;
  /** Comma-separated groups of space-separated atoms: `1Ohm rows, 1Ohm cols` is two groups of two. */
  groups: Atom[][];
  body?: Body;
  recovered: boolean;
}

export interface Body extends Located {
  statements: Property[];
}

export interface NameExpr extends Located {
  kind: 'name';
  name: string;
}
export interface NumberExpr extends Located {
  kind: 'number';
  text: string;
  value: number;
  negative: boolean;
}
export interface NamedArg extends Located {
  kind: 'named';
  key: NameAtom;
  value: Atom;
}
export interface CallExpr extends Located {
  kind: 'call';
  callee: NameAtom;
  args: (Expr | NamedArg)[];
}
export type Expr = NameExpr | NumberExpr | CallExpr;

export interface Assignment extends Located {
  kind: 'assignment';
  name: NameAtom;
  value: Expr | undefined;
  /** `x N`: chain N instances of a block. */
  repeat?: NumberAtom;
  recovered: boolean;
}

export interface ReturnStmt extends Located {
  kind: 'return';
  value: Expr | undefined;
  recovered: boolean;
}

export interface BlockDecl extends Located {
  kind: 'block';
  name: NameAtom;
  params: NameAtom[];
  statements: (Assignment | ReturnStmt)[];
  recovered: boolean;
}

export type NetworkStatement = BlockDecl | Assignment | Property;

export interface NetworkDecl extends Located {
  kind: 'network';
  name: NameAtom;
  base?: NameAtom;
  target?: NameAtom;
  statements: NetworkStatement[];
  recovered: boolean;
}

export interface TargetDecl extends Located {
  kind: 'target';
  name: NameAtom;
  body: Body | undefined;
  recovered: boolean;
}

export interface ImportDecl extends Located {
  kind: 'import';
  path: StringAtom | undefined;
  recovered: boolean;
}

export type Declaration = ImportDecl | TargetDecl | NetworkDecl;

export interface SourceFile {
  file: string;
  declarations: Declaration[];
}
