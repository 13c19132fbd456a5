// The memory phase's commands through the CLI entry point: imcc memory, imcc diff (and git's calling convention).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { buildSchedule, type CoreMemoryParams } from '../../src/memory/index.js';
import { replicaOffsets } from '../../src/mapping/index.js';
import { parseScheduleText, renderSchedule } from '../../src/memory/scheduleFile.js';
import { TARGET } from '../diagnostics/cases.js';
import { runCli as run } from '../support/cli.js';
import { uniformPadding } from '../../src/ir/padding.js';


afterEach(() => vi.restoreAllMocks());

const params: CoreMemoryParams = {
  layer: 'conv1', core: 'c00', height: 6, width: 5, channels: 3, bits: 8, kernelHeight: 3, kernelWidth: 3, stride: 1,
  padding: uniformPadding(1), replicas: replicaOffsets(2, 1), method: 1, dW: 1, wordBits: 32, depth: 512, layout: 'IWAP',
  arrivalsPerTimestep: 1,
};

let dir = '';
let text = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imcc-diff-'));
  text = renderSchedule(buildSchedule(params));
});

function write(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('imcc memory', () => {
  it('--json gives Table 1 (N = 56, H = 8, WL = 160) for the three layouts', async () => {
    const r = await run(['memory', '--channels', '56', '--height', '8', '--word-bits', '160', '--bits', '8', '--kernel', '3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.IWAP.readCycles).toEqual([9, 10]);
    expect(j.KLIP.writeCycles).toEqual([3, 4]);
    expect(j.PLIP.memoryKB).toBeCloseTo(1.436, 9);
    expect(j.PLIP.words).toBe(72);
    expect(Object.keys(j)).toEqual(['IWAP', 'KLIP', 'PLIP']);
  });

  it('prints the layouts side by side', async () => {
    const r = await run(['memory', '--channels', '3', '--height', '32', '--word-bits', '128']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/memory \[KB\]\s+0\.288\s+0\.505\s+1\.523/);
    expect(r.stdout).toMatch(/# read\s+\[1, 2\]\s+1\s+3/);
    expect(r.stdout).toMatch(/% empty\s+0\.0\s+43\.0\s+81\.1/);
  });

  it('a bad number is a usage error (exit 2)', async () => {
    const r = await run(['memory', '--channels', '0', '--height', '32', '--word-bits', '128']);
    expect(r.code).toBe(2);
  });
});

describe('imcc diff', () => {
  it('equal schedules: exit 0', async () => {
    const r = await run(['diff', write('a.sched', text), write('b.sched', text)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('schedules are equal');
  });

  it('two schedules differing in one address: reports that timestep, both lines, and exits 1', async () => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => / R 2,1 word=/.test(l));
    const changed = lines[i].replace(/word=(\d+)/, (_, w: string) => `word=${Number(w) + 1}`);
    const t = Number(lines[i].split(' ')[0]);
    lines[i] = changed;
    const r = await run(['diff', write('old.sched', text), write('new.sched', lines.join('\n'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`first difference at timestep ${t}:`);
    expect(r.stdout).toContain(`+ ${changed}`);
    expect(r.stdout).toContain('2 lines differ (1 removed, 1 added); addresses changed');
    const j = JSON.parse((await run(['diff', join(dir, 'old.sched'), join(dir, 'new.sched'), '--json'])).stdout);
    expect(j.cores[0]).toMatchObject({ change: 'addresses', firstTimestep: t, newLine: changed, linesRemoved: 1, linesAdded: 1 });
  });

  it('a schedule delayed by some timesteps is reported as only a shift in time', async () => {
    const s = parseScheduleText(text, 'x');
    const shifted = text
      .split('\n')
      .map((l, i) => (i > s.headerLines.length + 1 && l !== '' && Number(l.split(' ')[0]) >= 20 ? l.replace(/^\d+/, (n) => String(Number(n) + 3)) : l))
      .join('\n');
    const r = await run(['diff', write('s0.sched', text), write('s1.sched', shifted), '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.cores[0].change).toBe('time-shift');
    expect(j.cores[0].firstTimestep).toBe(20);
  });

  it('--unified prints a unified diff', async () => {
    const changed = text.replace('layout IWAP', 'layout KLIP');
    const r = await run(['diff', write('u0.sched', text), write('u1.sched', changed), '--unified']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('-layout IWAP');
    expect(r.stdout).toContain('+layout KLIP');
    expect(r.stdout).toMatch(/^@@ /m);
  });

  it("git's external diff convention (path old-file old-hex old-mode new-file new-hex new-mode)", async () => {
    const other = text.replace(/^(\d+) W 0,0 word=0 bit=0$/m, '$1 W 0,0 word=1 bit=0');
    const r = await run(['diff', 'generated/x/schedules/c00.sched', write('g0', text), 'abc123', '100644', write('g1', other), 'def456', '100644']);
    // A driver exits 0 for "different" (git < 2.46, and newer git without trustExitCode, take any other status as a failure).
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^diff --git a\/generated\/x\/schedules\/c00\.sched b\/generated\/x\/schedules\/c00\.sched\ngenerated\/x\/schedules\/c00\.sched: 2 lines differ/);
    const added = await run(['diff', 'schedules/c00.sched', '/dev/null', '.', '.', join(dir, 'g1'), 'def456', '100644']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('schedules/c00.sched: added');
    const bad = await run(['diff', 'schedules/c00.sched', write('g2', 'hello\n'), '.', '.', join(dir, 'g1'), 'def456', '100644']);
    expect(bad.code).toBe(2);
  });

  it('compiled output directories: compares schedules/*.sched per core', async () => {
    for (const side of ['out0', 'out1']) mkdirSync(join(dir, side, 'schedules'), { recursive: true });
    write('out0/schedules/c00.sched', text);
    write('out1/schedules/c00.sched', text);
    write('out0/schedules/c01.sched', text);
    let r = await run(['diff', join(dir, 'out0'), join(dir, 'out1')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('c01.sched: removed');
    write('out1/schedules/c01.sched', text);
    r = await run(['diff', join(dir, 'out0'), join(dir, 'out1')]);
    expect(r.code).toBe(0);
  });

  it('IMC074: an input that cannot be read; IMC085: a directory without schedules; each exits 2', async () => {
    const missing = join(dir, 'missing.sched');
    let r = await run(['diff', missing, write('ok.sched', text)]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`imcc: error IMC074: cannot read ${missing}: no such file\n`);
    const empty = join(dir, 'empty-out');
    mkdirSync(empty, { recursive: true });
    r = await run(['diff', empty, join(dir, 'ok.sched')]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`imcc: error IMC085: ${empty} holds no schedules (no schedules/*.sched, no *.sched)\n`);
  });

  it('IMC086: text that is not a schedule, with the line and what the format has there; exits 2', async () => {
    const ok = write('ok.sched', text);
    const diff = async (name: string, content: string): Promise<string> => {
      const r = await run(['diff', write(name, content), ok]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      return r.stderr;
    };
    const bad = join(dir, 'bad.sched');
    expect(await diff('bad.sched', 'hello\n')).toBe(`imcc: error IMC086: ${bad}:1: not an imcc schedule: expected 'imcc-schedule 1', found "hello"\n`);
    const lines = text.split('\n');
    const firstOp = lines.indexOf('--') + 2;
    const badOp = text.replace(/ bit=0 blk=/, ' bit=x blk=');
    const badLine = badOp.split('\n').findIndex((l) => l.includes('bit=x')) + 1;
    expect(await diff('bad2.sched', badOp)).toContain(`${join(dir, 'bad2.sched')}:${badLine}: not an imcc schedule: expected an operation line, found "`);
    expect(badLine).toBeGreaterThanOrEqual(firstOp);
    // A header op count that contradicts the op lines (truncated or hand-edited file) is an error, not 'equal'.
    const ops = Number(/^ops (\d+)$/m.exec(text)![1]);
    const opsLine = lines.findIndex((l) => l.startsWith('ops ')) + 1;
    const miscounted = text.replace(/^ops \d+$/m, `ops ${ops + 1}`);
    expect(await diff('miscounted.sched', miscounted)).toBe(
      `imcc: error IMC086: ${join(dir, 'miscounted.sched')}:${opsLine}: not an imcc schedule: expected ${ops + 1} operation lines (the header's 'ops ${ops + 1}'), found ${ops}\n`,
    );
    // Two schedules of one core, back to back (as imcc schedule prints several).
    const twice = join(dir, 'twice.sched');
    expect(await diff('twice.sched', text + text)).toBe(
      `imcc: error IMC086: ${twice}:${lines.length}: not an imcc schedule: expected one schedule per core, found a second schedule of core c00\n`,
    );
    const nocore = text.replace(/^core \S+\n/m, '');
    const end = nocore.split('\n').indexOf('--') + 1;
    const headerMessage = `${join(dir, 'nocore.sched')}:${end}: not an imcc schedule: expected a 'core <name>' header line, found the '--' line that ends the header\n`;
    expect(await diff('nocore.sched', nocore)).toBe(`imcc: error IMC086: ${headerMessage}`);
    // Against a directory, the file's core names the schedule it is compared with: the same rule, checked first.
    const out = join(dir, 'out-nocore');
    mkdirSync(join(out, 'schedules'), { recursive: true });
    writeFileSync(join(out, 'schedules', 'c00.sched'), text);
    const mixed = await run(['diff', join(dir, 'nocore.sched'), out]);
    expect(mixed).toMatchObject({ code: 2, stderr: `imcc: error IMC086: ${headerMessage}` });
  });
});

describe('imcc diff as git diff driver', () => {
  it('`git diff` on a *.sched file uses it through .gitattributes and `diff.imcc.command "imcc diff"` as written', () => {
    const root = process.cwd();
    const bin = mkdtempSync(join(tmpdir(), 'imcc-bin-'));
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href;
    const entry = join(root, 'src/cli/main.ts');
    writeFileSync(
      join(bin, 'imcc'),
      `#!/bin/sh\nexec node --import ${tsx} -e "import('${entry}').then(m=>m.main(process.argv.slice(1))).then(c=>{process.exitCode=c})" -- "$@"\n`,
      { mode: 0o755 },
    );
    const repo = mkdtempSync(join(tmpdir(), 'imcc-git-'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, GIT_CONFIG_NOSYSTEM: '1', HOME: repo };
    const g = (...args: string[]) => spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    g('init', '-q');
    g('config', 'user.email', 'ci@example.invalid');
    g('config', 'user.name', 'ci');
    writeFileSync(join(repo, '.gitattributes'), '*.sched diff=imcc\n');
    writeFileSync(join(repo, 'c00.sched'), text);
    g('add', '.');
    g('commit', '-qm', 'schedules');
    writeFileSync(join(repo, 'c00.sched'), text.replace(/^(\d+) W 1,0 word=(\d+)/m, (_, t: string, w: string) => `${t} W 1,0 word=${Number(w) + 1}`));
    g('config', 'diff.imcc.command', 'imcc diff');
    const r = g('diff');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('diff --git a/c00.sched b/c00.sched\nc00.sched: 2 lines differ (1 removed, 1 added); addresses changed');
    expect(r.stdout).toMatch(/first difference at timestep \d+:\n  - \d+ W 1,0 word=/);
  });
});

describe('imcc schedule', () => {
  it('prints one core of examples/lenet.imc in the .sched grammar, byte-identical on a second run', async () => {
    const r = await run(['schedule', 'examples/lenet.imc', '--core', 'c00']);
    expect(r.code).toBe(0);
    const parsed = parseScheduleText(r.stdout, 'c00');
    expect(parsed.header.get('core')).toBe('c00');
    expect(Number(parsed.header.get('ops'))).toBe(parsed.opLines.length);
    expect((await run(['schedule', 'examples/lenet.imc', '--core', 'c00'])).stdout).toBe(r.stdout);
  });

  it('--json validates and carries the header and every operation', async () => {
    const r = await run(['schedule', 'examples/lenet.imc', '--core', 'c01', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schedules).toHaveLength(1);
    expect(j.schedules[0].header.core).toBe('c01');
    expect(j.schedules[0].ops.filter((o: { op: string }) => o.op === 'W').length).toBe(
      j.schedules[0].header.height * j.schedules[0].header.width,
    );
  });

  it('IMC073: --core naming no core', async () => {
    const r = await run(['schedule', 'examples/lenet.imc', '--core', 'c99']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error IMC073: no core 'c99' in examples\/lenet\.imc; its cores are c00, /);
  });
});

describe('imcc diff on whole `imcc schedule` outputs', () => {
  it('splits files holding several schedules by core', async () => {
    const other = renderSchedule(buildSchedule({ ...params, core: 'c01', layout: 'PLIP' }));
    const changed = other.replace('depth 512', 'depth 1024');
    const r = await run(['diff', write('all0.sched', text + other), write('all1.sched', text + changed)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('c01.sched: 2 lines differ (1 removed, 1 added); header only');
    expect(r.stdout).not.toContain('c00.sched');
  });
});

describe('memory diagnostics through the CLI', () => {
  it('IMC070 / IMC072 are positioned at the target input_memory line, with the source line and a caret', async () => {
    const d = mkdtempSync(join(tmpdir(), 'imcc-mem-'));
    const main = 'import "t.imc"\nnetwork n on t {\n  input image: 3x8x8, 8 bits\n  a = conv(image, out 4, kernel 3, pad 1)\n  output a\n}\n';
    writeFileSync(join(d, 'main.imc'), main);
    writeFileSync(join(d, 't.imc'), TARGET.replace('depth 256', 'depth 4; layout PLIP'));
    const cwd = process.cwd();
    process.chdir(d);
    try {
      let r = await run(['schedule', 'main.imc']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^t\.imc:\d+:\d+: error IMC070: core c00 \(layer 'a'\): the PLIP layout .* needs 24 words .*depth 4 \(a depth of 24 would fit it\)\n {2}.*input_memory.*\n {2} *\^+/m);
      writeFileSync(join(d, 't.imc'), TARGET.replace('depth 256', 'depth 4'));
      r = await run(['schedule', 'main.imc']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error IMC072: core c00 \(layer 'a', 8x3 pixels of 24 bits\): no layout fits/);
    } finally {
      process.chdir(cwd);
    }
  });
});
