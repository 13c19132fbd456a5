// A lock between processes on one machine: a directory made with mkdir (atomic: exactly one process creates it) that
// holds the owner's pid. Used where concurrent processes (two test workers, two `imcc verify` runs) would otherwise
// build the same thing in the same place at the same time. A lock whose owner has died is taken over, so a killed
// run never blocks the next one. Hand-written rather than a lockfile package: mkdir plus a pid is all it needs, and
// it keeps an asynchronous wait without adding a dependency.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerTemporary } from './files.js';

/** How often a waiting process looks again (milliseconds). */
const POLL_MS = 100;
/** A lock directory without a pid this long after its creation lost its owner between mkdir and writing the pid. */
const NO_PID_STALE_MS = 10_000;

function ownerOf(lockDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Takes the lock once; false when another live process holds it. */
function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
    const owner = ownerOf(lockDir);
    // No pid yet: the owner is between mkdir and writing it; wait for it, unless that was long ago.
    if (owner === null && !olderThan(lockDir, NO_PID_STALE_MS)) return false;
    if (owner !== null && alive(owner)) return false;
    // The owner died holding it: remove it and race for it again.
    rmSync(lockDir, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(lockDir, 'pid'), String(process.pid));
  return true;
}

/**
 * Runs `work` while holding the lock `lockDir` (a directory path; its parent must exist or is created), waiting for
 * another process that holds it. Reentrant use within one process is not supported: callers lock distinct paths.
 */
export async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  while (!tryLock(lockDir)) await sleep(POLL_MS);
  // An interrupted run (SIGINT, SIGTERM) removes its lock with its other temporary files.
  const release = registerTemporary(lockDir);
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
    release();
  }
}
