import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING } from '../../src/dsl/lexer.js';
import { parseSource } from '../../src/dsl/parse.js';
import type { Assignment, BlockDecl, CallExpr, NetworkDecl, Property, TargetDecl } from '../../src/dsl/ast.js';

const EXAMPLES = ['examples/resnet32.imc', 'examples/resnet32-speedup.imc', 'examples/lenet.imc', 'examples/targets/dazzi2021.imc'];

describe('parser and CST-to-AST visitor', () => {
  it('parses every example without diagnostics', () => {
    for (const f of EXAMPLES) expect(parseSource(readFileSync(f, 'utf8'), f).diagnostics).toEqual([]);
  });

  it('builds typed AST nodes with positions', () => {
    const text = 'target t {\n  crossbar { size 4x8 }\n  link 1Gbps\n}\nnetwork n on t {\n  block b(x, c) {\n    y = conv(x, out c, kernel 3x3)\n    return relu(y)\n  }\n  s = b(image, 16) x 3\n  mapping { layers "s.*": replicas 2, method 1 }\n}\n';
    const { ast, diagnostics } = parseSource(text, 'm.imc');
    expect(diagnostics).toEqual([]);
    const [t, n] = ast.declarations as [TargetDecl, NetworkDecl];
    expect(t.kind).toBe('target');
    const crossbar = t.body!.statements[0];
    expect(crossbar.key.name).toBe('crossbar');
    expect(crossbar.body!.statements[0].groups[0][0]).toMatchObject({ kind: 'dims', values: [4, 8], span: { line: 2, column: 19, length: 3 } });
    expect(t.body!.statements[1].groups[0][0]).toMatchObject({ kind: 'quantity', value: 1, unit: 'Gbps' });
    expect(n.name.name).toBe('n');
    expect(n.target?.name).toBe('t');
    const block = n.statements[0] as BlockDecl;
    expect(block.params.map((p) => p.name)).toEqual(['x', 'c']);
    const conv = (block.statements[0] as Assignment).value as CallExpr;
    expect(conv.callee.name).toBe('conv');
    expect(conv.args.map((a) => a.kind)).toEqual(['name', 'named', 'named']);
    expect(conv.span).toEqual({ file: 'm.imc', line: 7, column: 9, length: 'conv(x, out c, kernel 3x3)'.length });
    const rep = n.statements[1] as Assignment;
    expect(rep.repeat).toMatchObject({ kind: 'number', value: 3 });
    const mapping = n.statements[2] as Property;
    const entry = mapping.body!.statements[0];
    expect(entry.selector).toMatchObject({ kind: 'string', value: 's.*' });
    expect(entry.groups.map((g) => g.length)).toEqual([2, 2]);
  });

  it('recovers from syntax errors and reports them all in one run', () => {
    const text = 'target t {\n  size 3x\n}\nnetwork n on t {\n  a = conv(x,, out 3)\n  b = relu(a\n  c = relu(b)\n  output c\n}\n';
    const { ast, diagnostics } = parseSource(text, 'bad.imc');
    expect(diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`)).toEqual([
      "IMC002 5:14 expected a name, '-' or a number, found ','",
      "IMC002 6:13 expected ',' or ')', found end of line",
    ]);
    const n = ast.declarations[1] as NetworkDecl;
    // The statements after the errors are still there.
    expect(n.statements.map((s) => (s.kind === 'property' ? s.key.name : s.kind === 'assignment' ? s.name.name : s.kind))).toEqual(['a', 'b', 'c', 'output']);
    expect((n.statements[0] as Assignment).recovered).toBe(true);
    expect((n.statements[2] as Assignment).recovered).toBe(false);
  });

  it('points at the end of the file when the file ends early', () => {
    const { diagnostics } = parseSource('network n on t {\n  a = relu(x)', 'e.imc');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'IMC002', span: { line: 2, column: 14 } });
    expect(diagnostics[0].message).toBe("expected '}', found end of file");
  });

  it('stops at 25 syntax errors, and reports nesting deeper than 64 levels instead of overflowing the stack', () => {
    const garbage = Array.from({ length: 200 }, (_, i) => `network n${i} { ) }`).join('\n');
    const many = parseSource(garbage, 'g.imc');
    expect(many.diagnostics.length).toBeLessThanOrEqual(25);
    expect(many.diagnostics.every((d) => d.code === 'IMC002')).toBe(true);
    const deep = parseSource('network n {\n  a = ' + 'relu('.repeat(100) + 'x' + ')'.repeat(100) + '\n}\n', 'd.imc');
    // Only the nesting is reported: the parser's complaints about the text cut off after it would be echoes.
    expect(deep.diagnostics).toEqual([
      { code: 'IMC093', severity: 'error', message: '( ) and { } nest too deeply to parse (at most 64 levels)', span: { file: 'd.imc', line: 2, column: 3 + 4 + 5 * 63 + 4, length: 1 } },
    ]);
  });

  it('IMC093 also when the parser runs out of stack within the nesting limit, and only where the stack runs out', () => {
    // The deepest text the lexer lets through (MAX_NESTING levels: the network's brace and MAX_NESTING - 1 calls). How
    // much stack it needs depends on Node's frame sizes, so the test does not guess a stack size: it takes stack away
    // by recursing before the parse, and searches for the least taken away at which the parse stops being clean. Just
    // there the stack runs out at the parser's deepest call (the parser needs far more stack than anything else in
    // parseSource), and the parse must say only IMC093, at the innermost '('.
    const calls = MAX_NESTING - 1;
    const text = `network n on t {\n  a = ${'f('.repeat(calls)}x${')'.repeat(calls)}\n}\n`;
    const deepest = { file: 'd.imc', line: 2, column: 7 + 2 * (calls - 1) + 1, length: 1 };
    const below = (frames: number, run: () => unknown): unknown => (frames === 0 ? run() : below(frames - 1, run));
    const parseBelow = (frames: number): unknown => {
      try {
        return below(frames, () => parseSource(text, 'd.imc').diagnostics);
      } catch (err) {
        if (err instanceof RangeError) return 'overflow';
        throw err;
      }
    };
    // With the whole stack the deepest nesting allowed parses clean.
    expect(parseBelow(0)).toEqual([]);
    // Enough frames that the parse cannot even start; then the least that is not clean. The result asserted is the
    // one the search saw there: run again, the same count could be clean, as the JIT shrinks the frames of `below`.
    let high = 1024;
    let atHigh = parseBelow(high);
    while (atHigh !== 'overflow') atHigh = parseBelow((high *= 2));
    let low = 0;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      const result = parseBelow(mid);
      if (Array.isArray(result) && result.length === 0) low = mid;
      else [high, atHigh] = [mid, result];
    }
    expect(atHigh).toEqual([{ code: 'IMC093', severity: 'error', message: `( ) and { } nest too deeply to parse (at most ${MAX_NESTING} levels)`, span: deepest }]);
  });

  it('IMC002 says what the grammar allows there, from the tokens Chevrotain expected (each kind of recognition error)', () => {
    const messages = (text: string): string[] => parseSource(text, 's.imc').diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`);
    // A mismatched token: the one token expected.
    expect(messages('import 3\n')).toEqual(["IMC002 1:8 expected a string, found '3'"]);
    // No viable alternative: the first tokens of every alternative.
    expect(messages('network n on t {\n  a = \n}\n')).toEqual(["IMC002 3:1 expected a name, '-' or a number, found '}'"]);
    // An early exit from at least one value: every token that starts a value is "a value".
    expect(messages('target t {\n  size 3x3, ,\n}\n')[0]).toBe("IMC002 2:13 expected a value, found ','");
    // Text after the last declaration (not all input parsed), and the end of the file expected at the top level.
    expect(messages('network n on t {\n  block b(x, 3) { return x }\n}\n')).toEqual(["IMC002 2:14 expected a name, found '3'", "IMC002 3:1 expected 'import', 'target' or 'network', found '}'"]);
    expect(messages('foo bar\n')).toEqual(["IMC002 1:1 expected 'import', 'target' or 'network', found 'foo'"]);
  });

  it('accepts an empty file', () => {
    expect(parseSource('', 'empty.imc')).toMatchObject({ diagnostics: [], ast: { declarations: [] } });
  });
});
