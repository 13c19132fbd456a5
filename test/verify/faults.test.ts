// Fault injection in a generated controller: one wrong increment (Algorithm 2's Δkernel) in one core's controller
// parameters makes verification fail at that core, on a memory address; a register without its reset fails too,
// because every register starts at a random value (Verilator --x-initial unique, seeded).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreModuleFile, prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { verifyRtlDirectory, verilatorVersion } from '../../src/verify/index.js';
import { ToolError } from '../../src/diagnostics/index.js';

describe('fault injection in a controller', () => {
  it('tiny: the clean RTL verifies; a Δkernel one word too large in c01 fails at c01', async () => {
    const p = prepare('test/verify/fixtures/tiny.imc');
    const clean = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(clean.pass).toBe(true);

    const dir = writeFiles(p.files);
    // c01's wrapper sets the one controller module's Δkernel parameter.
    const path = join(dir, 'rtl/tiny_c01.v');
    const text = readFileSync(path, 'utf8');
    const m = /\.DELTA_KERNEL( +)\((\d+)\)/.exec(text)!;
    const word = p.plan.cores.find((c) => c.core === 'c01')!.wordBits;
    writeFileSync(path, text.replace(m[0], `.DELTA_KERNEL${m[1]}(${Number(m[2]) + word})`));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'memory', core: 'c01', layer: 'f1' });
    expect(result.firstMismatch!.expected).not.toBe(result.firstMismatch!.actual);
  }, 600_000);

  it('registers start at random values: a controller state without its reset fails (issue 19)', async () => {
    const p = prepare('test/verify/fixtures/tiny.imc');
    const dir = writeFiles(p.files);
    const path = join(dir, coreModuleFile(p.files, 'tiny_c00', 'controller').path);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('      state_q <= S_IDLE;\n');
    writeFileSync(path, text.replace('      state_q <= S_IDLE;\n', ''));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE, seed: 1, maxCycles: 200_000 });
    expect(result.pass).toBe(false);
  }, 600_000);

  it('a consumer that no longer waits for its row parts\' partial sums fails on the handshake (issue 19)', async () => {
    const p = prepare('test/verify/fixtures/tiny.imc');
    const dir = writeFiles(p.files);
    const path = join(dir, coreModuleFile(p.files, 'tiny_c02', 'controller').path);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('        if (psum_ready_i) begin\n');
    writeFileSync(path, text.replace('        if (psum_ready_i) begin\n', "        if (1'b1) begin\n"));
    const result = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.byKind.handshake).toBeGreaterThan(0);
    expect(result.firstMismatch).toMatchObject({ kind: 'handshake', core: 'c02', layer: 'f1' });
  }, 600_000);

  it('RTL edited into something Verilator cannot build is reported as IMC114, not a crash', async () => {
    const p = prepare('test/verify/fixtures/conv1.imc');
    const dir = writeFiles(p.files);
    const path = join(dir, coreModuleFile(p.files, 'conv1_c00', 'controller').path);
    writeFileSync(path, readFileSync(path, 'utf8').replace('endmodule', 'endmodul'));
    const err = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe('IMC114');
    expect((err as ToolError).message).toMatch(/^the generated RTL does not build with Verilator:\n/);
  }, 300_000);

  it('without Verilator on the PATH, verify says so (IMC251), not a crash', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      const err = await verilatorVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToolError);
      expect((err as ToolError).code).toBe('IMC251');
    } finally {
      process.env.PATH = path;
    }
  });
});
