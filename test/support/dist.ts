// dist/ is shared by the test files that run the compiled CLI (bin/imcc.js) and test/cli/package.test.ts, whose
// `npm pack` rebuilds it in place (tsc rewrites every file): with test files in parallel workers, a CLI started
// mid-rebuild could load a half-written module. They hold one lock per checkout while they use or rebuild dist/.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withLock } from '../../src/support/lock.js';

const DIST_LOCK = join(tmpdir(), `imcc-dist-${createHash('sha256').update(resolve('.')).digest('hex').slice(0, 16)}.lock`);

/** Runs `work` while no other test process rebuilds or runs this checkout's dist/. */
export function withDist<T>(work: () => T | Promise<T>): Promise<T> {
  return withLock(DIST_LOCK, async () => work());
}
