// Reads the entry file and, depth first, every file it imports (each once), parses them and runs the semantic
// checks. Paths stay as the user gave them (imports resolved against the importing file's directory) so diagnostics
// and recorded sources are machine independent.
import path from 'node:path';
import type { Located, SourceFile } from '../dsl/ast.js';
import { diagnostic, sortDiagnostics, type Diagnostic, type SourceSpan } from '../diagnostics/index.js';
import { parseSource, SYNTAX_CODES } from '../dsl/parse.js';
import type { IrDesign } from './types.js';
import { checkProgram, type ProgramCheck } from './check.js';
import { Diagnostics } from '../diagnostics/index.js';
import { canonicalPath, errnoReason, printablePath, readBoundedText } from '../support/files.js';

/** Larger source files are refused: no hand-written network is anywhere near this. */
export const MAX_SOURCE_BYTES = 4_000_000;

export interface LoadResult {
  design: IrDesign | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export interface ProgramResult extends LoadResult {
  check: ProgramCheck;
  files: SourceFile[];
}

/** Reads a source file (tests pass an in-memory one); throws like fs.readFileSync on failure. */
export type Reader = (file: string) => string;

function readSource(file: string): string {
  return readBoundedText(file, MAX_SOURCE_BYTES);
}

/** Joins an import path to the importing file's directory, keeping relative paths relative (POSIX separators). */
export function importPath(importer: string, imported: string): string {
  if (path.isAbsolute(imported)) return path.normalize(imported);
  return path.posix.normalize(path.posix.join(path.posix.dirname(importer.split(path.sep).join('/')), imported));
}

/**
 * Drops follow-on errors: semantic errors on a line that already has a syntax error (recovery guessed there), and
 * unknown-target errors when an import failed (the target was probably in the missing file).
 */
function withoutEchoes(list: readonly Diagnostic[]): Diagnostic[] {
  const syntaxLines = new Set(list.filter((d) => SYNTAX_CODES.has(d.code)).map((d) => `${d.span.file}:${d.span.line}`));
  const importFailed = list.some((d) => d.code === 'IMC003' || d.code === 'IMC223' || d.code === 'IMC004');
  return list.filter((d) => {
    if (SYNTAX_CODES.has(d.code)) return true;
    if (d.code === 'IMC021' && importFailed) return false;
    return !syntaxLines.has(`${d.span.file}:${d.span.line}`);
  });
}

/** At most this many diagnostics are reported per run (then IMC038 says how many more there were). */
export const MAX_DIAGNOSTICS = 100;

function capped(sorted: Diagnostic[]): Diagnostic[] {
  if (sorted.length <= MAX_DIAGNOSTICS) return sorted;
  const next = sorted[MAX_DIAGNOSTICS];
  return [
    ...sorted.slice(0, MAX_DIAGNOSTICS),
    diagnostic('IMC038', next.span, { hidden: sorted.length - MAX_DIAGNOSTICS }),
  ];
}

/** Parses the entry file and its imports and checks the whole program (targets, the entry network). */
export function loadProgram(entryPath: string, read: Reader = readSource): ProgramResult {
  const diags = new Diagnostics();
  const sources = new Map<string, string>();
  const files: SourceFile[] = [];
  const loaded = new Set<string>();

  const visit = (display: string, importedAt: Located | undefined, stack: { abs: string; display: string }[]): void => {
    const abs = canonicalPath(display);
    const cycleAt = stack.findIndex((s) => s.abs === abs);
    if (cycleAt >= 0 && importedAt) {
      const cycle = [...stack.slice(cycleAt).map((s) => s.display), display].map(printablePath).join(' -> ');
      diags.report('IMC004', importedAt, { cycle });
      return;
    }
    if (loaded.has(abs)) return;
    loaded.add(abs);
    let text: string;
    try {
      text = read(display);
    } catch (err) {
      const span: SourceSpan = importedAt ? importedAt.span : { file: display, line: 1, column: 1, length: 1 };
      diags.add(diagnostic('IMC003', span, { file: printablePath(display), reason: errnoReason(err) }));
      return;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    sources.set(display, text);
    const parsed = parseSource(text, display);
    for (const d of parsed.diagnostics) diags.add(d);
    files.push(parsed.ast);
    for (const decl of parsed.ast.declarations) {
      if (decl.kind !== 'import' || !decl.path) continue;
      if (decl.path.value.trim() === '') {
        diags.report('IMC223', decl.path, {});
        continue;
      }
      visit(importPath(display, decl.path.value), decl.path, [...stack, { abs, display }]);
    }
  };
  visit(entryPath, undefined, []);

  const check = checkProgram(files, diags);
  const errors = diags.list.some((d) => d.severity === 'error');
  return { design: errors ? null : check.design, diagnostics: capped(sortDiagnostics(withoutEchoes(diags.list))), sources, check, files };
}

/** The entry point every later phase uses: the checked design of FILE, or null and the diagnostics saying why. */
export function loadDesign(entryPath: string, read: Reader = readSource): LoadResult {
  const program = loadProgram(entryPath, read);
  const diagnostics = [...program.diagnostics];
  const entry = program.files[0];
  if (entry && program.check.entryNetworks === 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(
      diagnostic('IMC212', { file: entry.file, line: 1, column: 1, length: 1 }, { file: entry.file, detail: ' (write: network NAME on TARGET { ... })' }),
    );
  }
  return { design: diagnostics.some((d) => d.severity === 'error') ? null : program.design, diagnostics: sortDiagnostics(diagnostics), sources: program.sources };
}
