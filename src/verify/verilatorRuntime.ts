// Verilator's run-time library (verilated.cpp, verilated_threads.cpp, ...), compiled once per cache and linked into
// every model instead of being recompiled by each build: it is the same C++ for every design, and compiling it was
// most of a small design's build (5 of 7.7 CPU seconds for the tiny fixture). The archive is keyed by everything its
// objects depend on: Verilator's version, our Verilator and make flags (--trace sets VM_TRACE), the C++ compiler's
// version and the list of run-time files the model's makefile asks for. Verilator 5.006 has no libverilated.a of
// its own (later versions do), so we archive the objects its makefile builds (verilated.mk's VK_GLOBAL_OBJS).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { registerTemporary } from '../support/files.js';
import { withLock } from '../support/lock.js';
import { makeList } from './makefile.js';

/** The archive name inside a runtime directory of the cache. */
const ARCHIVE = 'libverilated.a';

/** The run-time files (without .cpp) the model `prefix` generated in `mdir` links: VM_GLOBAL_FAST and _SLOW. */
export function runtimeUnits(mdir: string, prefix: string): string[] {
  const classes = readFileSync(join(mdir, `${prefix}_classes.mk`), 'utf8');
  return [...makeList(classes, 'VM_GLOBAL_FAST'), ...makeList(classes, 'VM_GLOBAL_SLOW')];
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

export interface RuntimeRequest {
  cacheDir: string;
  /** `verilator --version`. */
  verilatorVersion: string;
  /** Verilator's flags and the make variables of the build, as they are passed. */
  flags: readonly string[];
  makeFlags: readonly string[];
  /** Run-time files the model links (runtimeUnits). */
  units: readonly string[];
}

export async function runtimeKey(request: RuntimeRequest): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${request.verilatorVersion}\n${await cxxVersion()}\n${request.flags.join(' ')}\n${request.makeFlags.join(' ')}\n`);
  hash.update([...request.units].sort().join(' '));
  return hash.digest('hex').slice(0, 32);
}

/** Directory of a runtime archive. Not a 32-hex name, so pruneCache (./cache.ts) leaves it: builds link against it. */
export function runtimeDir(cacheDir: string, key: string): string {
  return join(cacheDir, `runtime-${key}`);
}

export interface Runtime {
  /** Absolute path of the archive. */
  archive: string;
  /** False when it was already in the cache. */
  built: boolean;
}

/**
 * The runtime archive of `request`, compiled if the cache lacks it: `compile` builds the objects of the given units
 * in `mdir`, the model's own Verilator output directory, by its makefile (so they get exactly the flags the model's
 * build would give them); then they are archived into the cache. Under a lock, so concurrent builds compile it once.
 */
export async function verilatorRuntime(
  request: RuntimeRequest,
  compile: (units: readonly string[]) => Promise<void>,
  mdir: string,
): Promise<Runtime> {
  const key = await runtimeKey(request);
  const dir = runtimeDir(request.cacheDir, key);
  const archive = join(dir, ARCHIVE);
  if (existsSync(archive)) return { archive, built: false };
  return withLock(join(request.cacheDir, `.runtime-${key}.lock`), async () => {
    if (existsSync(archive)) return { archive, built: false };
    await compile(request.units);
    const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const releaseTemp = registerTemporary(temp);
    try {
      mkdirSync(temp, { recursive: true });
      await execa('ar', ['rcs', join(temp, ARCHIVE), ...request.units.map((u) => `${u}.o`)], { cwd: mdir });
      renameSync(temp, dir);
    } finally {
      rmSync(temp, { recursive: true, force: true });
      releaseTemp();
    }
    return { archive, built: true };
  });
}
