import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commentText, IdentifierScope, sanitizeName, verilogIdentifier } from '../../../src/emit/rtl/identifiers.js';

describe('verilogIdentifier (the one sanitizer of DSL names)', () => {
  it('lowercases and keeps only [a-z0-9_]', () => {
    expect(verilogIdentifier('ResNet-32.Stage 1')).toBe('resnet_32_stage_1');
    expect(verilogIdentifier('c1')).toBe('c1');
  });

  it('never starts with a digit and is never empty', () => {
    expect(verilogIdentifier('32net')).toBe('n_32net');
    expect(verilogIdentifier('---')).toBe('n');
  });

  it('renames Verilog and SystemVerilog keywords', () => {
    expect(verilogIdentifier('module')).toBe('module_n');
    expect(verilogIdentifier('Wire')).toBe('wire_n');
    expect(verilogIdentifier('logic')).toBe('logic_n');
  });

  it('always gives a legal identifier (property)', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const id = sanitizeName(name);
        expect(id).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(['module', 'wire', 'reg', 'input', 'output', 'begin', 'end']).not.toContain(id);
      }),
    );
  });

  it('is unique within a scope and stable for the same name (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 30 }), (names) => {
        const scope = new IdentifierScope(['clk_i']);
        const ids = names.map((n) => scope.verilogIdentifier(n));
        const byName = new Map<string, string>();
        names.forEach((n, i) => {
          if (byName.has(n)) expect(ids[i]).toBe(byName.get(n));
          byName.set(n, ids[i]);
        });
        expect(new Set(byName.values()).size).toBe(byName.size);
        expect(ids).not.toContain('clk_i');
      }),
    );
  });

  it('gives colliding names distinct suffixes', () => {
    const scope = new IdentifierScope();
    expect(scope.verilogIdentifier('a.b')).toBe('a_b');
    expect(scope.verilogIdentifier('a-b')).toBe('a_b_1');
  });

  it('comment text cannot end a comment or a line', () => {
    expect(commentText('a\nmodule evil;')).toBe('a?module evil;');
    expect(commentText('x */ y')).toBe('x *? y');
    fc.assert(fc.property(fc.string(), (t) => /^[\x20-\x7e]*$/.test(commentText(t))));
  });
});
