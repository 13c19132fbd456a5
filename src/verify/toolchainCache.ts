// What the Verilator build cache holds besides builds: compiled once per toolchain (the run-time library,
// ./verilatorRuntime.ts; the precompiled headers, ./verilatorPch.ts) and shared by every build that links or includes
// it. One key scheme and one way to publish an entry for both.
import { createHash } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { registerTemporary } from '../support/files.js';
import { withLock } from '../support/lock.js';

/** The toolchain a cache entry is compiled with. */
export interface ToolchainRequest {
  cacheDir: string;
  /** `verilator --version`. */
  verilatorVersion: string;
  /** Verilator's flags and the make variables of the build, as they are passed. */
  flags: readonly string[];
  makeFlags: readonly string[];
}

let compilerVersion: Promise<string> | null = null;

/** `g++ --version` (verilated.mk's CXX), asked once per process. */
export function cxxVersion(): Promise<string> {
  compilerVersion ??= execa('g++', ['--version']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
  return compilerVersion;
}

/** Key of an entry: the toolchain's versions and flags, then `contents` (what else the entry is made of). */
export async function toolchainKey(request: ToolchainRequest, contents: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${request.verilatorVersion}\n${await cxxVersion()}\n${request.flags.join(' ')}\n${request.makeFlags.join(' ')}\n`);
  hash.update(contents);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Makes the cache directory `dir` once: when `ready()` says it is missing, `build` fills a temporary sibling, which
 * is then renamed into place, under a lock named by `lockName`, so concurrent builds make it once and none sees it
 * half-written. Its name is not a 32-hex build key, so pruneCache (./cache.ts) leaves it.
 */
export async function publishOnce(cacheDir: string, lockName: string, dir: string, ready: () => boolean, build: (temp: string) => Promise<void>): Promise<void> {
  if (ready()) return;
  await withLock(join(cacheDir, lockName), async () => {
    if (ready()) return;
    const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const releaseTemp = registerTemporary(temp);
    try {
      await build(temp);
      renameSync(temp, dir);
    } finally {
      rmSync(temp, { recursive: true, force: true });
      releaseTemp();
    }
  });
}
