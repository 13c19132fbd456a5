// Unified diff text (diff -u / git diff format) from an edit script, so the text diff costs no more than the
// alignment it prints: hunks with 3 lines of context, nearby changes merged into one hunk as diff(1) does.
import type { EditRun } from './scheduleAlign.js';

const CONTEXT = 3;

interface Change {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

function changesOf(runs: readonly EditRun[]): Change[] {
  const changes: Change[] = [];
  let o = 0;
  let n = 0;
  let open: Change | null = null;
  for (const r of runs) {
    if (r.op === 'keep') {
      open = null;
      o += r.count;
      n += r.count;
      continue;
    }
    if (open === null) {
      open = { oldStart: o, oldEnd: o, newStart: n, newEnd: n };
      changes.push(open);
    }
    if (r.op === 'remove') o = open.oldEnd += r.count;
    else n = open.newEnd += r.count;
  }
  return changes;
}

/** diff(1)'s range: `start,count`, `start` alone when count is 1, and the line before for an empty range. */
function range(start: number, count: number): string {
  if (count === 1) return String(start + 1);
  return `${count === 0 ? start : start + 1},${count}`;
}

/** Hunks of a unified diff of `oldLines` to `newLines` (without the ---/+++ lines); '' when there is no change. */
export function unifiedHunks(oldLines: readonly string[], newLines: readonly string[], runs: readonly EditRun[]): string {
  const changes = changesOf(runs);
  const out: string[] = [];
  let k = 0;
  while (k < changes.length) {
    // Merge changes whose gap fits in the context of both.
    let last = k;
    while (last + 1 < changes.length && changes[last + 1].oldStart - changes[last].oldEnd <= 2 * CONTEXT) last++;
    const first = changes[k];
    const lead = Math.min(CONTEXT, first.oldStart);
    const oldFrom = first.oldStart - lead;
    const newFrom = first.newStart - lead;
    const trail = Math.min(CONTEXT, oldLines.length - changes[last].oldEnd);
    const oldTo = changes[last].oldEnd + trail;
    const newTo = changes[last].newEnd + trail;
    out.push(`@@ -${range(oldFrom, oldTo - oldFrom)} +${range(newFrom, newTo - newFrom)} @@`);
    let o = oldFrom;
    for (let c = k; c <= last; c++) {
      const ch = changes[c];
      for (; o < ch.oldStart; o++) out.push(` ${oldLines[o]}`);
      for (let r = ch.oldStart; r < ch.oldEnd; r++) out.push(`-${oldLines[r]}`);
      for (let a = ch.newStart; a < ch.newEnd; a++) out.push(`+${newLines[a]}`);
      o = ch.oldEnd;
    }
    for (; o < oldTo; o++) out.push(` ${oldLines[o]}`);
    k = last + 1;
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
