// The Verilator build cache: one place per user, overridable, bounded in size. Default: $IMCC_CACHE_DIR, else
// $XDG_CACHE_HOME/imcc, else ~/.cache/imcc (not the working directory, where it grew unseen in every project).
// After each build the least recently used builds are removed until the cache fits its size limit
// ($IMCC_CACHE_MAX_MB, default 2048 MB); a build found in the cache counts as used. Verilator's run-time library
// archives (runtime-<key>/, ./verilatorRuntime.ts) and precompiled headers (pch-<key>/, ./verilatorPch.ts) are not
// builds and are never pruned: builds link against and include them.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '../diagnostics/index.js';

export const DEFAULT_CACHE_MAX_MB = 2048;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IMCC_CACHE_DIR) return env.IMCC_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'imcc');
  return join(homedir(), '.cache', 'imcc');
}

/** Size limit in bytes from $IMCC_CACHE_MAX_MB (a positive number of megabytes) or the default. */
export function cacheLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.IMCC_CACHE_MAX_MB);
  return (env.IMCC_CACHE_MAX_MB !== undefined && Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_CACHE_MAX_MB) * 1024 * 1024;
}

/** Creates the cache directory, or says plainly why it cannot be one (IMC141). */
export function ensureCacheDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new ToolError('IMC141', { dir, reason: 'it exists and is not a directory' });
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const why = (err as { code?: string }).code ?? String(err);
    throw new ToolError('IMC141', { dir, reason: why });
  }
}

/** Marks a cached build as used now (pruning removes the least recently used first). */
export function touchBuild(buildDir: string): void {
  const now = new Date();
  try {
    utimesSync(buildDir, now, now);
  } catch {
    // A read-only cache still serves builds; it is just not reordered.
  }
}

function sizeOf(path: string): number {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  } catch (err) {
    // Another process pruning the same cache removed it meanwhile.
    if ((err as { code?: string }).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * Removes the least recently used builds (directories named by their key) until the cache holds at most `maxBytes`;
 * `keep` (the build just made or used) is never removed. Returns the keys removed.
 */
export function pruneCache(dir: string, maxBytes: number, keep: string): string[] {
  const builds = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{32}$/.test(name))
    .map((name) => ({ name, path: join(dir, name), used: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .map((b) => ({ ...b, bytes: sizeOf(b.path) }))
    .sort((a, b) => a.used - b.used || (a.name < b.name ? -1 : 1));
  let total = builds.reduce((sum, b) => sum + b.bytes, 0);
  const removed: string[] = [];
  for (const b of builds) {
    if (total <= maxBytes) break;
    if (b.name === keep) continue;
    rmSync(b.path, { recursive: true, force: true });
    total -= b.bytes;
    removed.push(b.name);
  }
  return removed;
}
