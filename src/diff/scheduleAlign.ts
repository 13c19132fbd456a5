// Line alignment of two schedules in time linear in their length. Operation lines start with their timestep and are
// sorted by it, so a line can only match a line of the same timestep: the longest common subsequence of two
// schedules is the concatenation of the per-timestep ones. Equal lines are skipped by a linear scan, and the bounded
// Myers diff of the `diff` package runs only on a timestep whose lines differ (a few dozen lines at most).
import { diffArrays } from 'diff';

/** One run of an edit script: `count` lines kept (on both sides), removed from the old side or added from the new. */
export interface EditRun {
  op: 'keep' | 'remove' | 'add';
  count: number;
}

/** Edits allowed per timestep before giving up on a minimal alignment of that timestep (then: all removed, all added). */
const TIMESTEP_EDIT_LIMIT = 512;
/**
 * Timesteps up to this many line pairs are aligned by the textbook LCS table, which costs microseconds where the
 * `diff` package's per-call set-up costs a fraction of a millisecond (thousands of changed timesteps per schedule).
 */
const TABLE_CELLS = 4096;

/** Longest-common-subsequence alignment of two short lists by the dynamic-programming table; removals before additions. */
function alignByTable(a: readonly string[], b: readonly string[], script: EditScript): void {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  // lcs[i * w + j]: length of the LCS of a[i..] and b[j..].
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      script.push('keep', 1);
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
      script.push('remove', 1);
      i++;
    } else {
      script.push('add', 1);
      j++;
    }
  }
  script.push('remove', n - i);
  script.push('add', m - j);
}

class EditScript {
  readonly runs: EditRun[] = [];
  push(op: EditRun['op'], count: number): void {
    if (count === 0) return;
    const last = this.runs[this.runs.length - 1];
    if (last && last.op === op) last.count += count;
    else this.runs.push({ op, count });
  }
  /** Aligns two short line lists with a bounded Myers diff. */
  pushDiff(a: string[], b: string[]): void {
    // Most changed timesteps share no line at all (every address moved): nothing for Myers to find.
    const inA = new Set(a);
    if (!b.some((line) => inA.has(line))) {
      this.push('remove', a.length);
      this.push('add', b.length);
      return;
    }
    if (a.length * b.length <= TABLE_CELLS) {
      alignByTable(a, b, this);
      return;
    }
    const parts = diffArrays(a, b, { maxEditLength: TIMESTEP_EDIT_LIMIT });
    if (parts === undefined) {
      this.push('remove', a.length);
      this.push('add', b.length);
      return;
    }
    for (const p of parts) this.push(p.removed ? 'remove' : p.added ? 'add' : 'keep', p.count);
  }
}

/** End (exclusive) of the run of lines sharing the timestep of line `i`. */
function timestepEnd(times: readonly number[], i: number): number {
  let e = i + 1;
  while (e < times.length && times[e] === times[i]) e++;
  return e;
}

/**
 * Edit script from operation lines `a` to `b` (with their timesteps). Minimal when both sides are sorted by timestep
 * (as every emitted schedule is); still a correct edit script otherwise.
 */
export function alignOperations(a: readonly string[], ta: readonly number[], b: readonly string[], tb: readonly number[]): EditRun[] {
  const script = new EditScript();
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      const start = i;
      while (i < a.length && j < b.length && a[i] === b[j]) {
        i++;
        j++;
      }
      script.push('keep', i - start);
    } else if (j >= b.length || (i < a.length && ta[i] < tb[j])) {
      const e = j >= b.length ? a.length : timestepEnd(ta, i);
      script.push('remove', e - i);
      i = e;
    } else if (i >= a.length || tb[j] < ta[i]) {
      const f = i >= a.length ? b.length : timestepEnd(tb, j);
      script.push('add', f - j);
      j = f;
    } else {
      const e = timestepEnd(ta, i);
      const f = timestepEnd(tb, j);
      script.pushDiff(a.slice(i, e), b.slice(j, f));
      i = e;
      j = f;
    }
  }
  return script.runs;
}

/** Edit script of short line lists (schedule headers). */
export function alignShort(a: readonly string[], b: readonly string[]): EditRun[] {
  const script = new EditScript();
  script.pushDiff([...a], [...b]);
  return script.runs;
}

/** Lines removed and added by an edit script. */
export function countEdits(runs: readonly EditRun[]): { removed: number; added: number } {
  let removed = 0;
  let added = 0;
  for (const r of runs) {
    if (r.op === 'remove') removed += r.count;
    else if (r.op === 'add') added += r.count;
  }
  return { removed, added };
}
