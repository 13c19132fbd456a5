// The catalogue (src/diagnostics/catalogue.ts): every code has a severity, a one-line description, a template whose
// placeholders are names, and a test that triggers it; every message a check emits is its code's template filled in.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  diagnostic,
  diagnosticMessage,
  isDiagnosticCode,
  templatePlaceholders,
  ToolError,
  type AnyDiagnosticCode,
  type CatalogueEntry,
  type RetiredEntry,
} from '../../src/diagnostics/index.js';
import { CASES } from './cases.js';
import { loadProgram } from '../../src/ir/load.js';
import { templatePattern } from './templates.js';

const entries = Object.entries(CATALOGUE) as Array<[AnyDiagnosticCode, CatalogueEntry | RetiredEntry]>;
const active = entries.filter((e): e is [AnyDiagnosticCode, CatalogueEntry] => !('retired' in e[1]));

/** A template with no words of its own: what remains without its placeholders has no two letters in a row. */
const isPassThrough = (template: string): boolean => !/[A-Za-z]{2,}/.test(template.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, ''));

function testFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|txt)$/.test(name) && !p.endsWith('catalogue.test.ts')) files.push(p);
    }
  };
  walk(new URL('..', import.meta.url).pathname);
  return files;
}

describe('diagnostic catalogue', () => {
  it('every code is IMCnnn; an active one has a severity, a one-line description and a template of named arguments', () => {
    for (const [code, e] of entries) {
      expect(code).toMatch(/^IMC\d{3}$/);
      if ('retired' in e) {
        expect(e.retired.length).toBeGreaterThan(10);
        continue;
      }
      expect(['error', 'warning']).toContain(e.severity);
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.description).not.toContain('\n');
      expect(e.template.trim()).not.toBe('');
      // Braces in a template are either a {name} placeholder or literal text with a space inside ({ ... }).
      for (const m of e.template.matchAll(/\{([^}]*)\}/g)) expect(m[1], `${code}: {${m[1]}}`).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$|\s/);
    }
  });

  it('every active code is triggered by some test (its code appears in a test file or golden output)', () => {
    const text = testFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(active.map(([code]) => code).filter((code) => !text.includes(code))).toEqual([]);
  });

  it('a retired code cannot be reported', () => {
    expect(isDiagnosticCode('IMC104')).toBe(false);
    expect(() => diagnostic('IMC104' as 'IMC026', { file: 'a.imc', line: 1, column: 1, length: 1 }, { input: 'r', kind: 'relu' })).toThrow(/retired/);
  });

  it('fills a template from named arguments; a repeated name repeats its value', () => {
    expect(diagnosticMessage('IMC050', { total: 9, weightLayers: 3, split: 1, tileRows: 64, tileCols: 64, gridRows: 2, gridCols: 2, gridCores: 4 })).toBe(
      'the network needs 9 cores (3 weight layers, 1 of them split over several tiles of 64x64), but the 2x2 grid has 4',
    );
    expect(templatePlaceholders(CATALOGUE.IMC070.template)).toEqual(['core', 'layer', 'layout', 'height', 'columns', 'pixelBits', 'words', 'wordBits', 'depth', 'alternatives']);
    expect(new ToolError('IMC073', { core: 'c9', file: 'n.imc', ids: 'c0, c1' }).message).toBe("no core 'c9' in n.imc; its cores are c0, c1");
  });

  it('no template is a bare pass-through of a whole message', () => {
    expect(isPassThrough('{message}')).toBe(true);
    expect(isPassThrough('{file}:{line}: {problem}')).toBe(true);
    expect(isPassThrough('expected {expected}, found {found}')).toBe(false);
    // None is left: the last, IMC256 (the .npy reader's reasons), became one code per rule (IMC256, IMC277-IMC285).
    expect(active.filter(([, e]) => isPassThrough(e.template)).map(([code]) => code)).toEqual([]);
  });

  it('every message of the language golden cases is its code\'s template filled in, with its severity', () => {
    let checked = 0;
    for (const c of CASES) {
      const result = loadProgram('main.imc', (file) => {
        const text = c.files[file];
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
        return text;
      });
      for (const d of result.diagnostics) {
        const e = CATALOGUE[d.code] as CatalogueEntry;
        expect(d.message, d.code).toMatch(templatePattern(e.template));
        expect(d.severity, d.code).toBe(e.severity);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(CASES.length);
  });

  it('no phase builds a diagnostic by hand: severity and message come only from diagnostic()', () => {
    const src = new URL('../../src', import.meta.url).pathname;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) {
          if (!p.endsWith('/diagnostics')) walk(p);
        } else if (name.endsWith('.ts') && /severity: '(error|warning)'/.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
  });
});
