// The canonical form of a .imc file (`imcc fmt`): two-space indentation, one statement per line, `, ` between
// value groups and arguments, at most one blank line kept between statements, one blank line between top-level
// declarations (consecutive imports stay together). A `{ ... }` of plain settings written on one line stays on one
// line (`controller { clock 500MHz; timestep 100ns }`) when it fits in 100 columns and holds no comment. Comments
// are kept: a comment on the line where a statement ends stays at the end of that line (trailing comments of
// adjacent lines are aligned), any other comment goes on its own line before the next statement (a comment written
// inside a statement moves in front of it). Numbers are printed as written.
import type { IToken } from 'chevrotain';
import type { Assignment, Atom, BlockDecl, Body, Declaration, Expr, Located, NamedArg, NetworkDecl, Property, ReturnStmt, SourceFile, TargetDecl } from './ast.js';

const INDENT = '  ';

export function quoteString(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

export function atomSource(a: Atom): string {
  switch (a.kind) {
    case 'number':
    case 'quantity':
      return (a.negative ? '-' : '') + a.text;
    case 'dims':
      return a.text;
    case 'name':
      return a.name;
    case 'string':
      return quoteString(a.value);
  }
}

export function exprSource(e: Expr | NamedArg): string {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'number':
      return (e.negative ? '-' : '') + e.text;
    case 'named':
      return `${e.key.name} ${atomSource(e.value)}`;
    case 'call':
      return `${e.callee.name}(${e.args.map(exprSource).join(', ')})`;
  }
}

function propertyHead(p: Property): string {
  let s = p.key.name;
  if (p.selector) s += ' ' + (p.selector.kind === 'string' ? quoteString(p.selector.value) : p.selector.name) + ':';
  if (p.groups.length > 0) s += ' ' + p.groups.map((g) => g.map(atomSource).join(' ')).join(', ');
  return s;
}

interface Comment {
  start: number;
  end: number;
  line: number;
  text: string;
}

/** Maximum width of a one-line `key { a; b }` settings block. */
const ONE_LINE_WIDTH = 100;

class Printer {
  private readonly out: string[] = [];
  /** Trailing comments by output line index. */
  private readonly comment = new Map<number, string>();
  private ci = 0;
  /** Offset just past the last source element printed (statement or comment), for blank-line detection. */
  private lastEnd = 0;
  private firstInBody = true;

  constructor(
    private readonly text: string,
    private readonly comments: Comment[],
  ) {}

