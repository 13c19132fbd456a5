// src/support/lock.ts: holders of one lock run one after the other, across processes too, and a lock left by a dead
// process is taken over.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withLock } from '../../src/support/lock.js';

describe('withLock', () => {
  it('runs two holders of the same lock one after the other, and removes the lock after', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'imcc-lock-')), 'x.lock');
    const events: string[] = [];
    const holder = (name: string) =>
      withLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(150);
        events.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('waits while the process holding the lock lives', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'imcc-lock-')), 'y.lock');
    // Another process holds the lock and lives for 400 ms (then dies holding it: the waiter takes it over).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 400)']);
    const exited = new Promise<number>((resolve) => other.on('exit', () => resolve(Date.now())));
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(other.pid));
    const entered = await withLock(lock, async () => Date.now());
    expect(entered).toBeGreaterThanOrEqual(await exited);
  });

  it('takes over a lock whose owner died', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'imcc-lock-')), 'z.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), dead.stdout);
    const owner = await withLock(lock, async () => readFileSync(join(lock, 'pid'), 'utf8'));
    expect(owner).toBe(String(process.pid));
  });
});
