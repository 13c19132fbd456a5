// Golden test per language diagnostic code (IMC001-IMC049): each case in cases.ts must print exactly its section
// of golden.txt, and must report its own code. The catalogue's own checks are in catalogue.test.ts.
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics/index.js';
import { CASES, runCase } from './cases.js';
import { runCli } from '../support/cli.js';

const golden = new Map<string, string>();
{
  const text = readFileSync(new URL('./golden.txt', import.meta.url), 'utf8');
  for (const section of text.split(/^=== /m).slice(1)) {
    const nl = section.indexOf('\n');
    golden.set(section.slice(0, nl).trim(), section.slice(nl + 1).replace(/\n$/, ''));
  }
}

const languageCodes = Object.keys(DIAGNOSTIC_CODES).filter((c) => Number(c.slice(3)) <= 49);

describe('diagnostic registry', () => {
  it('every language code has a golden case (IMC036 and IMC039 are tested through imcc fmt below)', () => {
    const covered = new Set([...CASES.map((c) => c.code), 'IMC036', 'IMC039']);
    expect(languageCodes.filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe('golden diagnostics', () => {
  for (const c of CASES) {
    it(`${c.code}: ${DIAGNOSTIC_CODES[c.code as keyof typeof DIAGNOSTIC_CODES]}`, () => {
      const out = runCase(c);
      expect(out).toMatch(new RegExp(`(error|warning) ${c.code}:`));
      expect(out).toBe(golden.get(c.code));
    });
  }

  it('IMC039: imcc fmt of a file without declarations (empty, or only comments) is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-fmt-'));
    try {
      for (const text of ['', '\n\n', '// only a comment\n']) {
        const file = join(dir, 'empty.imc');
        writeFileSync(file, text);
        const run = await runCli(['fmt', '--write', file]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`${file}:1:1: error IMC039: ${file} has no declarations (import, target or network): nothing to format\n`);
        expect(readFileSync(file, 'utf8')).toBe(text);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('IMC036: imcc fmt --write cannot write the formatted file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-fmt-'));
    try {
      // The temporary file beside FILE is named after it: at 250 characters there is no room left for its suffix.
      const file = join(dir, `${'a'.repeat(246)}.imc`);
      writeFileSync(file, 'target t {\n    grid 2x2\n}\n');
      const run = await runCli(['fmt', '--write', file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${file}:1:1: error IMC036: cannot write ${file}`);
      expect(readFileSync(file, 'utf8')).toBe('target t {\n    grid 2x2\n}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
