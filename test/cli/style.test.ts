// One CLI style (issue 13): the same seed option (range and default) in every command that takes one, one error
// format for usage errors, `fmt --check`, and help text that does not point into source files.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerCommands } from '../../src/cli/commands/index.js';
import { DEFAULT_SEED, SEED_MAX } from '../../src/cli/options.js';
import { runCli } from '../support/cli.js';

function program(): Command {
  const p = new Command();
  registerCommands(p, () => undefined);
  return p;
}

describe('shared options', () => {
  it('every --seed has the same default and range', async () => {
    const seeded = program().commands.filter((c) => c.options.some((o) => o.long === '--seed'));
    expect(seeded.map((c) => c.name()).sort()).toEqual(['analyze', 'evaluate', 'infer', 'verify']);
    for (const c of seeded) {
      const seed = c.options.find((o) => o.long === '--seed')!;
      expect(seed.defaultValue, c.name()).toBe(DEFAULT_SEED);
      expect(seed.parseArg!(String(SEED_MAX), undefined), c.name()).toBe(SEED_MAX);
      expect(() => seed.parseArg!(String(SEED_MAX + 1), undefined), c.name()).toThrow(/expected a seed from 0 to 4,294,967,295/);
    }
  });

  it('no help text points into a source file', () => {
    const texts = program().commands.flatMap((c) => [c.description(), ...c.options.map((o) => o.description)]);
    expect(texts.filter((t) => /\bsrc\//.test(t))).toEqual([]);
  });
});

describe('one error format', () => {
  it('usage errors are `imcc: error IMCnnn: ...` with exit 2, a code per rule (test/cli/usage.test.ts)', async () => {
    const cases: Array<[string[], string]> = [
      [['bogus'], 'IMC142'],
      [['compile', 'examples/lenet.imc'], 'IMC094'],
      [['simulate', 'examples/lenet.imc', '--batch', 'x'], 'IMC095'],
      [['infer', 'examples/lenet.imc', '--seed', '-1'], 'IMC095'],
    ];
    for (const [args, code] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^imcc: error ${code}: `));
    }
  });
});

describe('imcc fmt --check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-fmt-check-'));
  it('exits 0 silently on a canonical file and 1 naming a file that is not, changing neither', async () => {
    const canonical = join(dir, 'ok.imc');
    writeFileSync(canonical, (await runCli(['fmt', 'examples/lenet.imc'])).stdout);
    const ok = await runCli(['fmt', canonical, '--check']);
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    const messy = join(dir, 'messy.imc');
    const text = readFileSync(canonical, 'utf8').replace('grid 4x4', 'grid   4x4');
    writeFileSync(messy, text);
    const bad = await runCli(['fmt', messy, '--check']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`${messy}: not in canonical form (imcc fmt --write ${messy} rewrites it)\n`);
    expect(readFileSync(messy, 'utf8')).toBe(text);
  });
});
