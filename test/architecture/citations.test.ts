// The repository stands on its own: every repository path that the docs, the README, the sources, templates and
// tests cite exists (so a move that forgets a reference fails here), and nothing cites the design notes that were
// never part of it (DESIGN.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CITING = /\.(md|ts|hbs|py|mjs)$/;
// A path under one of the repository's top folders with a file extension; a path followed by `:line` is a
// diagnostic quoted in the docs (examples/bad.imc:23:24), not a citation.
const CITED = /\b(?:src|test|docs|templates|schemas|bench|examples|scripts|editors)\/[A-Za-z0-9_./-]+\.(?:ts|md|hbs|json|py|imc|npz)\b(?!:\d)/g;

function citingFiles(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\n');
  return files.filter((f) => CITING.test(f) && !f.startsWith('generated/') && existsSync(f));
}

describe('citations', () => {
  const files = citingFiles();

  it('every cited repository path exists', () => {
    const missing: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(CITED)) if (!existsSync(m[0])) missing.push(`${file}: ${m[0]}`);
    }
    expect(missing).toEqual([]);
  });

  it('no file cites DESIGN.md', () => {
    expect(files.filter((f) => readFileSync(f, 'utf8').includes('DESIGN.md') && f !== 'test/architecture/citations.test.ts')).toEqual([]);
  });
});
