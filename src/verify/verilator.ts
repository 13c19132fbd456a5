// Building and running generated RTL with Verilator (through execa). Builds are cached under a cache directory keyed
// by a hash of everything the build reads (the Verilog, the testbench, the file list, Verilator's version and our
// flags), so verifying the same RTL again does not rebuild. Weight files are read by the simulation at run time and
// are not part of the key.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../diagnostics/index.js';
import { cacheLimitBytes, defaultCacheDir, ensureCacheDir, pruneCache, touchBuild } from './cache.js';
import { registerTemporary } from '../support/files.js';
import { withLock } from '../support/lock.js';
import { isCompileLine, plannedCompileUnits, type BuildProgress } from './buildProgress.js';
import { runtimeUnits, verilatorRuntime } from './verilatorRuntime.js';
import { verilatorPch, type Pch } from './verilatorPch.js';


/**
 * Verilator flags of every build: Verilator's -O1. `--x-initial unique`: every register starts at a value chosen at run
 * time (randomized by `randomInitArgs`), so a register the reset forgets shows as a mismatch instead of starting at a
 * convenient 0. Verilator writes the C++ and its makefile; buildInto runs make itself, so that the model links
 * the run-time library compiled once per cache (./verilatorRuntime.ts) instead of compiling it again. Verilator's
 * default file size (--output-split 20000) is kept: ResNet-32's C++ took 31.7 CPU-s to verilate and compile with it
 * (45 files), 37.3 s in 30 files (--output-split 100000), 38.0 s in 93 (5000, with --output-split-cfuncs 5000).
 */
export const VERILATOR_FLAGS = ['--cc', '--exe', '-O1', '-Wno-fatal', '--x-assign', '0', '--x-initial', 'unique'];

/** Run-time arguments that randomize every register's initial value from `seed` (Verilator plusargs). */
export function randomInitArgs(seed: number): string[] {
  return ['+verilator+rand+reset+2', `+verilator+seed+${Math.max(1, Math.floor(seed))}`];
}
/**
 * C++ optimisation: the per-cycle code (Verilator's OPT_FAST files) at -O1, the rest (initialisation: OPT_SLOW, the
 * runtime library: OPT_GLOBAL) at -O0. At -O0 a run spends most of its time in Verilator's sign-extend and multiply
 * helpers, which -O1 inlines: the 52-core ResNet-32 (70,000 clock cycles) runs in 3.7 s of CPU instead of 50 s, for
 * 14 s more of build (94 s instead of 80 s); everything at -O1 would cost LeNet 54 s of build instead of 22 s.
 */
const MAKE_FLAGS = ['OPT_FAST=-O1', 'OPT_SLOW=-O0', 'OPT_GLOBAL=-O0'];
/** MAKE_FLAGS with each level's precompiled Verilator headers (./verilatorPch.ts) included first. */
function makeFlagsWith(pch: Pch): string[] {
  return MAKE_FLAGS.map((flag) => {
    const [variable] = flag.split('=');
    return variable === 'OPT_FAST' || variable === 'OPT_SLOW' ? `${flag} -include ${pch[variable]}` : flag;
  });
}
/** At most two compiler jobs at a time (what Verilator's `--build -j 2` ran). */
const MAKE_JOBS = ['-j', '2'];

export interface VerilatorBuildRequest {
  /** Directory the file list's paths are relative to (the compiled output directory). */
  rootDir: string;
  /** File list (relative to rootDir) naming the Verilog sources. */
  fileList: string;
  /** Testbench C++ file (relative to rootDir). */
  testbench: string;
  topModule: string;
  /** Where builds are cached (default: ./cache.ts defaultCacheDir). */
  cacheDir?: string;
  /** Build with Verilator's --trace, so the testbench can write a VCD (imcc verify --trace). */
  trace?: boolean;
  /** Called as the build compiles each C++ file (not called when the binary comes from the cache). */
  onProgress?: (progress: BuildProgress) => void;
}

export interface VerilatorBuild {
  /** Absolute path of the simulation binary. */
  binary: string;
  key: string;
  /** False when the binary came from the cache. */
  built: boolean;
}

export async function verilatorVersion(): Promise<string> {
  try {
    const { stdout } = await execa('verilator', ['--version']);
    return stdout.trim();
  } catch {
    throw new ToolError('IMC251', {});
  }
}

function sourcesOf(rootDir: string, fileList: string): string[] {
  const text = readFileSync(join(rootDir, fileList), 'utf8');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//'));
}

/** Hash of everything a build reads. */
function flagsOf(request: VerilatorBuildRequest): string[] {
  return request.trace === true ? [...VERILATOR_FLAGS, '--trace'] : VERILATOR_FLAGS;
}

export function buildKey(request: VerilatorBuildRequest, version: string): string {
  const hash = createHash('sha256');
  hash.update(`${version}\n${flagsOf(request).join(' ')}\n${MAKE_FLAGS.join(' ')}\n${request.topModule}\n`);
  const files = [request.fileList, ...sourcesOf(request.rootDir, request.fileList), request.testbench].sort();
  for (const f of files) {
    hash.update(`${f}\n`);
    hash.update(readFileSync(join(request.rootDir, f)));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 32);
}

