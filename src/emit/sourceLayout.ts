// Where a design's source files go in a compile output, and how outputs name them: under source/, mirroring the
// import tree from the deepest directory that holds every file (resolved first, so `../t.imc` imports and the
// spelling of the path on the command line change nothing). Imports resolve the same way in the copy, nothing lands
// outside source/ (an import of `../mapping.json` cannot replace the generated mapping.json), and no machine path
// reaches the output.
import { posix, resolve } from 'node:path';

export const SOURCE_DIR = 'source';

/** Output-relative path (`source/...`, POSIX separators) of each source file, in the order given. */
export function sourceLayout(paths: readonly string[]): string[] {
  const absolute = paths.map((p) => resolve(p).split('\\').join('/'));
  const dirs = absolute.map((p) => posix.dirname(p).split('/'));
  let common = dirs[0] ?? [];
  for (const d of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  const root = common.join('/') || '/';
  return absolute.map((p) => posix.join(SOURCE_DIR, posix.relative(root, p)));
}
