// Mutation test (issue 19): single mutations of the generated RTL of test/verify/fixtures/mutants.imc must each make
// verification of three images (the second reset mid-stream) fail. ROM mutants (weights, batch-norm constants) reuse the clean design's Verilator build (the .mem
// files are read at run time); every RTL mutant needs its own build, so a fixed-seed sample of them runs per test run
// (IMCC_MUTANTS=all runs every one; IMCC_MUTATION_SEED picks another sample). The list, and the mutants that are
// equivalent and therefore left out, are in docs/verification.md ("Mutation test").
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coreModuleFile, prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { verifyRtlDirectory, type MismatchKind, type VerifyOptions } from '../../src/verify/index.js';
import { generateInputImage, mulberry32 } from '../../src/ir/weights.js';
import { runReference } from '../../src/reference/index.js';

const FIXTURE = 'test/verify/fixtures/mutants.imc';
/** RTL mutants per run (each one a Verilator build of the small fixture). */
const RTL_SAMPLE = 2;
/** Three images: the second is interrupted by a reset pulse mid-stream and streamed again. */
const OPTIONS: VerifyOptions = { cacheDir: TEST_CACHE, seed: 1, images: 3 };

interface Mutant {
  name: string;
  /** File under rtl/ that the mutation edits. */
  file: string;
  /** 'rom': a .mem file (no rebuild); 'rtl': Verilog (rebuild). */
  kind: 'rom' | 'rtl';
  /** The kind of the first mismatch it causes (src/verify/compare.ts). */
  caughtBy: MismatchKind;
  mutate: (text: string) => string;
}

/** Replaces the one occurrence of `from`; a template change that removes the anchor fails here, not silently. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const pattern = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(from.source, 'g');
  const count = [...text.matchAll(pattern)].length;
  if (count !== 1) throw new Error(`mutation anchor ${String(from)} occurs ${count} times`);
  return text.replace(new RegExp(pattern.source), to);
}

/** XORs `mask` into the value on data line `index` (0-based, comments skipped) of a .mem file of `digits` hex digits. */
function flipMemBits(text: string, index: number, mask: number): string {
  const lines = text.split('\n');
  const data = lines.map((l, i) => ({ l, i })).filter(({ l }) => l !== '' && !l.startsWith('//'));
  const line = data[index];
  const digits = line.l.length;
  lines[line.i] = (parseInt(line.l, 16) ^ mask).toString(16).padStart(digits, '0');
  return lines.join('\n');
}

const p = prepare(FIXTURE);
const net = p.design.network.name;

/** A row of the last layer whose input is non-zero for the first image, so a flipped weight there is exercised. */
function aliveRowOfLastLayer(): number {
  const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
  const reference = runReference(p.program.reference, generateInputImage(1, input.shape, input.activationBits));
  const f1 = reference.layers.find((l) => l.layer.startsWith('f1'))!;
  const row = Array.from(f1.activations).findIndex((v) => v !== 0);
  if (row < 0) throw new Error('the fixture has no live input of its last layer');
  return row;
}

const lastRows = 8;
const MUTANTS: Mutant[] = [
  // ROM contents: no rebuild.
  { name: 'flipped sign bit of a last-layer weight', caughtBy: 'adc', file: `${net}_c03_weights.mem`, kind: 'rom', mutate: (t) => flipMemBits(t, aliveRowOfLastLayer(), 0x8) },
  { name: 'flipped low bit of a last-layer weight', caughtBy: 'adc', file: `${net}_c03_weights.mem`, kind: 'rom', mutate: (t) => flipMemBits(t, lastRows + aliveRowOfLastLayer(), 0x1) },
  { name: 'flipped low bit of a first-layer weight', caughtBy: 'adc', file: `${net}_c00_weights.mem`, kind: 'rom', mutate: (t) => flipMemBits(t, 4, 0x1) },
  { name: 'batch-norm scale off by one', caughtBy: 'activation', file: `${net}_c00_bn_scale.mem`, kind: 'rom', mutate: (t) => flipMemBits(t, 1, 0x1) },
  // The bias's sign bit (9-bit values: half an output step at requant shift 9). Its low bit (1/512 of a step) shows only
  // when some value lands exactly on a rounding boundary, which two seeded images do not reach: not caught, not run.
  { name: 'batch-norm bias sign bit flipped', caughtBy: 'activation', file: `${net}_c00_bn_bias.mem`, kind: 'rom', mutate: (t) => flipMemBits(t, 2, 0x100) },
  // Verilog: one build each.
  // Every core's neuron core is the static module: its bound comes from ACT_BITS (4-bit activations: 7).
  {
    name: 'saturation bound 7 -> 6 (every core)', caughtBy: 'activation', file: coreModuleFile(p.files, `${net}_c02`, 'neuron').path.slice('rtl/'.length), kind: 'rtl',
    mutate: (t) => replaceOnce(t, "ACT_MAX = { {(ACC_BITS-ACT_BITS+1){1'b0}}, {(ACT_BITS-1){1'b1}} };", "ACT_MAX = { {(ACC_BITS-ACT_BITS+1){1'b0}}, {(ACT_BITS-2){1'b1}}, 1'b0 };"),
  },
  {
    name: 'write-column base no longer wrapped', caughtBy: 'memory',
    file: coreModuleFile(p.files, `${net}_c00`, 'controller').path.slice('rtl/'.length),
    kind: 'rtl',
    mutate: (t) => replaceOnce(t, 'w_col0_d = wrap_column(w_col0_q + IN_BLOCK_COL_STEP);', 'w_col0_d = w_col0_q + IN_BLOCK_COL_STEP;'),
  },
  {
    name: 'read column no longer wrapped', caughtBy: 'memory',
    file: coreModuleFile(p.files, `${net}_c00`, 'controller').path.slice('rtl/'.length),
    kind: 'rtl',
    mutate: (t) => replaceOnce(t, 'r_col_d = wrap_column(r_col_q + DELTA_PIX);', 'r_col_d = r_col_q + DELTA_PIX;'),
  },
  { name: 'consumer does not wait for its partial sums', caughtBy: 'handshake', file: coreModuleFile(p.files, `${net}_c02`, 'controller').path.slice('rtl/'.length), kind: 'rtl', mutate: (t) => replaceOnce(t, 'if (psum_ready_i) begin', "if (1'b1) begin") },
  // Every core's controller (one module) starts in a random state: with this seed c00 starts inside a block and
  // converts a wrong patch before the first step, so block 0's ADC output is the first mismatch.
  { name: 'state_q reset dropped', caughtBy: 'adc', file: coreModuleFile(p.files, `${net}_c00`, 'controller').path.slice('rtl/'.length), kind: 'rtl', mutate: (t) => replaceOnce(t, '      state_q <= S_IDLE;\n', '') },
  { name: 'busy_q reset dropped', caughtBy: 'activation', file: coreModuleFile(p.files, `${net}_c00`, 'neuron').path.slice('rtl/'.length), kind: 'rtl', mutate: (t) => replaceOnce(t, "      busy_q <= 1'b0;\n", '') },
  {
    name: 'corrupted address (Δkernel one word too large)', caughtBy: 'memory',
    // The core's wrapper sets the controller's parameters.
    file: `${net}_c01.v`,
    kind: 'rtl',
    mutate: (t) => replaceOnce(t, /\.DELTA_KERNEL( +)\((\d+)\)/, `.DELTA_KERNEL$1(${Number(/\.DELTA_KERNEL +\((\d+)\)/.exec(t)![1]) + 16})`),
  },
];

