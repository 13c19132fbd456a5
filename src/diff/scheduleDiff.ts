// `imcc diff`: compares schedules for review. Per core that changed: the first differing line (with its timestep),
// how many lines were removed and added, and whether the change is only a shift in time (the same operations and
// addresses at other timesteps), a change of addresses, or a change of the operations themselves. Lines are aligned
// by timestep (./scheduleAlign.ts), so the cost is linear in the schedules' length.
import { parseScheduleText, SCHEDULE_FORMAT_VERSION, type ScheduleText } from '../memory/scheduleText.js';
import { alignOperations, alignShort, countEdits, type EditRun } from './scheduleAlign.js';
import { unifiedHunks } from './unifiedDiff.js';

export type ChangeKind = 'time-shift' | 'addresses' | 'operations' | 'header';

export interface CoreDiff {
  /** File name (core id + .sched) the comparison is about. */
  name: string;
  status: 'changed' | 'added' | 'removed';
  change: ChangeKind | null;
  /** First differing operation line (null when only the header differs, or for an added/removed core). */
  firstTimestep: number | null;
  oldLine: string | null;
  newLine: string | null;
  linesRemoved: number;
  linesAdded: number;
  headerChanges: Array<{ key: string; old: string | null; new: string | null }>;
}

export interface ScheduleDiff {
  equal: boolean;
  cores: CoreDiff[];
}

/** A schedule side of a comparison: file name -> text, absent when a core exists on one side only. */
export type ScheduleSet = Map<string, string>;

const stripTime = (line: string): string => line.slice(line.indexOf(' ') + 1);
const stripAddress = (line: string): string => stripTime(line).replace(/ word=\S+ bit=\d+/, '');

function sameAfter(a: readonly string[], b: readonly string[], strip: (line: string) => string): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i] || strip(l) === strip(b[i]));
}

/** Every line of a parsed schedule, as in the file. */
function fileLines(s: ScheduleText): string[] {
  return [`imcc-schedule ${SCHEDULE_FORMAT_VERSION}`, ...s.headerLines, '--', ...s.opLines];
}

/** Edit script of a whole schedule file: the fixed first line and `--` are kept, header and operations aligned. */
function fileEdits(oldSched: ScheduleText, newSched: ScheduleText, opEdits: readonly EditRun[]): EditRun[] {
  const keep: EditRun = { op: 'keep', count: 1 };
  return [keep, ...alignShort(oldSched.headerLines, newSched.headerLines), { ...keep }, ...opEdits];
}

function diffParsed(name: string, oldSched: ScheduleText, newSched: ScheduleText): { diff: CoreDiff; edits: EditRun[] } | null {
  const headerChanges: CoreDiff['headerChanges'] = [];
  const keys = [...new Set([...oldSched.header.keys(), ...newSched.header.keys()])];
  for (const key of keys) {
    const o = oldSched.header.get(key) ?? null;
    const n = newSched.header.get(key) ?? null;
    // `ops` is a count of lines: it follows from the operations, reported through them.
    if (o !== n && key !== 'ops') headerChanges.push({ key, old: o, new: n });
  }
  const a = oldSched.opLines;
  const b = newSched.opLines;
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const opsEqual = first === a.length && first === b.length;
  if (opsEqual && headerChanges.length === 0 && oldSched.headerLines.join('\n') === newSched.headerLines.join('\n')) return null;
  const times = [oldSched.timesteps[first], newSched.timesteps[first]].filter((t): t is number => t !== undefined);
  let change: ChangeKind;
  if (opsEqual) change = 'header';
  else if (sameAfter(a, b, stripTime)) change = 'time-shift';
  else if (sameAfter(a, b, stripAddress)) change = 'addresses';
  else change = 'operations';
  const opEdits = opsEqual ? [{ op: 'keep' as const, count: a.length }] : alignOperations(a, oldSched.timesteps, b, newSched.timesteps);
  const edits = fileEdits(oldSched, newSched, opEdits);
  const counts = countEdits(edits);
  const diff: CoreDiff = {
    name,
    status: 'changed',
    change,
    firstTimestep: opsEqual ? null : Math.min(...times),
    oldLine: opsEqual ? null : (a[first] ?? null),
    newLine: opsEqual ? null : (b[first] ?? null),
    linesRemoved: counts.removed,
    linesAdded: counts.added,
    headerChanges,
  };
  return { diff, edits };
}

export function diffScheduleTexts(name: string, oldSched: ScheduleText, newSched: ScheduleText): CoreDiff | null {
  return diffParsed(name, oldSched, newSched)?.diff ?? null;
}

