// Where the real simulators live for the tests that run imcc's exports through them: one setting, IMCC_SIMS,
// defaulting to ../shared/sims beside the repository. When they are absent those tests print one line and skip.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SIMS_DIR = resolve(REPO_ROOT, process.env.IMCC_SIMS ?? '../shared/sims');
export const CROSSSIM_DIR = resolve(SIMS_DIR, 'crosssim-3.2.0');
export const NEUROSIM_DIR = resolve(SIMS_DIR, 'neurosim-v1.4/Inference_pytorch/NeuroSIM');

/** Debian's python3 (numpy, scipy from apt) when present, else the first on PATH. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** True when `dir` exists; otherwise prints the one visible line saying which simulator tests do not run. */
export function simulatorPresent(name: string, dir: string): boolean {
  if (existsSync(dir)) return true;
  console.log(`${name} not found at ${dir} (set IMCC_SIMS): the ${name} tests are skipped`);
  return false;
}
