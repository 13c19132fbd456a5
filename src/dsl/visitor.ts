// CST -> AST: turns Chevrotain's concrete syntax tree into the typed AST of src/dsl/ast.ts. The CST may come from
// error recovery, so every child is treated as possibly missing; what cannot be built is left out and the statement
// is marked `recovered`.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type {
  Assignment,
  Atom,
  BlockDecl,
  Body,
  CallExpr,
  Declaration,
  Expr,
  ImportDecl,
  Located,
  NameAtom,
  NamedArg,
  NetworkDecl,
  NetworkStatement,
  Property,
  ReturnStmt,
  SourceFile,
  StringAtom,
  TargetDecl,
} from './ast.js';

function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && (e as IToken).image !== undefined;
}

function isNode(e: CstElement | undefined): e is CstNode {
  return e !== undefined && (e as CstNode).children !== undefined;
}

function realToken(e: CstElement | undefined): IToken | undefined {
  return isToken(e) && !e.isInsertedInRecovery && Number.isFinite(e.startOffset) ? e : undefined;
}

/** Parses a number literal; absurd ones (1e400, 99999999999999999999) come back as Infinity / unsafe and are checked later. */
export function numberValue(text: string): number {
  const v = Number(text);
  return Number.isNaN(v) ? Infinity : v;
}

