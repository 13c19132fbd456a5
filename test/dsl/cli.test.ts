// imcc check and imcc fmt, run in-process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { validateJson } from '../../src/support/schema.js';

describe('imcc check', () => {
  it('prints a summary of the network and the target and exits 0', async () => {
    const run = await runCli(['check', 'examples/resnet32.imc']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'examples/resnet32.imc: ok',
        'network resnet32 on dazzi2021: input image 3x32x32 (8-bit), output logits 10x1x1',
        '  114 layers, 34 weight layers (31 conv, 2 shortcut, 1 fc), 361,712 weights (seed 2021)',
        'target dazzi2021: 8x8 grid of 256x256 crossbars (8-bit weights, differential pairs, ADC 24 bits, DAC 8 bits), input memory 128 bits x 512 words, 500 MHz, 100 ns timestep, links 4.5 Gbit/s',
        'files: examples/resnet32.imc, examples/targets/dazzi2021.imc',
        '',
      ].join('\n'),
    );
  });

  it('passes on every example, including a file of targets only', async () => {
    for (const f of ['examples/resnet32-speedup.imc', 'examples/lenet.imc', 'examples/targets/dazzi2021.imc']) {
      const run = await runCli(['check', f]);
      expect(run.code, f).toBe(0);
      expect(run.stdout).toContain(`${f}: ok`);
    }
  });

  it('--json prints only schema-valid JSON', async () => {
    const run = await runCli(['check', '--json', 'examples/lenet.imc']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; network: { weights: number }; targets: { name: string }[] };
    validateJson('check', json);
    expect(json).toMatchObject({ ok: true, network: { name: 'lenet', target: 'lenet_tiny', weights: 3108 }, targets: [{ name: 'lenet_tiny', tileRows: 64 }] });
  });

  it('prints positioned diagnostics with the source line and a caret, exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-check-'));
    try {
      const file = join(dir, 'bad.imc');
      writeFileSync(file, 'target t {\n  controller { clock 500MHz; timestep 100MHz }\n}\n');
      const run = await runCli(['check', file]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `${file}:2:39: error IMC013: controller timestep: 'MHz' is a unit of frequency, timestep is a time (use s, ms, us, ns, ps)\n` +
          '    controller { clock 500MHz; timestep 100MHz }\n' +
          '                                        ^^^^^^\n',
      );
      expect(run.stderr).toMatch(/\d+ errors\n$/);
      const json = await runCli(['check', '--json', file]);
      expect(json.code).toBe(1);
      const parsed = JSON.parse(json.stdout) as { ok: boolean; diagnostics: { code: string }[] };
      validateJson('check', parsed);
      expect(parsed.ok).toBe(false);
      expect(parsed.diagnostics.map((d) => d.code)).toContain('IMC013');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli(['check'])).code).toBe(2);
    expect((await runCli(['check', '--bogus', 'examples/lenet.imc'])).code).toBe(2);
  });
});

describe('imcc fmt', () => {
  it('prints a formatted file unchanged', async () => {
    const run = await runCli(['fmt', 'examples/resnet32.imc']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync('examples/resnet32.imc', 'utf8'));
  });

  it('--write rewrites a file in canonical form, and leaves a canonical file alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-fmt-'));
    try {
      const file = join(dir, 'a.imc');
      writeFileSync(file, 'target t{grid 2x2;link 1Gbps}\n');
      const first = await runCli(['fmt', '--write', file]);
      expect(first).toMatchObject({ code: 0, stdout: `${file}: formatted\n` });
      expect(readFileSync(file, 'utf8')).toBe('target t {\n  grid 2x2\n  link 1Gbps\n}\n');
      const second = await runCli(['fmt', '--write', file]);
      expect(second).toMatchObject({ code: 0, stdout: `${file}: already formatted\n` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file with syntax errors and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-fmt-'));
    try {
      const file = join(dir, 'bad.imc');
      writeFileSync(file, 'target t {\n  grid 2x2 )\n}\n');
      const run = await runCli(['fmt', '--write', file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${file}:2:12: error IMC002:`);
      expect(readFileSync(file, 'utf8')).toBe('target t {\n  grid 2x2 )\n}\n');
      expect((await runCli(['fmt', join(dir, 'missing.imc')])).stderr).toContain('error IMC003: cannot read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
