// imcc report DESIGN|DIR -o FILE: the page compile writes, from a design or an output directory; bad arguments are
// diagnostics (IMC170, IMC171) that leave an existing report untouched.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'imcc-report-cli-'));

describe('imcc report', () => {
  it('writes the same report.html as compile, from the design and from the output directory', async () => {
    const out = join(work, 'lenet');
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', out])).code).toBe(0);
    const compiled = readFileSync(join(out, 'report.html'), 'utf8');
    const fromDesign = join(work, 'a.html');
    const run = await runCli(['report', 'examples/lenet.imc', '-o', fromDesign]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`report of lenet on lenet_tiny in ${fromDesign}`);
    expect(readFileSync(fromDesign, 'utf8')).toBe(compiled);
    const fromDir = join(work, 'b.html');
    expect((await runCli(['report', out, '-o', fromDir])).code).toBe(0);
    expect(readFileSync(fromDir, 'utf8')).toBe(compiled);
  });

  it('IMC170: a directory that is not an imcc output', async () => {
    const dir = join(work, 'plain');
    mkdirSync(dir);
    const run = await runCli(['report', dir, '-o', join(work, 'c.html')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^imcc: error IMC170: .*not an output of imcc compile/m);
  });

  it('IMC171: an unwritable report path leaves the previous file as it was', async () => {
    const dirAsFile = join(work, 'taken');
    mkdirSync(dirAsFile);
    const a = await runCli(['report', 'examples/lenet.imc', '-o', dirAsFile]);
    expect(a.stderr).toMatch(/^imcc: error IMC171: cannot write the report/m);
    const missing = join(work, 'no-such-dir', 'r.html');
    const b = await runCli(['report', 'examples/lenet.imc', '-o', missing]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/^imcc: error IMC171: cannot write the report .*\(no such file\)/m);
    const kept = join(work, 'kept.html');
    writeFileSync(kept, 'previous');
    await runCli(['report', join(work, 'plain'), '-o', kept]);
    expect(readFileSync(kept, 'utf8')).toBe('previous');
  });
});
