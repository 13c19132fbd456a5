// Hostile inputs (issue 20): devices, FIFOs, sockets, symlinks, long names, odd line endings and signals. Every
// command that reads or writes a file goes through src/support/files.ts; these tests hold it to its rules: a read
// never blocks or runs unbounded, a write never replaces a device, FIFO or symlink, a mode survives an atomic write,
// and temporaries go away on SIGTERM/SIGINT.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileAccessError, printablePath, readBoundedFile, writeFileAtomic } from '../../src/support/files.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign, gridPicture } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import { longNetworkSource, squareInputSource } from '../../bench/_networks.js';
import { runCli } from '../support/cli.js';
import { compileSizeDiagnostic, scheduleTextWarning } from '../../src/emit/limits.js';

const LENET = 'examples/lenet.imc';
const work = mkdtempSync(join(tmpdir(), 'imcc-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mkfifo(path: string): string {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
  return path;
}

describe('reads refuse what is not a regular file, and are bounded by the bytes read', () => {
  it('a character device whose stat size is 0 is refused before any byte is read', () => {
    expect(statSync('/dev/zero').size).toBe(0);
    expect(() => readBoundedFile('/dev/zero', 10)).toThrow(/character device, not a regular file/);
  });

  it('a FIFO with no writer is refused at once instead of blocking', () => {
    const fifo = mkfifo(join(work, 'reader.fifo'));
    expect(() => readBoundedFile(fifo, 10)).toThrow(/FIFO/);
  });

  it('the bound counts bytes actually read', () => {
    const file = join(work, 'eleven.txt');
    writeFileSync(file, 'abcdefghijk');
    expect(readBoundedFile(file, 11).toString()).toBe('abcdefghijk');
    expect(() => readBoundedFile(file, 10)).toThrow(FileAccessError);
    expect(() => readBoundedFile(file, 10)).toThrow(/larger than 10 bytes/);
  });

  it('imcc check /dev/zero: IMC003 naming the device, exit 1', async () => {
    const run = await runCli(['check', '/dev/zero']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/dev/zero:1:1: error IMC003: cannot read /dev/zero: it is a character device, not a regular file');
  });

  it('an import of a device or a FIFO is a diagnostic at the import', async () => {
    const fifo = mkfifo(join(work, 'import.fifo'));
    const entry = join(work, 'imports-devices.imc');
    writeFileSync(entry, `import "/dev/zero"\nimport "${fifo}"\n` + readFileSync(LENET, 'utf8'));
    const run = await runCli(['check', entry]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${entry}:1:8: error IMC003: cannot read /dev/zero: it is a character device`);
    expect(run.stderr).toContain(`${entry}:2:8: error IMC003: cannot read ${fifo}: it is a FIFO (named pipe)`);
  });

  it('infer --input /dev/zero: IMC100', async () => {
    const run = await runCli(['infer', LENET, '--input', '/dev/zero']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error IMC100: cannot read the input image /dev/zero (it is a character device, not a regular file)');
  });

  it('imcc diff of a device: exit 2, IMC074', async () => {
    const run = await runCli(['diff', '/dev/zero', '/dev/zero']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error IMC074: cannot read /dev/zero: it is a character device');
  });

  it('an output marker that names a device does not make a directory an imcc output', async () => {
    const dir = join(work, 'marker-device');
    mkdirSync(dir);
    symlinkSync('/dev/zero', join(dir, 'imcc-output.json'));
    const run = await runCli(['infer', LENET, '--dump', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error IMC110');
    expect(lstatSync(join(dir, 'imcc-output.json')).isSymbolicLink()).toBe(true);
  });
});

describe('single-file writes: a symlink is written through, a non-regular target is refused, the mode is kept', () => {
  it('writeFileAtomic keeps the permission bits of the file it replaces', () => {
    const file = join(work, 'mode.txt');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('simulate --trace onto /dev/full is refused and the device stays a device', async () => {
    const run = await runCli(['simulate', LENET, '--trace', '/dev/full']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error IMC091: cannot write the trace file '/dev/full' (it is a character device, not a regular file; not replacing it)");
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('simulate --trace onto a FIFO is refused without blocking', async () => {
    const fifo = mkfifo(join(work, 'trace.fifo'));
    const run = await runCli(['simulate', LENET, '--trace', fifo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('it is a FIFO (named pipe), not a regular file');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('simulate --trace onto a symlink writes the file it names and keeps the link', async () => {
    const real = join(work, 'trace-real.txt');
    const link = join(work, 'trace-link.txt');
    writeFileSync(real, '');
    symlinkSync(real, link);
    const run = await runCli(['simulate', LENET, '--trace', link]);
    expect(run.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toMatch(/^# /);
  });

  it('fmt --write on a symlink formats the file it names, keeps the link and the mode', async () => {
    const real = join(work, 'fmt-real.imc');
    const link = join(work, 'fmt-link.imc');
    writeFileSync(real, readFileSync(LENET, 'utf8').replace(/\n  /g, '\n      '));
    chmodSync(real, 0o600);
    symlinkSync(real, link);
    const run = await runCli(['fmt', '--write', link]);
    expect(run.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe((await runCli(['fmt', LENET])).stdout);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((f) => f.includes('imcc-tmp'))).toEqual([]);
  });

  it('a dangling symlink is refused rather than creating a file somewhere else', async () => {
    const link = join(work, 'dangling.txt');
    symlinkSync(join(work, 'nowhere', 'x.txt'), link);
    const run = await runCli(['simulate', LENET, '--trace', link]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('symbolic link to a missing file');
  });
});

describe('output directories', () => {
  it('-o naming a symlink writes the directory it names and keeps the link; a dangling one is refused', async () => {
    const real = join(work, 'out-real');
    const link = join(work, 'out-link');
    symlinkSync(real, link);
    const dangling = await runCli(['infer', LENET, '--dump', link]);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain('error IMC110: ' + link + ' is a symbolic link to a missing directory');
    mkdirSync(real);
    const run = await runCli(['infer', LENET, '--dump', link]);
    expect(run.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(join(real, 'imcc-output.json'))).toBe(true);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });
});

describe('signals', () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} removes registered temporaries and exits ${status}`, async () => {
      const temp = join(work, `signal-${signal}`);
      const entry =
        `import('./src/support/files.ts').then((f) => { f.enableSignalCleanup(); const fs = require('node:fs');` +
        ` fs.mkdirSync(${JSON.stringify(temp)}); fs.writeFileSync(${JSON.stringify(join(temp, 'partial'))}, 'x');` +
        ` f.registerTemporary(${JSON.stringify(temp)}); process.stdout.write('ready\\n'); setInterval(() => {}, 1000); })`;
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', entry], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      expect(existsSync(temp)).toBe(true);
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(status);
      expect(stderr).toContain(`imcc: interrupted (${signal}); temporary files removed`);
      expect(existsSync(temp)).toBe(false);
    }, 30_000);
  }
});

describe('small items', () => {
  it('a 300-character name is diagnosed at check, at its position (IMC041)', async () => {
    const long = 'n'.repeat(300);
    const file = join(work, 'long-name.imc');
    writeFileSync(file, readFileSync(LENET, 'utf8').replace(/\bc1\b/g, long));
    const run = await runCli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:23:3: error IMC041: the name 'nnnnnnnnnnnnnnnnnnnnnnnn...' is 300 characters long; at most 200 are allowed`);
  });

  it('a long composed name (a layer inside a block instance) is diagnosed at the call', () => {
    const inst = 'i'.repeat(150);
    const source = readFileSync(LENET, 'utf8').replace(
      '  c1 = conv(image, out 4, kernel 5x5)',
      `  block b(x) {\n    ${'k'.repeat(100)} = conv(x, out 4, kernel 5x5)\n    return ${'k'.repeat(100)}\n  }\n  ${inst} = b(image)\n  c1 = relu(${inst})`,
    );
    const diagnostics = loadDesign('composed.imc', () => source).diagnostics;
    expect(diagnostics.map((d) => d.code)).toContain('IMC041');
  });

  it('-o "" (and any empty path option) is bad usage: exit 2', async () => {
    expect((await runCli(['compile', LENET, '-o', ''])).code).toBe(2);
    expect((await runCli(['simulate', LENET, '--trace', ''])).code).toBe(2);
    expect((await runCli(['infer', LENET, '--dump', ''])).code).toBe(2);
  });

  it('CR-only and CRLF line endings parse and format like LF', async () => {
    const lf = readFileSync(LENET, 'utf8');
    for (const [name, ending] of [
      ['cr', '\r'],
      ['crlf', '\r\n'],
    ] as const) {
      const file = join(work, `lenet-${name}.imc`);
      writeFileSync(file, lf.replace(/\n/g, ending));
      expect((await runCli(['check', file])).code).toBe(0);
      expect((await runCli(['fmt', file])).stdout).toBe((await runCli(['fmt', LENET])).stdout);
    }
    const broken = join(work, 'broken-cr.imc');
    writeFileSync(broken, 'target t {\r  grid 2x2 oops\r}\r');
    expect((await runCli(['check', broken])).stderr).toContain(`${broken}:2:12: error IMC232`);
  });

  it('a newline or NUL inside an import path is printed escaped', async () => {
    const file = join(work, 'escaped-import.imc');
    writeFileSync(file, 'import "a\\nb.imc"\nimport "c\u0000d.imc"\n' + readFileSync(LENET, 'utf8'));
    const run = await runCli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot read ' + join(work, 'a\\nb.imc'));
    expect(run.stderr).toContain('cannot read ' + join(work, 'c\\0d.imc') + ': the path contains a NUL character');
    expect(printablePath('x\ty\u0001')).toBe('x\\ty\\x01');
  });

  it('a 1024x1024 grid is summarized, not drawn', () => {
    const design = loadDesign('grid.imc', () => readFileSync(LENET, 'utf8').replace('grid 4x4', 'grid 1024x1024')).design!;
    const picture = gridPicture(mapDesign(design));
    expect(picture.length).toBeLessThan(400);
    expect(picture).toMatch(/\d+ cores on the first 1 of 1024 rows; the picture is not drawn/);
  });
});

describe('long networks', () => {
  it('a 2,000-layer chain maps and plans, one core per layer (the time against layer count is in bench/hardening.ts)', () => {
    const design = loadDesign('long.imc', () => longNetworkSource(2000)).design!;
    const mapping = mapDesign(design);
    const plan = planMemories(design, mapping);
    expect(mapping.layers).toHaveLength(2000);
    expect(plan.cores).toHaveLength(2000);
  });
});

describe('large inputs: refused with their size before any work', () => {
  it('IMC014 states the 8,192 height/width limit (not the 65,536 channel limit)', () => {
    const diagnostics = loadDesign('wide.imc', () => squareInputSource(8192).replace('1x8192x8192', '1x70000x5')).diagnostics;
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'IMC014 input: input size (channels x height x width) must be at least 1 and at most 8,192, not 70000',
    ]);
  });

  // A 5x5 kernel over 1x8192x8192: 8188 x 8188 x 25 needed inputs, above the simulator's bound (a 3x3 conv fits).
  const over = () => squareInputSource(8192).replace('kernel 3x3', 'kernel 5x5');

  it('simulate of 1x8192x8192 with a 5x5 conv: IMC190 at the layer, with the number of needed input pixels', async () => {
    const file = join(work, 'square-8192.imc');
    writeFileSync(file, over());
    const run = await runCli(['simulate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:13:7: error IMC190: network square is too large to simulate: its crossbar operations need 1,676,083,600 input pixels`);
  });

  it('compile of 1x8192x8192 with a 5x5 conv: IMC190 (the simulation its report needs) before any work, and no output directory', async () => {
    const file = join(work, 'square-8192-compile.imc');
    writeFileSync(file, over());
    const out = join(work, 'square-8192-out');
    const run = await runCli(['compile', file, '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:13:7: error IMC190: network square is too large to simulate: its crossbar operations need 1,676,083,600 input pixels`);
    expect(existsSync(out)).toBe(false);
  });

  it('compile of 1x8192x8192 with a 3x3 conv is within the bound (measured 3.5 GB, docs/hardening.md); its schedules are skipped with IMC192', () => {
    const design = loadDesign('square-8192.imc', () => squareInputSource(8192)).design!;
    expect(compileSizeDiagnostic(design)).toBeUndefined();
    expect(scheduleTextWarning(design)?.code).toBe('IMC192');
  });

  it('schedule --json of 1x2048x2048: IMC191 with the number of schedule operations (the text form streams)', async () => {
    const file = join(work, 'square-2048.imc');
    writeFileSync(file, squareInputSource(2048));
    const schedule = await runCli(['schedule', file, '--json']);
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toContain('error IMC191: network square is too large for schedule --json: its schedules hold 46,055,464 memory operations');
  });
});

describe('imports in every direction', () => {
  it('down, up (..), absolute and through a symlinked directory: each file is loaded once', async () => {
    const root = join(work, 'imports');
    mkdirSync(join(root, 'project', 'sub'), { recursive: true });
    mkdirSync(join(root, 'shared'), { recursive: true });
    const lenet = readFileSync(LENET, 'utf8');
    const targetEnd = lenet.indexOf('network lenet');
    writeFileSync(join(root, 'shared', 'target.imc'), lenet.slice(0, targetEnd));
    symlinkSync(join(root, 'shared'), join(root, 'project', 'linked'));
    writeFileSync(join(root, 'project', 'sub', 'up.imc'), 'import "../../shared/target.imc"\n');
    writeFileSync(join(root, 'project', 'sub', 'absolute.imc'), `import "${join(root, 'shared', 'target.imc')}"\n`);
    const entry = join(root, 'project', 'main.imc');
    writeFileSync(entry, 'import "sub/up.imc"\nimport "sub/absolute.imc"\nimport "linked/target.imc"\n' + lenet.slice(targetEnd));
    const run = await runCli(['check', entry]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('an import of a directory, of itself, and of a missing file upward are positioned diagnostics', async () => {
    const dir = join(work, 'imports-bad');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'main.imc');
    writeFileSync(entry, 'import "."\nimport "main.imc"\nimport "../../../../nowhere.imc"\n' + readFileSync(LENET, 'utf8'));
    const run = await runCli(['check', entry]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${entry}:1:8: error IMC003: cannot read ${dir}: it is a directory, not a regular file`);
    expect(run.stderr).toContain(`${entry}:2:8: error IMC004: import cycle`);
    expect(run.stderr).toContain(`${entry}:3:8: error IMC003: cannot read ${resolve(dir, '../../../../nowhere.imc')}: no such file`);
  });
});

describe('an interrupted verify leaves no temporary directory', () => {
  it('SIGTERM during the Verilator build: exit 143, nothing left in the build cache or the temp folder', async () => {
    const temp = join(work, 'verify-tmp');
    const cache = join(work, 'verify-cache');
    mkdirSync(temp);
    const entry =
      "import('./src/cli/main.ts').then(async (m) => { m.enableSignalCleanup(); " +
      `process.exitCode = await m.main(['verify', ${JSON.stringify(LENET)}, '--cache-dir', ${JSON.stringify(cache)}]); })`;
    // TMPDIR: verify's work directories go to a folder of this test's own, so other runs cannot disturb the count.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', entry], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: temp } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // Wait until the build is under way: its temporary directory exists in the cache.
    const building = (): boolean => existsSync(cache) && readdirSync(cache).some((f) => f.includes('.tmp-'));
    for (let i = 0; i < 600 && !building(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(building()).toBe(true);
    expect(readdirSync(temp).some((f) => f.startsWith('imcc-rtl-'))).toBe(true);
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(stderr).toContain('imcc: interrupted (SIGTERM); temporary files removed');
    expect(readdirSync(cache).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
    // (tsx, which runs this test's child, keeps its own cache there: only imcc's directories count.)
    expect(readdirSync(temp).filter((f) => f.startsWith('imcc-'))).toEqual([]);
  }, 120_000);
});
