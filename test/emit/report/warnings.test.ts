// Warnings of every phase reach report.txt, not only the terminal: a layer computed but never used (the language,
// IMC037) and a link over the target's bandwidth (the dataflow, IMC090), each as `file:line:col: warning IMCnnn: ...`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'imcc-report-warnings-'));

describe('report.txt warnings', () => {
  it('lists the language and dataflow warnings that compile prints, in the same words', async () => {
    const file = join(work, 'lenet.imc');
    const text = readFileSync('examples/lenet.imc', 'utf8')
      .replace('link 2Gbps', 'link 10Mbps')
      .replace('  output logits', '  unused = fc(f1, out 2)\n  output logits');
    writeFileSync(file, text);
    const out = join(work, 'out');
    const run = await runCli(['compile', file, '-o', out]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const report = readFileSync(join(out, 'report.txt'), 'utf8');
    const section = report.slice(report.indexOf('== Warnings ==\n'), report.indexOf('== Mapping =='));
    const lines = section.trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${file}:15:3: warning IMC090: link .* needs .* over the target's 0.01 Gbit/s`));
    expect(lines[1]).toBe(`${file}:31:12: warning IMC037: 'unused' is computed but never used: it does not lead to the output`);
    // The terminal shows the same diagnostics (with the quoted source line under each).
    for (const line of lines) expect(run.stderr).toContain(line);
  });

  it('has no warnings section when there is nothing to warn about', async () => {
    const out = join(work, 'clean');
    expect((await runCli(['compile', 'examples/lenet.imc', '-o', out])).code).toBe(0);
    expect(readFileSync(join(out, 'report.txt'), 'utf8')).not.toContain('== Warnings ==');
  });
});