/** The RTL mutants of this run: all with IMCC_MUTANTS=all, else RTL_SAMPLE of them drawn with a fixed seed. */
function rtlSample(): Mutant[] {
  const rtl = MUTANTS.filter((m) => m.kind === 'rtl');
  if (process.env.IMCC_MUTANTS === 'all') return rtl;
  const next = mulberry32(Number(process.env.IMCC_MUTATION_SEED ?? 1));
  const pool = [...rtl];
  const picked: Mutant[] = [];
  while (picked.length < RTL_SAMPLE && pool.length > 0) picked.push(pool.splice(next() % pool.length, 1)[0]);
  return picked;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function verifyMutant(m: Mutant, options: VerifyOptions = OPTIONS) {
  const dir = writeFiles(p.files);
  dirs.push(dir);
  const path = join(dir, 'rtl', m.file);
  const before = readFileSync(path, 'utf8');
  const after = m.mutate(before);
  expect(after, m.name).not.toBe(before);
  writeFileSync(path, after);
  return verifyRtlDirectory(dir, p.program, options);
}

describe('mutation test (issue 19)', () => {
  it('the clean fixture verifies on three images (one reset mid-stream) with every core alive and saturating', async () => {
    const dir = writeFiles(p.files);
    dirs.push(dir);
    const result = await verifyRtlDirectory(dir, p.program, OPTIONS);
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.images.map((r) => r.resetAtCycle !== null)).toEqual([false, true, false]);
    expect(result.images[1].comparisons).toBe(result.images[0].comparisons);
    for (const c of result.coverage.filter((c) => c.activations > 0)) {
      expect(c.nonZero, c.core).toBeGreaterThan(0);
      expect(c.saturated, c.core).toBeGreaterThan(0);
    }
    expect(result.coverage.find((c) => c.core === 'c00')!.ringWraps).toBeGreaterThan(0);
  }, 600_000);

  for (const m of MUTANTS.filter((x) => x.kind === 'rom')) {
    it(`ROM mutant caught without a rebuild: ${m.name}`, async () => {
      const result = await verifyMutant(m);
      expect(result.built).toBe(false);
      expect(result.pass, m.name).toBe(false);
      expect(result.firstMismatch!.kind, m.name).toBe(m.caughtBy);
    }, 600_000);
  }

  it('a dropped busy_q reset that its random start value hides is caught by the mid-stream reset', async () => {
    const busy = MUTANTS.find((m) => m.name === 'busy_q reset dropped')!;
    // Register seed 8 happens to start busy_q at a harmless value (Verilator's seeded random start values; if a
    // Verilator version or the RTL's module structure changes them, pick another seed for which the first expectation
    // holds: seed 1 did until the neuron cores became shared modules, seed 2 until the cores counted their input blocks,
    // seed 16 until the crossbar model became one loop and the neuron core gained its lattice origin, seed 2 again
    // until the controllers and the neuron core counted images for streams).
    const lucky = await verifyMutant(busy, { cacheDir: TEST_CACHE, seed: 8, images: 1 });
    expect(lucky.pass).toBe(true);
    // Cycle 411 falls inside c00's neuron-core work (busy_q high); a clean run passes with a reset at any cycle.
    const reset = await verifyMutant(busy, { cacheDir: TEST_CACHE, seed: 8, images: 1, resetAtCycle: 411 });
    expect(reset.images[0].resetAtCycle).toBe(411);
    expect(reset.pass).toBe(false);
    expect(reset.firstMismatch!.core).toBe('c00');
  }, 600_000);

  for (const m of rtlSample()) {
    it(`RTL mutant caught: ${m.name}`, async () => {
      const result = await verifyMutant(m);
      expect(result.pass, m.name).toBe(false);
      expect(result.firstMismatch!.kind, m.name).toBe(m.caughtBy);
    }, 600_000);
  }
});
