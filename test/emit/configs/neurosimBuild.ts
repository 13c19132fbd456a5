// NeuroSim built once per version of its sources, shared by the tests that run NeuroSim: a copy under
// node_modules/.cache/imcc-neurosim keeps its object files for the per-network relinks.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { withLock } from '../../../src/support/lock.js';
import { NEUROSIM_DIR, REPO_ROOT } from './sims.js';

export const NEUROSIM_CACHE = join(REPO_ROOT, 'node_modules/.cache/imcc-neurosim');

/** NeuroSim built once per version of its sources: the copy keeps its object files for the per-network relinks. */
export async function baseBuild(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of readdirSync(NEUROSIM_DIR).sort()) {
    const p = join(NEUROSIM_DIR, name);
    if (statSync(p).isFile()) hash.update(name).update(readFileSync(p));
  }
  const dir = join(NEUROSIM_CACHE, `base-${hash.digest('hex').slice(0, 16)}`);
  // Test files running in parallel workers build it once: the others wait for the first.
  mkdirSync(NEUROSIM_CACHE, { recursive: true });
  await withLock(`${dir}.lock`, async () => {
    if (existsSync(join(dir, 'main'))) return;
    rmSync(dir, { recursive: true, force: true });
    cpSync(NEUROSIM_DIR, dir, { recursive: true });
    await execa('chmod', ['-R', 'u+w', dir]); // the sources may be read-only (a shared checkout)
    await execa('make', ['-j2'], { cwd: dir });
  });
  return dir;
}
