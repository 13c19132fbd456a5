// Property test: thousands of random mutations of the examples (deleted, duplicated, swapped and inserted tokens,
// random bytes, extreme numbers) end in diagnostics or a design, never in an exception or a hang; the formatter
// either refuses (syntax errors) or round-trips.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics/index.js';
import { formatDiagnostic } from '../../src/diagnostics/index.js';
import { formatText } from '../../src/dsl/fmt-file.js';
import { loadProgram } from '../../src/ir/load.js';

const FILES: Record<string, string> = {};
for (const f of ['examples/resnet32.imc', 'examples/resnet32-speedup.imc', 'examples/lenet.imc', 'examples/targets/dazzi2021.imc']) {
  FILES[f] = readFileSync(f, 'utf8');
}

/** Tokens split so mutations act on words, numbers and punctuation (whitespace kept as its own piece). */
function pieces(text: string): string[] {
  return text.split(/(\s+|[{}(),:;=])/).filter((p) => p !== '');
}

const NASTY = ['1e400', '99999999999999999999', '0', '-1', '-0', '0.5', '1e-400', '3x', 'x0', '0x0', '65537x65537', '""', '"', '/*', '*/', '//', '{', '}', '(', ')', ',', ':', ';', '=', 'x', '-', 'network', 'target', 'block', 'return', 'import', 'extends', 'on', '\u0000', '\uffff', '\n', 'stem', 'image', 'conv(', 'relu(x)', '100MHz', '4.5ns', 'x 1000', 'method 2', 'dw 0'];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'insert'; at: number; piece: string }
  | { kind: 'byte'; at: number; code: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...NASTY) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
);

function mutate(text: string, ms: Mutation[]): string {
  let ps = pieces(text);
  for (const m of ms) {
    if (ps.length === 0) ps = [''];
    const i = m.at % ps.length;
    switch (m.kind) {
      case 'delete':
        ps.splice(i, 1);
        break;
      case 'duplicate':
        ps.splice(i, 0, ps[i]);
        break;
      case 'swap': {
        const j = m.with % ps.length;
        [ps[i], ps[j]] = [ps[j], ps[i]];
        break;
      }
      case 'insert':
        ps.splice(i, 0, ' ' + m.piece + ' ');
        break;
      case 'byte': {
        const s = ps[i];
        const k = m.at % Math.max(1, s.length);
        ps[i] = s.slice(0, k) + String.fromCharCode(m.code) + s.slice(k + 1);
        break;
      }
    }
  }
  return ps.join('');
}

function check(entry: string, text: string): void {
  const read = (file: string): string => {
    if (file === entry) return text;
    const t = FILES[file];
    if (t === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return t;
  };
  const r = loadProgram(entry, read);
  for (const d of r.diagnostics) {
    expect(d.code in DIAGNOSTIC_CODES).toBe(true);
    expect(d.span.line).toBeGreaterThanOrEqual(1);
    expect(d.span.column).toBeGreaterThanOrEqual(1);
    expect(d.span.length).toBeGreaterThanOrEqual(1);
    expect(formatDiagnostic(d, r.sources)).toMatch(/^[^:]+:\d+:\d+: (error|warning) IMC\d{3}: /);
  }
  const hasErrors = r.diagnostics.some((d) => d.severity === 'error');
  if (!hasErrors && r.check.entryNetworks === 1) expect(r.design).not.toBeNull();
  if (hasErrors) expect(r.design).toBeNull();
  // formatText throws (a bug) if its output does not parse back to the same AST.
  const f = formatText(text, entry);
  if (f.formatted !== null) expect(formatText(f.formatted, entry).formatted).toBe(f.formatted);
}

describe('fuzzing the front end with mutated examples', () => {
  for (const [file, runs] of [
    ['examples/lenet.imc', 700],
    ['examples/resnet32.imc', 500],
    ['examples/resnet32-speedup.imc', 300],
    ['examples/targets/dazzi2021.imc', 500],
  ] as const) {
    it(`${file}: ${runs} random mutations end in diagnostics or a design, never an exception`, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => check(file, mutate(FILES[file], ms))),
        { numRuns: runs, seed: 20210503 + runs },
      );
    });
  }

  it('survives empty, binary, truncated and enormous inputs', () => {
    check('examples/lenet.imc', '');
    check('examples/lenet.imc', '\u0000\u0001\u0002\ufffd'.repeat(1000));
    const text = FILES['examples/resnet32.imc'];
    for (let cut = 0; cut < text.length; cut += 97) check('examples/resnet32.imc', text.slice(0, cut));
    check('examples/lenet.imc', FILES['examples/lenet.imc'].replace(/\d+/g, '99999999999999999999'));
    check('examples/lenet.imc', FILES['examples/lenet.imc'].replace(/\d+/g, '1e400'));
    check('examples/lenet.imc', FILES['examples/lenet.imc'].replace(/\d+/g, '0'));
    check('examples/lenet.imc', '{'.repeat(5000) + '('.repeat(5000));
    check('examples/lenet.imc', 'network n on t { a = ' + 'relu('.repeat(3000) + 'x' + ')'.repeat(3000) + ' }');
  });
});
