import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { astShape, formatText } from '../../src/dsl/fmt-file.js';
import { parseSource } from '../../src/dsl/parse.js';

const EXAMPLES = ['examples/resnet32.imc', 'examples/resnet32-speedup.imc', 'examples/lenet.imc', 'examples/targets/dazzi2021.imc'];

function fmt(text: string): string {
  const r = formatText(text, 'f.imc');
  if (r.formatted === null) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.formatted;
}

describe('imcc fmt (formatter)', () => {
  for (const file of EXAMPLES) {
    it(`${file}: formatting is idempotent and parses back to the same AST`, () => {
      const text = readFileSync(file, 'utf8');
      const once = fmt(text);
      expect(fmt(once)).toBe(once);
      expect(astShape(parseSource(once, file).ast)).toEqual(astShape(parseSource(text, file).ast));
      // The committed examples are already in canonical form.
      expect(once).toBe(text);
    });
  }

  it('writes the canonical layout and keeps every comment', () => {
    const messy = [
      '// head comment',
      'import   "t.imc"',
      'network n   on t{',
      '  input image :3x8x8,8 bits ; weights seed 1',
      '  block b( x ,c ){ y=conv( x,out c ,kernel 3x3,pad 1) ; return relu( y ) }',
      '',
      '',
      '  s = b(image,4)x 2   // two instances',
      '  a = relu(s) /* inside */',
      '  output a',
      '  mapping { default replicas 1 }',
      '  // before the brace',
      '}',
    ].join('\n');
    expect(fmt(messy)).toBe(
      [
        '// head comment',
        'import "t.imc"',
        '',
        'network n on t {',
        '  input image: 3x8x8, 8 bits',
        '  weights seed 1',
        '  block b(x, c) {',
        '    y = conv(x, out c, kernel 3x3, pad 1)',
        '    return relu(y)',
        '  }',
        '',
        '  s = b(image, 4) x 2  // two instances',
        '  a = relu(s)          /* inside */',
        '  output a',
        '  mapping { default replicas 1 }',
        '  // before the brace',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('moves a comment written inside a statement in front of it', () => {
    expect(fmt('network n {\n  a = conv(x, /* why */\n    out 3)\n}\n')).toBe('network n {\n  /* why */\n  a = conv(x, out 3)\n}\n');
  });

  it('refuses text with syntax errors', () => {
    const r = formatText('network n {\n  a = (\n}\n', 'bad.imc');
    expect(r.formatted).toBeNull();
    expect(r.diagnostics[0].code).toBe('IMC002');
  });
});

describe('imcc fmt edge cases', () => {
  it('keeps a one-line settings block after a comment, and a selector with no values', () => {
    const text = 'target t {\n  // the controller\n  controller { clock 1GHz; timestep 1ns }\n}\n\nnetwork n {\n  mapping {\n    layers "a*":\n  }\n}\n';
    expect(fmt(text)).toBe(text);
  });
});
