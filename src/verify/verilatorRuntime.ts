// Verilator's run-time library (verilated.cpp, verilated_threads.cpp, ...), compiled once per cache and linked into
// every model instead of being recompiled by each build: it is the same C++ for every design, and compiling it was
// most of a small design's build (5 of 7.7 CPU seconds for the tiny fixture). The archive is keyed by everything its
// objects depend on: Verilator's version, our Verilator and make flags (--trace sets VM_TRACE), the C++ compiler's
// version and the list of run-time files the model's makefile asks for. Verilator 5.006 has no libverilated.a of
// its own (later versions do), so we archive the objects its makefile builds (verilated.mk's VK_GLOBAL_OBJS).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeList } from './makefile.js';
import { publishOnce, toolchainKey, type ToolchainRequest } from './toolchainCache.js';

/** The archive name inside a runtime directory of the cache. */
const ARCHIVE = 'libverilated.a';

/** The run-time files (without .cpp) the model `prefix` generated in `mdir` links: VM_GLOBAL_FAST and _SLOW. */
export function runtimeUnits(mdir: string, prefix: string): string[] {
  const classes = readFileSync(join(mdir, `${prefix}_classes.mk`), 'utf8');
  return [...makeList(classes, 'VM_GLOBAL_FAST'), ...makeList(classes, 'VM_GLOBAL_SLOW')];
}

export interface RuntimeRequest extends ToolchainRequest {
  /** Run-time files the model links (runtimeUnits). */
  units: readonly string[];
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
 * build would give them); then they are archived into the cache (runtime-<key>/).
 */
export async function verilatorRuntime(
  request: RuntimeRequest,
  compile: (units: readonly string[]) => Promise<void>,
  mdir: string,
): Promise<Runtime> {
  const key = await toolchainKey(request, [...request.units].sort().join(' '));
  const dir = join(request.cacheDir, `runtime-${key}`);
  const archive = join(dir, ARCHIVE);
  let built = false;
  await publishOnce(request.cacheDir, `.runtime-${key}.lock`, dir, () => existsSync(archive), async (temp) => {
    await compile(request.units);
    mkdirSync(temp, { recursive: true });
    await execa('ar', ['rcs', join(temp, ARCHIVE), ...request.units.map((u) => `${u}.o`)], { cwd: mdir });
    built = true;
  });
  return { archive, built };
}
