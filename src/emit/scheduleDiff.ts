// `imcc diff`: compares schedules for review. Per core that changed: the first differing line (with its timestep),
// how many lines were removed and added (Myers diff from the `diff` package), and whether the change is only a
// shift in time (the same operations and addresses at other timesteps), a change of addresses, or a change of the
// operations themselves.
import { diffArrays, createTwoFilesPatch } from 'diff';
import { parseScheduleText, type ScheduleText } from './schedules.js';

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

function countChanges(a: readonly string[], b: readonly string[]): { removed: number; added: number } {
  let removed = 0;
  let added = 0;
  for (const part of diffArrays(a as string[], b as string[])) {
    if (part.removed) removed += part.count ?? part.value.length;
    else if (part.added) added += part.count ?? part.value.length;
  }
  return { removed, added };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

export function diffScheduleTexts(name: string, oldSched: ScheduleText, newSched: ScheduleText): CoreDiff | null {
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
  const opsEqual = sameLines(a, b);
  if (opsEqual && headerChanges.length === 0) return null;
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const oldLine = opsEqual ? null : (a[first] ?? null);
  const newLine = opsEqual ? null : (b[first] ?? null);
  const times = [oldSched.timesteps[first], newSched.timesteps[first]].filter((t): t is number => t !== undefined);
  let change: ChangeKind;
  if (opsEqual) change = 'header';
  else if (sameLines(a.map(stripTime), b.map(stripTime))) change = 'time-shift';
  else if (sameLines(a.map(stripAddress), b.map(stripAddress))) change = 'addresses';
  else change = 'operations';
  const counts = opsEqual ? { removed: 0, added: 0 } : countChanges(a, b);
  const headerCounts = countChanges(oldSched.headerLines, newSched.headerLines);
  return {
    name,
    status: 'changed',
    change,
    firstTimestep: opsEqual ? null : Math.min(...times),
    oldLine,
    newLine,
    linesRemoved: counts.removed + headerCounts.removed,
    linesAdded: counts.added + headerCounts.added,
    headerChanges,
  };
}

/** Compares two sets of schedules (by file name). Texts that are not schedules throw ScheduleFormatError. */
export function diffScheduleSets(oldSet: ScheduleSet, newSet: ScheduleSet): ScheduleDiff {
  const names = [...new Set([...oldSet.keys(), ...newSet.keys()])].sort();
  const cores: CoreDiff[] = [];
  for (const name of names) {
    const o = oldSet.get(name);
    const n = newSet.get(name);
    const parsedOld = o === undefined ? null : parseScheduleText(o, `old ${name}`);
    const parsedNew = n === undefined ? null : parseScheduleText(n, `new ${name}`);
    if (parsedOld && parsedNew) {
      const d = diffScheduleTexts(name, parsedOld, parsedNew);
      if (d) cores.push(d);
      continue;
    }
    const only = (parsedOld ?? parsedNew)!;
    const lines = only.headerLines.length + only.opLines.length + 2;
    cores.push({
      name,
      status: parsedOld ? 'removed' : 'added',
      change: null,
      firstTimestep: null,
      oldLine: null,
      newLine: null,
      linesRemoved: parsedOld ? lines : 0,
      linesAdded: parsedOld ? 0 : lines,
      headerChanges: [],
    });
  }
  return { equal: cores.length === 0, cores };
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

/** Unified diff of every differing schedule, labelled old/<name> and new/<name>. */
export function unifiedScheduleDiff(oldSet: ScheduleSet, newSet: ScheduleSet): string {
  const names = [...new Set([...oldSet.keys(), ...newSet.keys()])].sort();
  let out = '';
  for (const name of names) {
    const o = oldSet.get(name) ?? '';
    const n = newSet.get(name) ?? '';
    if (o === n) continue;
    out += createTwoFilesPatch(oldSet.has(name) ? `a/${name}` : '/dev/null', newSet.has(name) ? `b/${name}` : '/dev/null', o, n, '', '', { context: 3 });
  }
  return out;
}