  result(): string {
    while (this.out.length > 0 && this.out[this.out.length - 1] === '') this.out.pop();
    // Align the trailing comments of each run of adjacent lines that have one.
    const lines = [...this.out];
    for (let i = 0; i < lines.length; ) {
      if (!this.comment.has(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j < lines.length && this.comment.has(j)) j++;
      const width = Math.max(...lines.slice(i, j).map((l) => l.length));
      for (let k = i; k < j; k++) lines[k] = lines[k].padEnd(width) + '  ' + this.comment.get(k);
      i = j;
    }
    return lines.join('\n') + '\n';
  }

  private blankBefore(start: number): boolean {
    if (this.firstInBody) return false;
    const between = this.text.slice(this.lastEnd, start);
    return /\n[ \t]*\n/.test(between.replace(/\r\n?/g, '\n'));
  }

  private line(depth: number, s: string, start: number): void {
    if (this.blankBefore(start) && this.out.length > 0 && this.out[this.out.length - 1] !== '') this.out.push('');
    this.out.push(INDENT.repeat(depth) + s);
    this.firstInBody = false;
  }

  /** Emits, on their own lines, the comments that start before `limit`. */
  private leading(depth: number, limit: number): void {
    while (this.ci < this.comments.length && this.comments[this.ci].start < limit) {
      const c = this.comments[this.ci++];
      this.line(depth, c.text, c.start);
      this.lastEnd = Math.max(this.lastEnd, c.end);
    }
  }

  /** Appends comments that start on `line` at or after `from` (and before `before`) to the last printed line. */
  private trailing(line: number, from: number, before: number): void {
    while (this.ci < this.comments.length) {
      const c = this.comments[this.ci];
      if (c.line !== line || c.start < from || c.start >= before) break;
      const last = this.out.length - 1;
      const prev = this.comment.get(last);
      this.comment.set(last, prev === undefined ? c.text : `${prev} ${c.text}`);
      this.lastEnd = Math.max(this.lastEnd, c.end);
      this.ci++;
    }
  }

  private leaf(depth: number, node: Located, text: string, nextStart: number): void {
    this.leading(depth, node.end);
    this.line(depth, text, node.start);
    this.lastEnd = Math.max(this.lastEnd, node.end);
    this.trailing(node.endLine, node.end, nextStart);
  }

  /** A statement with a `{ ... }` body: header, the body's statements, then the closing brace. */
  private withBody<T extends Located>(depth: number, node: Located, header: string, inner: readonly T[], printInner: (s: T, next: number) => void, nextStart: number): void {
    this.leading(depth, node.start);
    this.line(depth, header + ' {', node.start);
    this.lastEnd = Math.max(this.lastEnd, node.start);
    const firstInner = inner[0]?.start ?? node.end;
    this.trailing(node.span.line, node.start, firstInner);
    this.firstInBody = true;
    inner.forEach((s, i) => printInner(s, i + 1 < inner.length ? inner[i + 1].start : node.end));
    this.leading(depth + 1, node.end);
    this.out.push(INDENT.repeat(depth) + '}');
    this.firstInBody = false;
    this.lastEnd = Math.max(this.lastEnd, node.end);
    this.trailing(node.endLine, node.end, nextStart);
  }

  file(f: SourceFile): void {
    const decls = f.declarations;
    decls.forEach((d, i) => {
      const prev = decls[i - 1];
      if (prev && !(prev.kind === 'import' && d.kind === 'import') && this.out[this.out.length - 1] !== '') this.out.push('');
      this.declaration(d, i + 1 < decls.length ? decls[i + 1].start : Infinity);
    });
    this.firstInBody = false;
    this.leading(0, Infinity);
  }

  private declaration(d: Declaration, next: number): void {
    switch (d.kind) {
      case 'import':
        this.leaf(0, d, `import ${d.path ? quoteString(d.path.value) : '""'}`, next);
        return;
      case 'target':
        this.target(d, next);
        return;
      case 'network':
        this.network(d, next);
        return;
    }
  }

  private target(t: TargetDecl, next: number): void {
    const body = t.body?.statements ?? [];
    this.withBody(0, t, `target ${t.name.name}`, body, (s, n) => this.property(1, s, n), next);
  }

  private network(n: NetworkDecl, next: number): void {
    let header = `network ${n.name.name}`;
    if (n.base) header += ` extends ${n.base.name}`;
    if (n.target) header += ` on ${n.target.name}`;
    this.withBody(
      0,
      n,
      header,
      n.statements,
      (s, nx) => {
        if (s.kind === 'block') this.block(s, nx);
        else if (s.kind === 'assignment') this.assignment(1, s, nx);
        else this.property(1, s, nx);
      },
      next,
    );
  }

  private block(b: BlockDecl, next: number): void {
    this.withBody(
      1,
      b,
      `block ${b.name.name}(${b.params.map((p) => p.name).join(', ')})`,
      b.statements,
      (s, nx) => (s.kind === 'assignment' ? this.assignment(2, s, nx) : this.returnStmt(2, s, nx)),
      next,
    );
  }

  private assignment(depth: number, a: Assignment, next: number): void {
    let s = `${a.name.name} = ${a.value ? exprSource(a.value) : ''}`;
    if (a.repeat) s += ` x ${a.repeat.kind === 'number' ? a.repeat.text : ''}`;
    this.leaf(depth, a, s, next);
  }

  private returnStmt(depth: number, r: ReturnStmt, next: number): void {
    this.leaf(depth, r, `return ${r.value ? exprSource(r.value) : ''}`, next);
  }

  /** `key { a; b }` when the source had it on one line, it holds only plain settings and no comment, and it fits. */
  private oneLine(depth: number, p: Property, body: Body): string | undefined {
    if (p.span.line !== p.endLine || body.statements.length === 0 || body.statements.some((s) => s.body)) return undefined;
    if (this.comments.some((c) => c.start >= p.start && c.start < p.end)) return undefined;
    const text = `${propertyHead(p)} { ${body.statements.map(propertyHead).join('; ')} }`;
    return INDENT.length * depth + text.length <= ONE_LINE_WIDTH ? text : undefined;
  }

  private property(depth: number, p: Property, next: number): void {
    if (!p.body) {
      this.leaf(depth, p, propertyHead(p), next);
      return;
    }
    const body: Body = p.body;
    const one = this.oneLine(depth, p, body);
    if (one !== undefined) {
      this.leaf(depth, p, one, next);
      return;
    }
    this.withBody(depth, p, propertyHead(p), body.statements, (s, n) => this.property(depth + 1, s, n), next);
  }
}

/** Canonical text of a parsed file. The file must be free of syntax errors (the caller checks). */
export function formatSource(ast: SourceFile, text: string, comments: readonly IToken[]): string {
  const cs: Comment[] = comments
    .map((t) => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, line: t.startLine ?? 1, text: t.image.replace(/[ \t\r]+$/gm, '') }))
    .sort((a, b) => a.start - b.start);
  const p = new Printer(text, cs);
  p.file(ast);
  return p.result();
}
