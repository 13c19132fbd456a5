// The command line as a whole: every registered command has --help, rejects unknown options as bad usage (2), turns
// bad input (a missing file, a directory, an empty file, random bytes, absurdly large numbers, a network with nothing
// to map) into diagnostics with exit 1 (`imcc diff`: 2, as git) and never into an internal error (70) or a stack
// trace, and prints nothing but JSON on stdout with --json. Designs that must run use examples/lenet.imc (the small one).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { registerCommands } from '../../src/cli/commands/index.js';
import { EXIT } from '../../src/cli/exit.js';
import { IMCC_VERSION } from '../../src/cli/version.js';
import { validateJson } from '../../src/support/schema.js';
import { runCli, type CliRun } from '../support/cli.js';

const LENET = 'examples/lenet.imc';
const HUGE = '99999999999999999999999';

// Fixtures: every kind of bad input, written once.
const work = mkdtempSync(join(tmpdir(), 'imcc-robust-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const directory = join(work, 'a-directory');
mkdirSync(directory);
const badInputs = {
  missing: join(work, 'missing.imc'),
  directory,
  empty: join(work, 'empty.imc'),
  binary: join(work, 'binary.imc'),
  hugeNumber: join(work, 'huge.imc'),
  noWeightLayer: join(work, 'no-weights.imc'),
} as const;
type BadInput = keyof typeof badInputs;
writeFileSync(badInputs.empty, '');
writeFileSync(badInputs.binary, seededBytes(4096, 0x1badf00d));
writeFileSync(badInputs.hugeNumber, lenetWith('out 4, kernel 5x5', `out ${HUGE}, kernel 5x5`));
// Checks as syntax, but there is nothing to put on a crossbar: the network's output is its input.
writeFileSync(badInputs.noWeightLayer, lenetBody('  output image\n'));

// Two small schedules (lenet's last core) for `imcc diff`, written by `imcc schedule` itself on first use.
const oldSchedule = join(work, 'old.sched');
const newSchedule = join(work, 'new.sched');
let schedulesWritten: Promise<void> | undefined;
function writeSchedules(): Promise<void> {
  schedulesWritten ??= runCli(['schedule', LENET, '--core', 'c05']).then((run) => {
    if (run.code !== 0) throw new Error(`imcc schedule failed: ${run.stderr}`);
    writeFileSync(oldSchedule, run.stdout);
    const changed = run.stdout.replace(/^0 W 0,0 word=(\S+) bit=0$/m, '0 W 0,0 word=$1 bit=8');
    if (changed === run.stdout) throw new Error('the schedule fixture no longer has the line this test changes');
    writeFileSync(newSchedule, changed);
  });
  return schedulesWritten;
}

function lenetWith(from: string, to: string): string {
  const text = readFileSync(LENET, 'utf8');
  if (!text.includes(from)) throw new Error(`${LENET} no longer contains '${from}'`);
  return text.replace(from, to);
}

/** examples/lenet.imc with the statements of its network body replaced. */
function lenetBody(body: string): string {
  const text = readFileSync(LENET, 'utf8');
  const start = text.indexOf('  c1 = conv');
  const end = text.indexOf('  mapping {');
  if (start < 0 || end < start) throw new Error(`${LENET} no longer has the body this test replaces`);
  return text.slice(0, start) + body + text.slice(end);
}

/** Deterministic "random" bytes (xorshift32, seeded): control characters, NULs and invalid UTF-8 included. */
function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

interface CommandSpec {
  name: string;
  /** A valid invocation on small input (also the base of the unknown-option check). */
  good: () => string[];
  /** The invocation with FILE as the input under test; absent for commands that read no file. */
  withInput?: (file: string) => string[];
  /** The bad inputs that must end in diagnostics (all of them unless said otherwise). */
  rejects?: BadInput[];
  /** Exit status on bad input. */
  badStatus: number;
  /** --json: the schema its output follows and the exit status of `good` with --json. */
  json?: { schema: string; status: number };
  /** An option given an absurdly large number: bad usage (2). */
  hugeOption?: string[];
}

const ALL_BAD: BadInput[] = ['missing', 'directory', 'empty', 'binary', 'hugeNumber', 'noWeightLayer'];
const out = (name: string) => join(work, name);

const COMMANDS: CommandSpec[] = [
  { name: 'check', good: () => ['check', LENET], withInput: (f) => ['check', f], badStatus: 1, json: { schema: 'check', status: 0 } },
  // fmt is syntactic: a huge number or a network without weight layers is valid syntax (a huge number: kept verbatim).
  { name: 'fmt', good: () => ['fmt', LENET], withInput: (f) => ['fmt', f], rejects: ['missing', 'directory', 'empty', 'binary'], badStatus: 1 },
  { name: 'map', good: () => ['map', LENET], withInput: (f) => ['map', f], badStatus: 1, json: { schema: 'mapping', status: 0 } },
  {
    name: 'replicate',
    good: () => ['replicate', '--cin', '16', '--cout', '16', '--kernel', '3', '--replicas', '4', '--dw', '2'],
    badStatus: 1,
    json: { schema: 'replicate', status: 0 },
    hugeOption: ['replicate', '--cin', HUGE, '--cout', '16', '--kernel', '3', '--replicas', '1'],
  },
  {
    name: 'memory',
    good: () => ['memory', '--channels', '64', '--height', '32', '--word-bits', '128'],
    badStatus: 1,
    json: { schema: 'memory', status: 0 },
    hugeOption: ['memory', '--channels', HUGE, '--height', '32', '--word-bits', '128'],
  },
  {
    name: 'schedule',
    good: () => ['schedule', LENET, '--core', 'c05'],
    withInput: (f) => ['schedule', f],
    badStatus: 1,
    json: { schema: 'schedule', status: 0 },
  },
  {
    name: 'diff',
    good: () => ['diff', oldSchedule, newSchedule],
    withInput: (f) => ['diff', oldSchedule, f],
    badStatus: 2,
    json: { schema: 'schedule-diff', status: 1 },
  },
  {
    name: 'simulate',
    good: () => ['simulate', LENET, '--batch', '2'],
    withInput: (f) => ['simulate', f],
    badStatus: 1,
    json: { schema: 'simulate', status: 0 },
  },
  { name: 'infer', good: () => ['infer', LENET], withInput: (f) => ['infer', f], badStatus: 1, json: { schema: 'infer', status: 0 } },
  {
    name: 'analyze',
    good: () => ['analyze', LENET, '--samples', '1'],
    withInput: (f) => ['analyze', f, '--samples', '1'],
    badStatus: 1,
    json: { schema: 'analyze', status: 0 },
  },
  {
    name: 'compile',
    good: () => ['compile', LENET, '-o', out('compiled')],
    withInput: (f) => ['compile', f, '-o', out('never-written')],
    badStatus: 1,
    json: { schema: 'compile', status: 0 },
  },
  {
    name: 'optimize',
    good: () => ['optimize', LENET],
    withInput: (f) => ['optimize', f],
    badStatus: 1,
    json: { schema: 'optimize', status: 0 },
  },
  // git-setup changes the git repository it runs in: only --help and an unknown option here (test/cli/diff.test.ts
  // runs it in a temporary repository).
  { name: 'git-setup', good: () => ['git-setup'], badStatus: 1 },
  {
    name: 'import',
    good: () => ['import', 'models/digits/model.onnx', '--target', 'examples/targets/digits-tile.imc', '-o', out('imported.imc'), '--calibrate', 'models/digits/calib_x.npy'],
    withInput: (f) => ['import', f, '--target', 'examples/targets/digits-tile.imc', '-o', out('never-imported.imc'), '--calibrate', 'models/digits/calib_x.npy'],
    badStatus: 1,
    json: { schema: 'import', status: 0 },
  },
  {
    name: 'evaluate',
    good: () => ['evaluate', 'examples/digits.imc', '--data', 'models/digits/test_x.npy', '--labels', 'models/digits/test_y.npy'],
    withInput: (f) => ['evaluate', f, '--data', 'models/digits/test_x.npy', '--labels', 'models/digits/test_y.npy'],
    badStatus: 1,
    json: { schema: 'evaluate', status: 0 },
  },
  // verify DIR builds and simulates RTL: only --help and inputs that fail before any build are run here.
  { name: 'verify', good: () => ['verify', out('compiled-for-verify')], withInput: (f) => ['verify', f], badStatus: 1 },
  {
    name: 'report',
    good: () => ['report', LENET, '-o', out('report.html')],
    withInput: (f) => ['report', f, '-o', out('never-written.html')],
    badStatus: 1,
  },
  // lsp serves stdin until the client exits: only --help and bad usage are run here (test/lsp drives the server).
  { name: 'lsp', good: () => ['lsp'], badStatus: 2 },
];

function registeredCommands(): string[] {
  const program = new Command();
  registerCommands(program, () => undefined);
  return program.commands.map((c) => c.name()).sort();
}
const REGISTERED = registeredCommands();
const ACTIVE = COMMANDS.filter((c) => REGISTERED.includes(c.name));

/** Never an internal error, never a stack trace or a raw Node error. */
function expectNoCrash(run: CliRun): void {
  expect(run.code, run.stderr).not.toBe(EXIT.internal);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/\b[A-Za-z]*Error: /);
  expect(run.stderr).not.toContain('internal error');
}

/** `file:line:col: error IMCnnn: ...` or `imcc: error IMCnnn: ...` on stderr. */
const DIAGNOSTIC = /^(?:.+:\d+:\d+: error IMC\d{3}: |imcc: error IMC\d{3}: )/m;

describe('imcc (the program)', () => {
  it('covers every registered command in this file', () => {
    expect(REGISTERED.filter((name) => !COMMANDS.some((c) => c.name === name))).toEqual([]);
  });

  it('--help lists every command and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^Usage: imcc /);
    for (const name of REGISTERED) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('--version prints the version and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.trim()).toBe(IMCC_VERSION);
  });

  it('an unknown command, or no command, is bad usage (2)', async () => {
    const unknown = await runCli(['no-such-command', LENET]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("unknown command 'no-such-command'");
    expectNoCrash(unknown);
    const none = await runCli([]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stdout).toBe('');
  });
});

describe.each(ACTIVE)('imcc $name', (spec) => {
  it('--help exits 0 and prints its usage on stdout', async () => {
    const run = await runCli([spec.name, '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(new RegExp(`^Usage: imcc ${spec.name} `));
    expect(run.stdout).toContain('-h, --help');
    expect(run.stderr).toBe('');
  });

  it('an unknown option is bad usage (2), named on stderr, nothing on stdout', async () => {
    if (spec.name === 'diff') await writeSchedules();
    const run = await runCli([...spec.good(), '--no-such-option']);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
    expect(run.stdout).toBe('');
    expectNoCrash(run);
  });

  const withInput = spec.withInput;
  if (withInput) {
    it.each(spec.rejects ?? ALL_BAD)('bad input (%s) ends in a diagnostic, exit status as documented, no output', async (kind) => {
      if (spec.name === 'diff') await writeSchedules();
      const file = badInputs[kind];
      const run = await runCli(withInput(file));
      expect(run.code, run.stderr).toBe(spec.badStatus);
      expect(run.stderr).toMatch(DIAGNOSTIC);
      expect(run.stderr).toContain(basename(file));
      expect(run.stdout).toBe('');
      expectNoCrash(run);
    });
  }

  if (spec.hugeOption) {
    const args = spec.hugeOption;
    it('an option given an absurdly large number is bad usage (2)', async () => {
      const run = await runCli(args);
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(new RegExp(`^imcc: error IMC095: option '[^']*' '${HUGE}' is invalid: expected `));
      expect(run.stdout).toBe('');
      expectNoCrash(run);
    });
  }

  const json = spec.json;
  if (json) {
    it(`--json prints exactly one JSON document on stdout, following schemas/${json.schema}.schema.json`, async () => {
      if (spec.name === 'diff') await writeSchedules();
      const run = await runCli([...spec.good(), '--json']);
      expect(run.code, run.stderr).toBe(json.status);
      const value: unknown = JSON.parse(run.stdout);
      expect(run.stdout).toBe(JSON.stringify(value, null, 2) + '\n');
      expect(() => validateJson(json.schema, value)).not.toThrow();
      expectNoCrash(run);
    });

    if (withInput) {
      it('--json on a missing file prints no partial output (check: its JSON report)', async () => {
        if (spec.name === 'diff') await writeSchedules();
        const run = await runCli([...withInput(badInputs.missing), '--json']);
        expect(run.code).toBe(spec.badStatus);
        expectNoCrash(run);
        if (spec.name === 'check') {
          const report = JSON.parse(run.stdout) as { ok: boolean; diagnostics: Array<{ code: string }> };
          expect(report.ok).toBe(false);
          expect(report.diagnostics.map((d) => d.code)).toEqual(['IMC003']);
        } else {
          expect(run.stdout).toBe('');
          expect(run.stderr).toMatch(DIAGNOSTIC);
        }
      });
    }
  }
});

describe('files named by options, and the rest of the bad-input rules', () => {
  const fmtActive = REGISTERED.includes('fmt');
  it.runIf(fmtActive)('imcc fmt keeps a huge number verbatim (fmt is syntactic; check rejects it)', async () => {
    const run = await runCli(['fmt', badInputs.hugeNumber]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain(`out ${HUGE}, kernel 5x5`);
    const checked = await runCli(['check', badInputs.hugeNumber]);
    expect(checked.code).toBe(EXIT.badInput);
    expect(checked.stderr).toMatch(/huge\.imc:\d+:\d+: error IMC014: /);
  });

  it('imcc compile on bad input creates no output directory', async () => {
    for (const file of [badInputs.binary, badInputs.hugeNumber]) {
      expect((await runCli(['compile', file, '-o', out('never-written')])).code).toBe(EXIT.badInput);
    }
    expect(existsSync(out('never-written'))).toBe(false);
  });

  it('an output directory that cannot be created (under a regular file) is a diagnostic: compile -o, infer --dump', async () => {
    const underAFile = join(badInputs.empty, 'out');
    for (const args of [['compile', LENET, '-o', underAFile], ['infer', LENET, '--dump', underAFile]]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(EXIT.badInput);
      expect(run.stderr).toMatch(/^imcc: error IMC\d{3}: /m);
      expect(run.stdout).toBe('');
      expectNoCrash(run);
    }
  });

  it('imcc infer --input: a missing, a directory, an empty, a random-bytes and a huge-number image are diagnostics', async () => {
    const hugeImage = join(work, 'huge-image.json');
    writeFileSync(hugeImage, `[${Array.from({ length: 28 * 28 }, () => HUGE).join(',')}]`);
    for (const image of [badInputs.missing, badInputs.directory, badInputs.empty, badInputs.binary, hugeImage]) {
      const run = await runCli(['infer', LENET, '--input', image]);
      expect(run.code, image).toBe(EXIT.badInput);
      expect(run.stderr).toMatch(DIAGNOSTIC);
      expect(run.stdout).toBe('');
      expectNoCrash(run);
    }
  });

  it('imcc simulate --trace into a directory is a diagnostic (IMC091), not a crash', async () => {
    const run = await runCli(['simulate', LENET, '--batch', '1', '--trace', badInputs.directory]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toContain('imcc: error IMC091: ');
    expect(run.stdout).toBe('');
    expectNoCrash(run);
  });

  it('imcc schedule --core with an unknown core is a diagnostic (IMC073)', async () => {
    const run = await runCli(['schedule', LENET, '--core', 'c99']);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/^imcc: error IMC073: no core 'c99'/m);
    expect(run.stdout).toBe('');
  });

  it.runIf(REGISTERED.includes('verify'))(
    'imcc verify DIR: an output whose imcc-output.json is random bytes, or whose source holds a huge number, is a diagnostic before any build',
    async () => {
      const dir = out('verify-bad');
      expect((await runCli(['compile', LENET, '-o', dir])).code).toBe(EXIT.ok);
      const marker = join(dir, 'imcc-output.json');
      const markerText = readFileSync(marker, 'utf8');
      writeFileSync(marker, seededBytes(300, 7));
      const garbled = await runCli(['verify', dir]);
      expect(garbled.code).toBe(EXIT.badInput);
      expect(garbled.stderr).toMatch(/^imcc: error IMC253: /m);
      expectNoCrash(garbled);
      writeFileSync(marker, markerText);
      writeFileSync(join(dir, 'source', 'lenet.imc'), readFileSync(badInputs.hugeNumber));
      const huge = await runCli(['verify', dir]);
      expect(huge.code).toBe(EXIT.badInput);
      expect(huge.stderr).toMatch(/lenet\.imc:\d+:\d+: error IMC014: /);
      expect(huge.stdout).toBe('');
      expectNoCrash(huge);
    },
  );

  it.runIf(REGISTERED.includes('replicate'))('imcc replicate with in-range but enormous numbers is refused quickly (2)', async () => {
    for (const args of [
      ['--cin', '1000', '--cout', '1', '--kernel', '3', '--replicas', '100000'],
      ['--cin', '65536', '--cout', '65536', '--kernel', '64', '--replicas', '4096', '--dw', '64'],
    ]) {
      const run = await runCli(['replicate', ...args]);
      expect(run.code, args.join(' ')).toBe(EXIT.usage);
      expect(run.stdout).toBe('');
      expectNoCrash(run);
    }
  });

  it.runIf(REGISTERED.includes('memory'))('imcc memory keeps its table columns apart for the largest volume', async () => {
    const run = await runCli(['memory', '--channels', '16777216', '--height', '16777216', '--word-bits', '1']);
    expect(run.code).toBe(EXIT.ok);
    for (const label of ['memory [KB]', 'words']) {
      const line = run.stdout.split('\n').find((l) => l.startsWith(label));
      expect(line, label).toBeDefined();
      // The label, then exactly three separated values (IWAP, KLIP, PLIP).
      expect(line!.slice(label.length).trim().split(/\s+/), line).toHaveLength(3);
    }
  });

  it('imcc diff: equal schedules exit 0, different 1, a bad side 2 (as git)', async () => {
    await writeSchedules();
    expect((await runCli(['diff', oldSchedule, oldSchedule])).code).toBe(0);
    expect((await runCli(['diff', oldSchedule, newSchedule])).code).toBe(1);
    const wrongArity = await runCli(['diff', oldSchedule, newSchedule, 'x', 'y', 'z']);
    expect(wrongArity.code).toBe(2);
    expectNoCrash(wrongArity);
    // A header whose op count contradicts the op lines is not a schedule (not 'equal').
    const lying = join(work, 'lying.sched');
    const text = readFileSync(oldSchedule, 'utf8');
    const count = /^ops (\d+)$/m.exec(text);
    expect(count).not.toBeNull();
    writeFileSync(lying, text.replace(/^ops \d+$/m, `ops ${Number(count![1]) + 1}`));
    const inconsistent = await runCli(['diff', oldSchedule, lying]);
    expect(inconsistent.code).toBe(2);
    expect(inconsistent.stderr).toMatch(/^imcc: error IMC086: /m);
    expectNoCrash(inconsistent);
  });
});