/** Decodes the body of a string literal (`\"`, `\\`, `\n`, `\t`; any other escaped character stands for itself). */
export function stringValue(image: string): string {
  const inner = image.slice(1, -1);
  return inner.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

class AstBuilder {
  private readonly lineStarts: number[];
  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private tokensOf(node: CstNode, acc: IToken[] = []): IToken[] {
    for (const list of Object.values(node.children)) {
      for (const child of list) {
        if (isNode(child)) this.tokensOf(child, acc);
        else if (realToken(child)) acc.push(child as IToken);
      }
    }
    return acc;
  }

  /** Location of a range of offsets [start, end). */
  private located(start: number, end: number, line: number, column: number, endLine: number): Located {
    const lineEnd = this.text.indexOf('\n', start);
    const firstLineEnd = lineEnd < 0 ? this.text.length : lineEnd;
    const length = Math.max(1, Math.min(end, firstLineEnd) - start);
    return { span: { file: this.file, line, column, length }, start, end, endLine };
  }

  private tokenLoc(t: IToken): Located {
    return this.located(t.startOffset, (t.endOffset ?? t.startOffset) + 1, t.startLine ?? 1, t.startColumn ?? 1, t.endLine ?? t.startLine ?? 1);
  }

  /** Location of a CST node from its real tokens (recovered nodes may have no valid location of their own). */
  private nodeLoc(node: CstNode): Located | undefined {
    const l = node.location;
    if (
      l &&
      !node.recoveredNode &&
      Number.isFinite(l.startOffset) &&
      Number.isFinite(l.endOffset) &&
      Number.isFinite(l.startLine) &&
      Number.isFinite(l.startColumn) &&
      Number.isFinite(l.endLine)
    ) {
      return this.located(l.startOffset, (l.endOffset as number) + 1, l.startLine as number, l.startColumn as number, l.endLine as number);
    }
    const tokens = this.tokensOf(node);
    if (tokens.length === 0) return undefined;
    let first = tokens[0];
    let last = tokens[0];
    for (const t of tokens) {
      if (t.startOffset < first.startOffset) first = t;
      if (t.startOffset > last.startOffset) last = t;
    }
    const a = this.tokenLoc(first);
    const b = this.tokenLoc(last);
    return { ...this.located(a.start, b.end, a.span.line, a.span.column, b.endLine) };
  }

  private tokens(node: CstNode, label: string): IToken[] {
    return (node.children[label] ?? []).filter((e): e is IToken => realToken(e) !== undefined);
  }
  private token(node: CstNode, label: string): IToken | undefined {
    return this.tokens(node, label)[0];
  }
  private nodes(node: CstNode, label: string): CstNode[] {
    return (node.children[label] ?? []).filter(isNode);
  }
  private recovered(node: CstNode): boolean {
    if (node.recoveredNode) return true;
    for (const list of Object.values(node.children)) {
      for (const child of list) {
        if (isNode(child) && this.recovered(child)) return true;
        if (isToken(child) && child.isInsertedInRecovery) return true;
      }
    }
    return false;
  }

  private nameAtom(t: IToken): NameAtom {
    return { kind: 'name', name: t.image, ...this.tokenLoc(t) };
  }
  private stringAtom(t: IToken): StringAtom {
    return { kind: 'string', value: stringValue(t.image), ...this.tokenLoc(t) };
  }

  sourceFile(cst: CstNode): SourceFile {
    const declarations: Declaration[] = [];
    const all: { offset: number; decl: Declaration }[] = [];
    for (const n of this.nodes(cst, 'importDecl')) {
      const d = this.importDecl(n);
      if (d) all.push({ offset: d.start, decl: d });
    }
    for (const n of this.nodes(cst, 'targetDecl')) {
      const d = this.targetDecl(n);
      if (d) all.push({ offset: d.start, decl: d });
    }
    for (const n of this.nodes(cst, 'networkDecl')) {
      const d = this.networkDecl(n);
      if (d) all.push({ offset: d.start, decl: d });
    }
    all.sort((a, b) => a.offset - b.offset);
    for (const a of all) declarations.push(a.decl);
    return { file: this.file, declarations };
  }

  private importDecl(n: CstNode): ImportDecl | undefined {
    const loc = this.nodeLoc(n);
    if (!loc) return undefined;
    const s = this.token(n, 'StringLit');
    return { kind: 'import', path: s ? this.stringAtom(s) : undefined, recovered: this.recovered(n), ...loc };
  }

  private targetDecl(n: CstNode): TargetDecl | undefined {
    const loc = this.nodeLoc(n);
    const name = this.token(n, 'Name');
    if (!loc || !name) return undefined;
    const bodyNode = this.nodes(n, 'body')[0];
    return {
      kind: 'target',
      name: this.nameAtom(name),
      body: bodyNode ? this.body(bodyNode) : undefined,
      recovered: this.recovered(n),
      ...loc,
    };
  }

  private networkDecl(n: CstNode): NetworkDecl | undefined {
    const loc = this.nodeLoc(n);
    const name = this.token(n, 'name');
    if (!loc || !name) return undefined;
    const base = this.token(n, 'base');
    const target = this.token(n, 'target');
    const statements: NetworkStatement[] = [];
    for (const b of this.nodes(n, 'blockDecl')) {
      const d = this.blockDecl(b);
      if (d) statements.push(d);
    }
    for (const a of this.nodes(n, 'assignment')) {
      const d = this.assignment(a);
      if (d) statements.push(d);
    }
    for (const p of this.nodes(n, 'property')) {
      const d = this.property(p);
      if (d) statements.push(d);
    }
    statements.sort((a, b) => a.start - b.start);
    return {
      kind: 'network',
      name: this.nameAtom(name),
      base: base ? this.nameAtom(base) : undefined,
      target: target ? this.nameAtom(target) : undefined,
      statements,
      recovered: this.recovered(n),
      ...loc,
    };
  }

  private blockDecl(n: CstNode): BlockDecl | undefined {
    const loc = this.nodeLoc(n);
    const name = this.token(n, 'name');
    if (!loc || !name) return undefined;
    const statements: (Assignment | ReturnStmt)[] = [];
    for (const a of this.nodes(n, 'assignment')) {
      const d = this.assignment(a);
      if (d) statements.push(d);
    }
    for (const r of this.nodes(n, 'returnStmt')) {
      const rl = this.nodeLoc(r);
      if (!rl) continue;
      const e = this.nodes(r, 'expr')[0];
      statements.push({ kind: 'return', value: e ? this.expr(e) : undefined, recovered: this.recovered(r), ...rl });
    }
    statements.sort((a, b) => a.start - b.start);
    return {
      kind: 'block',
      name: this.nameAtom(name),
      params: this.tokens(n, 'param').map((t) => this.nameAtom(t)),
      statements,
      recovered: this.recovered(n),
      ...loc,
    };
  }

  private assignment(n: CstNode): Assignment | undefined {
    const loc = this.nodeLoc(n);
    const name = this.token(n, 'name');
    if (!loc || !name) return undefined;
    const e = this.nodes(n, 'expr')[0];
    const count = this.token(n, 'count');
    return {
      kind: 'assignment',
      name: this.nameAtom(name),
      value: e ? this.expr(e) : undefined,
      repeat: count ? { kind: 'number', text: count.image, value: numberValue(count.image), negative: false, ...this.tokenLoc(count) } : undefined,
      recovered: this.recovered(n),
      ...loc,
    };
  }

  private expr(n: CstNode): Expr | undefined {
    const call = this.nodes(n, 'call')[0];
    if (call) return this.call(call);
    const name = this.token(n, 'Name');
    if (name) return { kind: 'name', name: name.image, ...this.tokenLoc(name) };
    const num = this.token(n, 'NumberLit');
    if (num) {
      const minus = this.token(n, 'Minus');
      const loc = this.tokenLoc(num);
      const start = minus ? this.tokenLoc(minus) : loc;
      return {
        kind: 'number',
        text: num.image,
        value: numberValue(num.image),
        negative: minus !== undefined,
        ...this.located(start.start, loc.end, start.span.line, start.span.column, loc.endLine),
      };
    }
    return undefined;
  }

  private call(n: CstNode): CallExpr | undefined {
    const loc = this.nodeLoc(n);
    const callee = this.token(n, 'callee');
    if (!loc || !callee) return undefined;
    const args: (Expr | NamedArg)[] = [];
    for (const a of this.nodes(n, 'arg')) {
      const key = this.token(a, 'key');
      if (key) {
        const atomNode = this.nodes(a, 'atom')[0];
        const value = atomNode ? this.atom(atomNode) : undefined;
        const al = this.nodeLoc(a);
        if (value && al) args.push({ kind: 'named', key: this.nameAtom(key), value, ...al });
        continue;
      }
      const e = this.nodes(a, 'expr')[0];
      const ex = e ? this.expr(e) : undefined;
      if (ex) args.push(ex);
    }
    return { kind: 'call', callee: this.nameAtom(callee), args, ...loc };
  }

  private property(n: CstNode): Property | undefined {
    const loc = this.nodeLoc(n);
    const key = this.token(n, 'key');
    if (!loc || !key) return undefined;
    const sel = this.token(n, 'selector');
    const groups: Atom[][] = [];
    for (const g of this.nodes(n, 'group')) {
      const atoms: Atom[] = [];
      for (const a of this.nodes(g, 'atom')) {
        const atom = this.atom(a);
        if (atom) atoms.push(atom);
      }
      if (atoms.length > 0) groups.push(atoms);
    }
    groups.sort((a, b) => a[0].start - b[0].start);
    const bodyNode = this.nodes(n, 'body')[0];
    return {
      kind: 'property',
      key: this.nameAtom(key),
      selector: sel ? (sel.tokenType.name === 'StringLit' ? this.stringAtom(sel) : this.nameAtom(sel)) : undefined,
      groups,
      body: bodyNode ? this.body(bodyNode) : undefined,
      recovered: this.recovered(n),
      ...loc,
    };
  }

  private body(n: CstNode): Body {
    const loc = this.nodeLoc(n) ?? this.located(0, 0, 1, 1, 1);
    const statements: Property[] = [];
    for (const p of this.nodes(n, 'property')) {
      const d = this.property(p);
      if (d) statements.push(d);
    }
    statements.sort((a, b) => a.start - b.start);
    return { statements, ...loc };
  }

  private atom(n: CstNode): Atom | undefined {
    const minus = this.token(n, 'Minus');
    for (const kind of ['NumberLit', 'Quantity'] as const) {
      const t = this.token(n, kind);
      if (!t) continue;
      const loc = this.tokenLoc(t);
      const start = minus ? this.tokenLoc(minus) : loc;
      const where = this.located(start.start, loc.end, start.span.line, start.span.column, loc.endLine);
      if (kind === 'NumberLit') return { kind: 'number', text: t.image, value: numberValue(t.image), negative: minus !== undefined, ...where };
      const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(.*)$/.exec(t.image);
      const num = m ? m[1] : t.image;
      return { kind: 'quantity', text: t.image, value: numberValue(num), unit: m ? m[2] : '', negative: minus !== undefined, ...where };
    }
    const dims = this.token(n, 'Dims');
    if (dims) return { kind: 'dims', text: dims.image, values: dims.image.split('x').map(numberValue), ...this.tokenLoc(dims) };
    const name = this.token(n, 'Name');
    if (name) return this.nameAtom(name);
    const s = this.token(n, 'StringLit');
    if (s) return this.stringAtom(s);
    return undefined;
  }
}

export function buildAst(cst: CstNode, file: string, text: string): SourceFile {
  return new AstBuilder(file, text).sourceFile(cst);
}
