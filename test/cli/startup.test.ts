// Start-up cost (issue 13): what `imcc --version` or any command loads before its action runs is the static import
// graph of src/cli/main.ts. It may hold commander and the CLI's own small modules, never a phase's heavy libraries
// (chevrotain, ajv, handlebars, the diff package, cli-progress, ts-morph): commands import those inside their
// action. The figures themselves (whole processes, CPU seconds) are in `npm run bench` (bench/cli.ts).
import { describe, expect, it } from 'vitest';
import { dirname, resolve } from 'node:path';
import { Project } from 'ts-morph';

/** Modules loaded by evaluating `entry`: static imports and re-exports that are not type-only. */
function staticImportGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const project = new Project({ tsConfigFilePath: 'tsconfig.json', skipAddingFilesFromTsConfig: true });
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = project.addSourceFileAtPath(file);
    const specifiers = [
      ...source
        .getImportDeclarations()
        .filter((d) => !d.isTypeOnly() && (d.getDefaultImport() || d.getNamespaceImport() || d.getNamedImports().some((n) => !n.isTypeOnly()) || !d.getImportClause()))
        .map((d) => d.getModuleSpecifierValue()),
      ...source
        .getExportDeclarations()
        .filter((d) => !d.isTypeOnly() && d.getModuleSpecifierValue() !== undefined && d.getNamedExports().some((n) => !n.isTypeOnly()))
        .map((d) => d.getModuleSpecifierValue()!),
    ];
    for (const spec of specifiers) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  }
  return { files, packages };
}

describe('CLI start-up', () => {
  it('loads no phase library before a command runs (only commander)', () => {
    const { files, packages } = staticImportGraph('src/cli/main.ts');
    expect([...packages].sort()).toEqual(['commander']);
    const phases = [...files].map((f) => f.slice(resolve('src').length + 1)).filter((f) => !f.startsWith('cli/'));
    // Only the diagnostic registry and the light halves of phases (option limits, schedule text reading: `imcc diff`
    // reads .sched text with memory/scheduleText.ts, which imports nothing).
    expect(phases.filter((f) => /^(mapping|memory\/(?!scheduleText\.ts$)|dataflow|reference|verify|pipeline|diff|emit\/(rtl|configs))/.test(f))).toEqual([]);
    // The parser (chevrotain is loaded through src/dsl/chevrotain.ts, so it shows as a file, not a package).
    expect(phases.filter((f) => /^(dsl\/(parse|lexer|parser|visitor|chevrotain)|ir\/(network|load|check))\.ts$/.test(f))).toEqual([]);
  });
});
