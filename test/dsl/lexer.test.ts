import { describe, expect, it } from 'vitest';
import { lex } from '../../src/dsl/lexer.js';

const kinds = (text: string): string[] => lex(text, 'x.imc').tokens.map((t) => `${t.tokenType.name}:${t.image.replace('\n', '\\n')}`);

describe('lexer', () => {
  it('reads dimensions, numbers with units, and keywords before names', () => {
    expect(kinds('size 256x256')).toEqual(['Name:size', 'Dims:256x256']);
    expect(kinds('input image: 3x32x32, 8 bits')).toEqual(['Name:input', 'Name:image', 'Colon::', 'Dims:3x32x32', 'Comma:,', 'NumberLit:8', 'Name:bits']);
    expect(kinds('timestep 100ns link 4.5Gbps e 2% g 0.1uS')).toEqual([
      'Name:timestep',
      'Quantity:100ns',
      'Name:link',
      'Quantity:4.5Gbps',
      'Name:e',
      'Quantity:2%',
      'Name:g',
      'Quantity:0.1uS',
    ]);
    expect(kinds('network networks on one')).toEqual(['Network:network', 'Name:networks', 'On:on', 'Name:one']);
    expect(kinds('1e400 99999999999999999999 1e5')).toEqual(['NumberLit:1e400', 'NumberLit:99999999999999999999', 'NumberLit:1e5']);
    expect(kinds('layer stage1.0.c1: replicas 2')).toEqual(['Name:layer', 'Name:stage1.0.c1', 'Colon::', 'Name:replicas', 'NumberLit:2']);
  });

  it('keeps a newline only where a statement can end', () => {
    expect(kinds('a = conv(x,\n  out 3)\n\n\nb = relu(a)\n')).toEqual([
      'Name:a',
      'Equals:=',
      'Name:conv',
      'LParen:(',
      'Name:x',
      'Comma:,',
      'Name:out',
      'NumberLit:3',
      'RParen:)',
      'Newline:\\n',
      'Name:b',
      'Equals:=',
      'Name:relu',
      'LParen:(',
      'Name:a',
      'RParen:)',
    ]);
    expect(kinds('crossbar\n{\n size 2x2\n}')).toEqual(['Name:crossbar', 'LBrace:{', 'Name:size', 'Dims:2x2', 'RBrace:}']);
  });

  it('sets comments aside for the formatter', () => {
    const r = lex('a 1 // one\n/* two\n lines */ b 2', 'x.imc');
    expect(r.comments.map((c) => c.image)).toEqual(['// one', '/* two\n lines */']);
    expect(r.diagnostics).toEqual([]);
  });

  it('reports unexpected characters with their position (IMC001), at most 20 per file', () => {
    const r = lex('a 1\n  b @ 2', 'x.imc');
    expect(r.diagnostics).toEqual([
      { code: 'IMC001', severity: 'error', message: "unexpected character '@'", span: { file: 'x.imc', line: 2, column: 5, length: 1 } },
    ]);
    expect(lex('"unterminated', 'x.imc').diagnostics[0].message).toBe('unterminated string');
    expect(lex('\u0000 a', 'x.imc').diagnostics[0].message).toBe('unexpected character U+0000');
    const binary = Array.from({ length: 200 }, (_, i) => (i % 2 ? '\u0001' : 'a ')).join('');
    expect(lex(binary, 'x.imc').diagnostics).toHaveLength(20);
  });
});
