// examples/lenet.imc compiled by `imcc compile`, verified as it is on disk: bit-exact memory addresses (against the
// Algorithm 2 schedules), ADC outputs, activations and outputs (against the reference model); a second run uses the
// cached Verilator build; a corrupted weight in one core's .mem file fails verification at that core.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesignForCli } from '../../src/cli/design.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { writeOutputDirectory } from '../../src/emit/output.js';
import { cycleCap, verifyOutputDir } from '../../src/verify/index.js';
import { createProgram } from '../../src/pipeline/program.js';
import { TEST_CACHE } from '../emit/rtl/helpers.js';

const { design, sources } = loadDesignForCli('examples/lenet.imc');
const compiled = compileDesign({ design, sources, version: '0.1.0' });
const dir = join(mkdtempSync(join(tmpdir(), 'imcc-lenet-')), 'out');
writeOutputDirectory(dir, compiled.files);

/** Negates the first weight of magnitude >= 2 in a weight file (so the fault changes every product it takes part in). */
function corruptWeight(path: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  const i = lines.findIndex((l) => /^[0-9a-f]$/.test(l) && parseInt(l, 16) >= 2 && parseInt(l, 16) <= 7);
  lines[i] = (16 - parseInt(lines[i], 16)).toString(16);
  writeFileSync(path, lines.join('\n'));
}

describe('imcc verify on examples/lenet.imc', () => {
  it('verifies the compiled output directory bit-exact', async () => {
    const result = await verifyOutputDir(dir, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.mismatches).toBe(0);
    // Every word address of every controller, every ADC output, every activation and output were compared.
    expect(result.comparisons).toBeGreaterThan(20_000);
    expect(result.timesteps).toBeGreaterThan(28 * 28);
    // The stall cap derives from the dataflow model: a correct run takes about its expected cycles (22,437 against
    // 19,675: the sequencer's idle cycles between timesteps), well inside the cap's 4x margin.
    const { expected, cap } = cycleCap(createProgram(design));
    expect(result.cycles).toBeLessThanOrEqual(2 * expected);
    expect(result.cycles).toBeLessThan(cap);
    // Seeded stimulus that can catch a wrong weight or saturation bound (issue 19): every emitting core has non-zero
    // and saturated activations (seed 1: 730 activations, 479 non-zero, 255 saturated; docs/verification.md).
    const emitting = result.coverage.filter((c) => c.activations > 0);
    expect(emitting.map((c) => c.core)).toEqual(['c00', 'c02', 'c04', 'c05']);
    for (const c of emitting) {
      expect(c.nonZero, c.core).toBeGreaterThan(0);
      expect(c.saturated, c.core).toBeGreaterThan(0);
    }
    const sum = (f: (c: (typeof emitting)[number]) => number): number => emitting.reduce((s, c) => s + f(c), 0);
    expect([sum((c) => c.activations), sum((c) => c.nonZero), sum((c) => c.saturated)]).toEqual([730, 479, 255]);
  }, 900_000);

  it('a run cut short by the cycle cap names the stalled core and what it waits for', async () => {
    const result = await verifyOutputDir(dir, { cacheDir: TEST_CACHE, maxCycles: 2_000 });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'incomplete', core: 'c00', layer: 'c1' });
    expect(result.firstMismatch!.what).toMatch(/^the simulation did not finish within 2000 cycles: core c00 \(layer c1\) stalled waiting for input/);
  }, 300_000);

  it('does not rebuild the same RTL a second time (build cache keyed by the RTL hash)', async () => {
    const result = await verifyOutputDir(dir, { cacheDir: TEST_CACHE });
    expect(result.built).toBe(false);
    expect(result.pass).toBe(true);
  }, 300_000);

  it('fault injection: one corrupted weight in core c02\'s memory file fails at core c02', async () => {
    const faulty = join(mkdtempSync(join(tmpdir(), 'imcc-lenet-fault-')), 'out');
    cpSync(dir, faulty, { recursive: true });
    corruptWeight(join(faulty, 'rtl/lenet_c02_weights.mem'));
    const result = await verifyOutputDir(faulty, { cacheDir: TEST_CACHE });
    expect(result.built).toBe(false);
    expect(result.pass).toBe(false);
    expect(result.byKind.memory).toBe(0);
    expect(result.firstMismatch).toMatchObject({ kind: 'adc', core: 'c02', layer: 'c2' });
    expect(result.firstMismatch!.expected).not.toBe(result.firstMismatch!.actual);
  }, 300_000);
});