/** Builds (or finds in the cache) the simulation binary of the RTL under rootDir. */
export async function buildWithVerilator(request: VerilatorBuildRequest): Promise<VerilatorBuild> {
  const version = await verilatorVersion();
  const key = buildKey(request, version);
  const cacheDir = resolve(request.cacheDir ?? defaultCacheDir());
  const binary = join(cacheDir, key, `V${request.topModule}`);
  ensureCacheDir(cacheDir);
  const cached = (): VerilatorBuild | null => {
    if (!existsSync(binary)) return null;
    touchBuild(join(cacheDir, key));
    return { binary, key, built: false };
  };
  // Two processes that need the same build (two test workers, two verify runs) build it once: the second waits for
  // the first and finds the binary in the cache.
  const hit = cached();
  if (hit) return hit;
  try {
    return await withLock(join(cacheDir, `.${key}.lock`), async () => cached() ?? (await buildInto(request, cacheDir, key, version)));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ToolError('IMC141', { dir: cacheDir, reason: `${code}: cannot write to it` });
    }
    throw err;
  }
}

/** Runs one step of a build (Verilator, make); a failure is IMC114 with the step's errors. */
async function buildStep(command: string, args: string[], cwd: string, onOutput?: (chunk: string) => void): Promise<void> {
  try {
    const step = execa(command, args, { cwd, all: true });
    if (onOutput) step.all?.on('data', (chunk: Buffer | string) => onOutput(String(chunk)));
    await step;
  } catch (err) {
    const output = (err as { all?: string }).all ?? String(err);
    const errors = output
      .split('\n')
      .filter((l) => l.startsWith('%Error') || l.includes('error:'))
      .slice(0, 8)
      .join('\n');
    throw new ToolError('IMC114', { step: 'build', output: errors || output.slice(-2000) });
  }
}

/**
 * Builds the binary of `key` in a temporary directory of the cache and renames it into place: Verilator writes the
 * model's C++, the run-time library comes from the cache (compiled there first if missing), and make compiles the
 * model and the testbench and links them with it.
 */
async function buildInto(request: VerilatorBuildRequest, cacheDir: string, key: string, version: string): Promise<VerilatorBuild> {
  const finalDir = join(cacheDir, key);
  const binaryName = `V${request.topModule}`;
  const binary = join(finalDir, binaryName);
  const tempDir = join(cacheDir, `.${key}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const releaseTemp = registerTemporary(tempDir);
  const flags = flagsOf(request);
  const verilate = [
    ...flags,
    '--top-module',
    request.topModule,
    '-Mdir',
    tempDir,
    '-o',
    binaryName,
    '-f',
    resolve(request.rootDir, request.fileList),
    resolve(request.rootDir, request.testbench),
  ];
  // The progress bar counts compiler lines against the files this build compiles: the run-time library's only when
  // this build is the one that compiles it.
  const progress: BuildProgress = { compiled: 0, total: null };
  let compilesRuntime = false;
  let pending = '';
  const onProgress = request.onProgress;
  const countCompiles = (chunk: string): void => {
    if (!onProgress) return;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!isCompileLine(line)) continue;
      progress.total ??= plannedCompileUnits(tempDir, binaryName, compilesRuntime);
      progress.compiled++;
      onProgress({ ...progress });
    }
  };
  try {
    await buildStep('verilator', verilate, request.rootDir);
    const runtime = await verilatorRuntime(
      { cacheDir, verilatorVersion: version, flags, makeFlags: MAKE_FLAGS, units: runtimeUnits(tempDir, binaryName) },
      (units) => buildStep('make', ['-C', tempDir, '-f', `${binaryName}.mk`, ...MAKE_JOBS, ...MAKE_FLAGS, ...units.map((u) => `${u}.o`)], tempDir, (chunk) => {
        compilesRuntime = true;
        countCompiles(chunk);
      }),
      tempDir,
    );
    const pch = await verilatorPch({ cacheDir, verilatorVersion: version, flags, makeFlags: MAKE_FLAGS }, (makefile, targets) =>
      buildStep('make', ['-C', tempDir, '-f', `${binaryName}.mk`, '-f', makefile, ...MAKE_JOBS, ...MAKE_FLAGS, ...targets], tempDir),
    );
    // Command-line variables override the makefile's: no run-time objects of its own, the cached archive instead.
    const link = ['VM_GLOBAL_FAST=', 'VM_GLOBAL_SLOW=', `USER_LDLIBS=${runtime.archive}`];
    await buildStep('make', ['-C', tempDir, '-f', `${binaryName}.mk`, ...MAKE_JOBS, ...makeFlagsWith(pch), ...link], tempDir, countCompiles);
  } catch (err) {
    rmSync(tempDir, { recursive: true, force: true });
    releaseTemp();
    throw err;
  }
  // Keep only the binary: the object files are large and never reused.
  for (const entry of readdirSync(tempDir)) if (entry !== binaryName) rmSync(join(tempDir, entry), { recursive: true, force: true });
  // Another process may have finished the same build meanwhile: either copy is the same binary.
  try {
    if (!existsSync(finalDir)) renameSync(tempDir, finalDir);
  } catch (err) {
    if (!existsSync(binary)) throw err;
  }
  rmSync(tempDir, { recursive: true, force: true });
  pruneCache(cacheDir, cacheLimitBytes(), key);
  releaseTemp();
  return { binary, key, built: true };
}

export interface SimulationRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a built testbench binary in `cwd` (weight files are found relative to it). */
export async function runSimulation(binary: string, args: string[], cwd: string): Promise<SimulationRun> {
  const result = await execa(binary, args, { cwd, reject: false });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}
