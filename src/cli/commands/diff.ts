// imcc diff OLD NEW [--unified] [--json]: review of schedule changes. OLD and NEW are two .sched files or two
// compiled output directories (their schedules/*.sched). Exit status as git and diff(1): 0 equal, 1 different,
// 2 error. Also usable as git's external diff driver, which calls it with 7 arguments:
// path old-file old-hex old-mode new-file new-hex new-mode.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import { diffScheduleSets, formatScheduleDiff, unifiedScheduleDiff, type ScheduleSet } from '../../emit/scheduleDiff.js';
import { ScheduleFormatError, splitScheduleTexts } from '../../emit/schedules.js';
import { validateJson } from '../../support/schema.js';
import type { SetStatus } from './index.js';
import { errnoReason, readBoundedText } from '../../support/files.js';

/** A schedule file larger than this is refused (the largest compiled example's schedules are far below it). */
const MAX_SCHEDULE_BYTES = 256_000_000;

const EXIT_DIFF = { equal: 0, different: 1, error: 2 } as const;

class DiffInputError extends Error {}

function readText(path: string): string {
  try {
    return readBoundedText(path, MAX_SCHEDULE_BYTES);
  } catch (err) {
    throw new DiffInputError(`cannot read ${path}: ${errnoReason(err)}`);
  }
}

/**
 * The schedules of one side: a file (one schedule under `name`, or several, as `imcc schedule FILE` prints them, by
 * core), /dev/null (none), or a directory's (schedules/)*.sched.
 */
export function loadScheduleSide(path: string, name: string): ScheduleSet {
  const set: ScheduleSet = new Map();
  if (path === '/dev/null') return set;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new DiffInputError(`cannot read ${path}`);
  }
  if (!stat.isDirectory()) return splitScheduleTexts(readText(path), name);
  const sub = join(path, 'schedules');
  const dir = statSync(sub, { throwIfNoEntry: false })?.isDirectory() ? sub : path;
  const files = readdirSync(dir).filter((f) => f.endsWith('.sched')).sort();
  if (files.length === 0) throw new DiffInputError(`${path} holds no schedules (no schedules/*.sched, no *.sched)`);
  for (const f of files) set.set(f, readText(join(dir, f)));
  return set;
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
    .action((oldArg: string, newArg: string, git: string[], opts: DiffOptions) => {
      let oldPath = oldArg;
      let newPath = newArg;
      let label: string | undefined;
      if (git.length === 5) {
        // git: path old-file old-hex old-mode new-file new-hex new-mode
        label = basename(oldArg);
        oldPath = newArg;
        newPath = git[2];
      } else if (git.length !== 0) {
        process.stderr.write(`imcc: error: diff takes OLD NEW, or git's 7 arguments (got ${2 + git.length})\n`);
        setStatus(EXIT_DIFF.error);
        return;
      }
      try {
        const fileName = label ?? basename(newPath === '/dev/null' ? oldPath : newPath);
        const oldSet = loadScheduleSide(oldPath, fileName);
        const newSet = loadScheduleSide(newPath, fileName);
        const summary = diffScheduleSets(oldSet, newSet);
        if (opts.json) {
          const value = opts.unified ? { ...summary, unified: unifiedScheduleDiff(oldSet, newSet) } : summary;
          validateJson('schedule-diff', value);
          printJson(value);
        } else if (opts.unified) {
          const text = unifiedScheduleDiff(oldSet, newSet);
          if (text !== '') printText(text);
        } else {
          printText(formatScheduleDiff(summary));
        }
        setStatus(summary.equal ? EXIT_DIFF.equal : EXIT_DIFF.different);
      } catch (err) {
        if (err instanceof DiffInputError || err instanceof ScheduleFormatError) {
          process.stderr.write(`imcc: error IMC074: ${err.message}\n`);
          setStatus(EXIT_DIFF.error);
          return;
        }
        throw err;
      }
    });
}
