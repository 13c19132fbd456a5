// The layout shows the architecture (docs/pipeline.md "Phases and layering"): phases are folders of src/ that depend
// in one direction, and tests mirror src/. Both are read from the files themselves, so a move or an import that
// breaks either fails here rather than in review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Each phase's place in the order: a module may import only its own folder or an earlier one (lower rank). The
 * pipeline folder holds both ends of the emitters: the Program they read (computed before them) and the compile
 * driver that runs them, so its two files are ranked apart.
 */
const RANK: ReadonlyArray<readonly [prefix: string, rank: number]> = [
  ['support', 0],
  ['diagnostics', 1],
  ['dsl', 2],
  ['ir', 3],
  ['mapping', 4],
  ['memory', 5],
  ['dataflow', 6],
  ['diff', 6],
  ['reference', 7],
  ['import', 8],
  ['optimize', 8],
  ['pipeline/program.ts', 8.5],
  ['emit', 9],
  ['pipeline', 10],
  ['verify', 11],
  ['lsp', 11],
  ['cli', 12],
  ['index.ts', 13],
];

function rankOf(file: string): { prefix: string; rank: number } | undefined {
  const matches = RANK.filter(([prefix]) => file === prefix || file.startsWith(`${prefix}/`));
  const [prefix, rank] = matches.sort((a, b) => b[0].length - a[0].length)[0] ?? [];
  return prefix === undefined || rank === undefined ? undefined : { prefix, rank };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Relative module specifiers of static, type-only, re-export and dynamic imports. */
function importedFiles(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => posix.normalize(posix.join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

describe('layout', () => {
  it('every src module belongs to a ranked phase and imports no later phase', () => {
    const sources = filesUnder('src').filter((f) => f.endsWith('.ts'));
    const unranked = sources.map((f) => relative('src', f)).filter((f) => rankOf(f) === undefined);
    expect(unranked).toEqual([]);
    const violations: string[] = [];
    for (const file of sources) {
      const from = rankOf(relative('src', file))!;
      for (const target of importedFiles(file)) {
        const to = rankOf(relative('src', target));
        if (to === undefined || to.prefix === from.prefix) continue;
        if (to.rank >= from.rank) violations.push(`${file} (${from.prefix}) imports ${target} (${to.prefix})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the rank check sees type-only and dynamic imports', () => {
    // The check is only as good as the import scan: a type-only import still ties a phase to a later one.
    const specs = importedFiles('src/cli/commands/compile.ts').concat(importedFiles('src/emit/rtl/index.ts'));
    expect(specs).toContain('src/pipeline/compile.ts');
    expect(specs).toContain('src/pipeline/program.ts');
  });

  it('tests mirror src/: every test file sits in the folder of the src folder it tests', () => {
    // Not phases: e2e (tests that span phases: generated/ and whole features from language to RTL), architecture
    // (this file), support (helpers shared by many folders), diagnostics (the code catalogue's golden cases).
    const notPhases = new Set(['e2e', 'architecture', 'support', 'diagnostics']);
    const misplaced = filesUnder('test')
      .filter((f) => f.endsWith('.test.ts'))
      .filter((f) => {
        const folder = dirname(relative('test', f));
        if (notPhases.has(folder.split('/')[0]!)) return false;
        return folder === '.' || !statSync(join('src', folder), { throwIfNoEntry: false })?.isDirectory();
      });
    expect(misplaced).toEqual([]);
  });
});
