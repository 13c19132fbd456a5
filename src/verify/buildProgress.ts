// Progress of a Verilator build read from its own output (imcc verify's progress bar): Verilator's make prints one
// `-c -o X.o` compiler line per C++ file, and the makefiles it wrote say how many there will be.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeList } from './makefile.js';

export interface BuildProgress {
  /** C++ files whose compilation has started. */
  compiled: number;
  /** C++ files the build compiles in all, once Verilator has written its makefiles (null before, or if unreadable). */
  total: number | null;
}

/** True for a compiler line of the build (one per C++ file), false for linking, archiving and make's own lines. */
export function isCompileLine(line: string): boolean {
  return /\s-c\s+-o\s+\S+\.o(\s|$)/.test(line);
}

/**
 * C++ files the build of `prefix` (V<top>) in `mdir` compiles: the user's (the testbench), Verilator's run-time
 * library when this build compiles it (`withRuntime`; otherwise it comes from the cache, ./verilatorRuntime.ts), and
 * the design's classes, which are one `__ALL` file unless parallel builds split them.
 */
export function plannedCompileUnits(mdir: string, prefix: string, withRuntime: boolean): number | null {
  try {
    const top = readFileSync(join(mdir, `${prefix}.mk`), 'utf8');
    const classes = readFileSync(join(mdir, `${prefix}_classes.mk`), 'utf8');
    const user = makeList(top, 'VM_USER_CLASSES').length;
    const global = makeList(classes, 'VM_GLOBAL_FAST').length + makeList(classes, 'VM_GLOBAL_SLOW').length;
    const parallel = /^VM_PARALLEL_BUILDS\s*=\s*1/m.test(classes);
    const design = parallel
      ? ['VM_CLASSES_FAST', 'VM_CLASSES_SLOW', 'VM_SUPPORT_FAST', 'VM_SUPPORT_SLOW'].reduce((n, v) => n + makeList(classes, v).length, 0)
      : 1;
    return user + (withRuntime ? global : 0) + design;
  } catch {
    return null;
  }
}

/** The progress as the bar shows it: `build: 3/5 C++ files` (`build: 3 C++ files` while the total is unknown). */
export function formatBuildProgress(p: BuildProgress): string {
  if (p.total === null) return `build: ${p.compiled} C++ file${p.compiled === 1 ? '' : 's'}`;
  return `build: ${Math.min(p.compiled, p.total)}/${p.total} C++ files`;
}
