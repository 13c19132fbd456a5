// imcc diff at real scale (issue 13): the LeNet c00 schedule (15,785 lines) against a copy with most addresses
// changed, a time shift, a file against a directory, and labels of the unified diff. GNU diff (diffutils) is the
// oracle for the unified text; before the timestep alignment this pair took minutes (a test timeout here).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { runCli as run } from '../support/cli.js';

afterEach(() => vi.restoreAllMocks());

const OLD = 'generated/lenet/schedules/c00.sched';
let dir = '';
let oldText = '';

/** Every write and read address from timestep `from` on moved by one word: an address change of most lines. */
function moveAddresses(text: string, from: number): string {
  return text.replace(/^(\d+) ([WR]) (\S+) word=(\d+)/gm, (line, t: string, op: string, px: string, w: string) =>
    Number(t) >= from ? `${t} ${op} ${px} word=${Number(w) + 1}` : line,
  );
}

/** Every operation from timestep `from` on one timestep later. */
function shiftTime(text: string, from: number): string {
  return text.replace(/^(\d+) /gm, (all, t: string) => (Number(t) >= from ? `${Number(t) + 1} ` : all));
}

function write(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imcc-diff-scale-'));
  oldText = readFileSync(OLD, 'utf8');
});

describe('imcc diff on the 15,785-line LeNet c00 schedule', () => {
  it('an address change of ~15,000 lines: counts, first timestep and kind, in a test timeout', async () => {
    const moved = write('moved.sched', moveAddresses(oldText, 100));
    const r = await run(['diff', OLD, moved, '--json']);
    expect(r.code).toBe(1);
    const gnu = spawnSync('diff', [OLD, moved], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
    const removed = gnu.split('\n').filter((l) => l.startsWith('< ')).length;
    const added = gnu.split('\n').filter((l) => l.startsWith('> ')).length;
    expect(removed).toBeGreaterThan(10000);
    const core = JSON.parse(r.stdout).cores[0];
    expect(core).toMatchObject({ change: 'addresses', firstTimestep: 100, linesRemoved: removed, linesAdded: added });
  });

  it('--unified gives the hunks of GNU diff -u, labelled with each side\'s path', async () => {
    const moved = write('moved2.sched', moveAddresses(oldText, 700));
    const r = await run(['diff', OLD, moved, '--unified']);
    expect(r.code).toBe(1);
    const gnu = spawnSync('diff', ['-u', OLD, moved], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
    const hunks = (s: string) => s.slice(s.indexOf('\n@@'));
    expect(hunks(r.stdout)).toBe(hunks(gnu));
    expect(r.stdout.startsWith(`--- ${OLD}\n+++ ${moved}\n@@ `)).toBe(true);
  });

  it('a time shift of the second half is told from an address change', async () => {
    const shifted = write('shifted.sched', shiftTime(oldText, 400));
    const j = JSON.parse((await run(['diff', OLD, shifted, '--json'])).stdout);
    expect(j.cores[0]).toMatchObject({ change: 'time-shift', firstTimestep: 400 });
  });
});

describe('imcc diff FILE DIR', () => {
  it('compares the file with the directory\'s schedule of the same core, named by that core', async () => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'schedules'), { recursive: true });
    writeFileSync(join(out, 'schedules', 'c00.sched'), oldText);
    writeFileSync(join(out, 'schedules', 'c01.sched'), readFileSync('generated/lenet/schedules/c01.sched', 'utf8'));
    const file = write('review.sched', moveAddresses(oldText, 5));
    const r = await run(['diff', file, out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^c00\.sched: \d+ lines differ .*addresses changed/);
    expect(r.stdout).not.toContain('c01.sched');
    expect(r.stdout).toContain('1 schedule differs');
    expect((await run(['diff', join(out, 'schedules', 'c00.sched'), out])).code).toBe(0);
  });
});

describe('imcc git-setup and git diff (real git, temporary repository)', () => {
  const root = process.cwd();
  /** An imcc started as a user's process would be: node, its flags and a script (here the sources through tsx). */
  function entry(): string[] {
    const script = join(dir, 'imcc-entry.mjs');
    writeFileSync(script, `import { main } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/main.ts')).href)};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
    return ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href, script];
  }

  it('one command sets git up; `git diff` then reviews with repository paths, and --unified has correct a/ b/ labels', () => {
    const repo = mkdtempSync(join(tmpdir(), 'imcc-git-setup-'));
    // No imcc on PATH: git-setup records the command that started it.
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo, PATH: process.env.PATH!.split(':').filter((p) => !p.includes('node_modules')).join(':') };
    const g = (...args: string[]) => spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    g('init', '-q');
    g('config', 'user.email', 'ci@example.invalid');
    g('config', 'user.name', 'ci');
    mkdirSync(join(repo, 'out', 'schedules'), { recursive: true });
    const path = 'out/schedules/c00.sched';
    writeFileSync(join(repo, path), oldText);
    const setup = spawnSync(process.execPath, [...entry(), 'git-setup'], { cwd: repo, env, encoding: 'utf8' });
    expect(setup.status).toBe(0);
    expect(readFileSync(join(repo, '.gitattributes'), 'utf8')).toBe('*.sched diff=imcc\n');
    expect(setup.stdout).toContain("added '*.sched diff=imcc' to .gitattributes");
    g('add', '.');
    g('commit', '-qm', 'schedules');
    writeFileSync(join(repo, path), moveAddresses(oldText, 300));
    const r = g('diff');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^diff --git a/${path} b/${path}\\n${path}: \\d+ lines differ .*addresses changed`));
    expect(r.stdout).toContain('first difference at timestep 300:');
    // --unified through git: git's own header lines, labelled a/PATH and b/PATH.
    g('config', 'diff.imcc.command', `${g('config', 'diff.imcc.command').stdout.trim()} --unified`);
    const u = g('diff');
    expect(u.status).toBe(0);
    expect(u.stdout.startsWith(`diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ `)).toBe(true);
    // Running it again changes nothing in .gitattributes.
    expect(spawnSync(process.execPath, [...entry(), 'git-setup'], { cwd: repo, env, encoding: 'utf8' }).stdout).toContain('already has');
    expect(readFileSync(join(repo, '.gitattributes'), 'utf8')).toBe('*.sched diff=imcc\n');
  });

  it('records the script by its real path when it was started through a link (npx runs a checkout\'s bin so)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'imcc-git-setup-link-'));
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo };
    spawnSync('git', ['init', '-q'], { cwd: repo, env });
    const [flag, loader, script] = entry();
    const link = join(mkdtempSync(join(tmpdir(), 'imcc-link-')), 'imcc');
    symlinkSync(script, link);
    expect(spawnSync(process.execPath, [flag, loader, link, 'git-setup'], { cwd: repo, env, encoding: 'utf8' }).status).toBe(0);
    const command = spawnSync('git', ['config', 'diff.imcc.command'], { cwd: repo, env, encoding: 'utf8' }).stdout.trim();
    expect(command.endsWith(` ${realpathSync(script)} diff`)).toBe(true);
    expect(command).not.toContain(link);
  });

  it('IMC140: git-setup outside a git work tree', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'imcc-no-git-'));
    const cwd = process.cwd();
    process.chdir(outside);
    try {
      const r = await run(['git-setup']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^imcc: error IMC140: git rev-parse: fatal: not a git repository/);
    } finally {
      process.chdir(cwd);
    }
  });
});
