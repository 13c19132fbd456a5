// imcc diff OLD NEW [--unified] [--json]: review of schedule changes. OLD and NEW are two .sched files, two compiled
// output directories (their schedules/*.sched), or a file and a directory (the file against the directory's schedule
// of the same core, as diff(1) compares FILE with DIR/FILE). Exit status as git and diff(1): 0 equal, 1 different,
// 2 error. Also git's external diff driver, which calls it with 7 arguments (path old-file old-hex old-mode new-file
// new-hex new-mode): then it prints git's `diff --git a/PATH b/PATH` line, names the schedule by its repository path
// and exits 0 for equal and different alike, which is what git expects of a driver by default (any version).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import type { ScheduleSet, UnifiedLabels } from '../../diff/scheduleDiff.js';
import { ScheduleFormatError, splitScheduleTexts } from '../../memory/scheduleText.js';
import type { SetStatus } from './index.js';
import { errnoReason, readBoundedText } from '../../support/files.js';
import { ToolError } from '../../diagnostics/index.js';
import { reportError } from '../io.js';
import { UsageError } from '../usage.js';

/** A schedule file larger than this is refused (the largest compiled example's schedules are far below it). */
const MAX_SCHEDULE_BYTES = 256_000_000;

const EXIT_DIFF = { equal: 0, different: 1, error: 2 } as const;

function readText(path: string): string {
  try {
    return readBoundedText(path, MAX_SCHEDULE_BYTES);
  } catch (err) {
    throw new ToolError('IMC074', { path, reason: errnoReason(err) });
  }
}

/** One side of a comparison: its schedules by name, and the path each came from (for unified diff labels). */
interface ScheduleSide {
  set: ScheduleSet;
  pathOf: (name: string) => string;
  isDirectory: boolean;
}

function isDirectory(path: string): boolean {
  if (path === '/dev/null') return false;
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    throw new ToolError('IMC074', { path, reason: errnoReason(err) });
  }
}

/** The core a single schedule text names (`core` header line), for matching a file against a directory. */
function coreFileName(text: string, path: string): string {
  const core = /^core (\S+)$/m.exec(text)?.[1];
  if (core === undefined) {
    const end = text.split('\n').indexOf('--');
    throw new ScheduleFormatError({
      file: path,
      line: end < 0 ? text.split('\n').length : end + 1,
      expected: "a 'core <name>' header line",
      found: end < 0 ? 'end of file' : "the '--' line that ends the header",
    });
  }
  return `${core}.sched`;
}

/**
 * The schedules of one side: a file (one schedule under `name`, or several, as `imcc schedule FILE` prints them, by
 * core), /dev/null (none), or a directory's (schedules/)*.sched. `name` null: a single schedule is named by its core.
 */
function loadSide(path: string, name: string | null): ScheduleSide {
  if (path === '/dev/null') return { set: new Map(), pathOf: () => path, isDirectory: false };
  if (!isDirectory(path)) {
    const text = readText(path);
    const set = splitScheduleTexts(text, name ?? path, path);
    if (set.size === 1 && name === null) return { set: new Map([[coreFileName(text, path), text]]), pathOf: () => path, isDirectory: false };
    return { set, pathOf: (n) => (set.size === 1 ? path : `${path}:${n}`), isDirectory: false };
  }
  const sub = join(path, 'schedules');
  const dir = statSync(sub, { throwIfNoEntry: false })?.isDirectory() ? sub : path;
  const files = readdirSync(dir).filter((f) => f.endsWith('.sched')).sort();
  if (files.length === 0) throw new ToolError('IMC085', { path });
  const set: ScheduleSet = new Map(files.map((f) => [f, readText(join(dir, f))]));
  return { set, pathOf: (n) => join(dir, n), isDirectory: true };
}

/** Loads both sides; a file against a directory is compared with the directory's schedules of the same cores. */
export function loadSides(oldPath: string, newPath: string, gitPath: string | null): [ScheduleSide, ScheduleSide] {
  const mixed = isDirectory(oldPath) !== isDirectory(newPath) && oldPath !== '/dev/null' && newPath !== '/dev/null';
  const name = gitPath ?? (mixed ? null : basename(newPath === '/dev/null' ? oldPath : newPath));
  const sides: [ScheduleSide, ScheduleSide] = [loadSide(oldPath, name), loadSide(newPath, name)];
  if (mixed) {
    const [dirSide, fileSide] = sides[0].isDirectory ? sides : [sides[1], sides[0]];
    for (const n of [...dirSide.set.keys()]) if (!fileSide.set.has(n)) dirSide.set.delete(n);
  }
  return sides;
}

interface DiffOptions {
  unified?: boolean;
  json?: boolean;
}

export function registerDiff(program: Command, setStatus: SetStatus): void {
  program
    .command('diff')
    .description('compare input-memory schedules (two .sched files or two compiled output directories); exit 0 equal, 1 different, 2 error')
    .argument('<old>', 'old .sched file or output directory (or, from git: the path)')
    .argument('<new>', 'new .sched file or output directory (or, from git: the old file)')
    .argument('[git...]', "the rest of git's external diff arguments: old-hex old-mode new-file new-hex new-mode")
    .option('--unified', 'print a unified diff of the schedule text instead of the summary')
    .option('--json', 'print the summary as JSON (schemas/schedule-diff.schema.json)')
    .action(async (oldArg: string, newArg: string, git: string[], opts: DiffOptions) => {
      let oldPath = oldArg;
      let newPath = newArg;
      let gitPath: string | null = null;
      if (git.length === 5) {
        // git: path old-file old-hex old-mode new-file new-hex new-mode
        gitPath = oldArg;
        oldPath = newArg;
        newPath = git[2];
      } else if (git.length !== 0) {
        // Commander cannot say "2 or 7": the count is checked here, under the code of its own excess-arguments error.
        throw new UsageError('IMC096', { command: 'imcc diff', expected: "OLD NEW, or git's 7 arguments", count: 2 + git.length });
      }
      try {
        const [oldSide, newSide] = loadSides(oldPath, newPath, gitPath);
        const { compareScheduleSets, formatScheduleDiff } = await import('../../diff/scheduleDiff.js');
        const comparison = compareScheduleSets(oldSide.set, newSide.set, { old: oldSide.pathOf, new: newSide.pathOf });
        const summary = comparison.summary;
        // git labels both sides with the repository path (a/ and b/); otherwise each side by the file it came from.
        const labels: UnifiedLabels =
          gitPath !== null
            ? { old: (n) => `a/${n}`, new: (n) => `b/${n}`, gitHeader: true }
            : { old: oldSide.pathOf, new: newSide.pathOf, gitHeader: false };
        if (opts.json) {
          const value = opts.unified ? { ...summary, unified: comparison.unified(labels) } : summary;
          const { validateJson } = await import('../../support/schema.js');
          validateJson('schedule-diff', value);
          printJson(value);
        } else if (opts.unified) {
          const text = comparison.unified(labels);
          if (text !== '') printText(text);
        } else {
          const header = gitPath !== null ? `diff --git a/${gitPath} b/${gitPath}\n` : '';
          printText(header + formatScheduleDiff(summary));
        }
        setStatus(summary.equal || gitPath !== null ? EXIT_DIFF.equal : EXIT_DIFF.different);
      } catch (err) {
        // Exit status 2 for bad input, as diff(1), where other commands exit 1.
        if (err instanceof ToolError) {
          reportError(err);
          setStatus(EXIT_DIFF.error);
          return;
        }
        throw err;
      }
    });
}