/** How to label the two sides of a unified diff: `---`/`+++` names per schedule, and git's `diff --git` line. */
export interface UnifiedLabels {
  old: (name: string) => string;
  new: (name: string) => string;
  /** Print `diff --git a/<path> b/<path>` before each file, as git does. */
  gitHeader: boolean;
}

/** A comparison of two schedule sets: the review summary, and the unified diff text on demand. */
export interface ScheduleComparison {
  summary: ScheduleDiff;
  unified(labels: UnifiedLabels): string;
}

/** Where a schedule of each side came from, for the messages of ScheduleFormatError (by default `old NAME`, `new NAME`). */
export interface ScheduleSources {
  old: (name: string) => string;
  new: (name: string) => string;
}

/** Compares two sets of schedules (by file name). Texts that are not schedules throw ScheduleFormatError. */
export function compareScheduleSets(
  oldSet: ScheduleSet,
  newSet: ScheduleSet,
  sources: ScheduleSources = { old: (name) => `old ${name}`, new: (name) => `new ${name}` },
): ScheduleComparison {
  const names = [...new Set([...oldSet.keys(), ...newSet.keys()])].sort();
  const cores: CoreDiff[] = [];
  const patches: Array<{ name: string; oldLines: string[] | null; newLines: string[] | null; edits: EditRun[] }> = [];
  for (const name of names) {
    const o = oldSet.get(name);
    const n = newSet.get(name);
    const parsedOld = o === undefined ? null : parseScheduleText(o, sources.old(name));
    const parsedNew = n === undefined ? null : parseScheduleText(n, sources.new(name));
    if (parsedOld && parsedNew) {
      const d = diffParsed(name, parsedOld, parsedNew);
      if (d) {
        cores.push(d.diff);
        patches.push({ name, oldLines: fileLines(parsedOld), newLines: fileLines(parsedNew), edits: d.edits });
      }
      continue;
    }
    const only = (parsedOld ?? parsedNew)!;
    const lines = fileLines(only);
    cores.push({
      name,
      status: parsedOld ? 'removed' : 'added',
      change: null,
      firstTimestep: null,
      oldLine: null,
      newLine: null,
      linesRemoved: parsedOld ? lines.length : 0,
      linesAdded: parsedOld ? 0 : lines.length,
      headerChanges: [],
    });
    patches.push({
      name,
      oldLines: parsedOld ? lines : null,
      newLines: parsedOld ? null : lines,
      edits: [{ op: parsedOld ? 'remove' : 'add', count: lines.length }],
    });
  }
  return {
    summary: { equal: cores.length === 0, cores },
    unified(labels) {
      let out = '';
      for (const p of patches) {
        const a = labels.old(p.name);
        const b = labels.new(p.name);
        if (labels.gitHeader) out += `diff --git ${a} ${b}\n`;
        out += `--- ${p.oldLines ? a : '/dev/null'}\n+++ ${p.newLines ? b : '/dev/null'}\n`;
        out += unifiedHunks(p.oldLines ?? [], p.newLines ?? [], p.edits);
      }
      return out;
    },
  };
}

/** The review summary of two schedule sets (see compareScheduleSets). */
export function diffScheduleSets(oldSet: ScheduleSet, newSet: ScheduleSet): ScheduleDiff {
  return compareScheduleSets(oldSet, newSet).summary;
}

const CHANGE_TEXT: Record<ChangeKind, string> = {
  'time-shift': 'only a shift in time (same operations and addresses, other timesteps)',
  addresses: 'addresses changed (same operations and pixels)',
  operations: 'operations changed',
  header: 'header only',
};

/** The review summary `imcc diff` prints. */
export function formatScheduleDiff(d: ScheduleDiff): string {
  if (d.equal) return 'schedules are equal\n';
  const out: string[] = [];
  for (const c of d.cores) {
    if (c.status !== 'changed') {
      out.push(`${c.name}: ${c.status} (${c.status === 'added' ? c.linesAdded : c.linesRemoved} lines)`);
      continue;
    }
    out.push(`${c.name}: ${c.linesRemoved + c.linesAdded} lines differ (${c.linesRemoved} removed, ${c.linesAdded} added); ${CHANGE_TEXT[c.change!]}`);
    for (const h of c.headerChanges) out.push(`  header ${h.key}: ${h.old ?? '(none)'} -> ${h.new ?? '(none)'}`);
    if (c.firstTimestep !== null) {
      out.push(`  first difference at timestep ${c.firstTimestep}:`);
      out.push(`  - ${c.oldLine ?? '(end of schedule)'}`);
      out.push(`  + ${c.newLine ?? '(end of schedule)'}`);
    }
  }
  const changed = d.cores.length;
  out.push(`${changed} schedule${changed === 1 ? ' differs' : 's differ'}`);
  return out.join('\n') + '\n';
}
