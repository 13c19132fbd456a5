// Shared by the RTL and verify tests: load a design, map it, plan its memories, and write its RTL to a directory.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesign } from '../../../src/ir/load.js';
import type { IrDesign } from '../../../src/ir/types.js';
import type { Mapping } from '../../../src/mapping/types.js';
import type { MemoryPlan } from '../../../src/memory/index.js';
import { createProgram, type Program } from '../../../src/pipeline/program.js';
import { emitRtl, type RtlFile } from '../../../src/emit/rtl/index.js';
import { decodeShortcutEntry, encodeShortcutEntry, type ShortcutEntry } from '../../../src/emit/rtl/shortcutOrder.js';
import { verifyRtlDirectory, type VerifyOptions, type VerifyResult } from '../../../src/verify/index.js';
import { lintRtl } from '../../../src/verify/lint.js';
import { expect, it } from 'vitest';

export interface Prepared {
  design: IrDesign;
  mapping: Mapping;
  plan: MemoryPlan;
  program: Program;
  files: RtlFile[];
}

export function prepare(path: string): Prepared {
  const loaded = loadDesign(path);
  if (!loaded.design) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const design = loaded.design;
  const program = createProgram(design);
  const { mapping, memory: plan } = program;
  return { design, mapping, plan, program, files: emitRtl(program) };
}

/**
 * A variant of the fixture at `path`: each edit's first text replaced by its second (each must occur), written to a
 * temporary `<name>.imc` and prepared.
 */
export function prepareVariant(path: string, name: string, edits: ReadonlyArray<readonly [string, string]>): Prepared {
  let text = readFileSync(path, 'utf8');
  for (const [from, to] of edits) {
    expect(text, `${path} holds the text to replace`).toContain(from);
    text = text.replace(from, to);
  }
  const file = join(mkdtempSync(join(tmpdir(), `imcc-${name}-`)), `${name}.imc`);
  writeFileSync(file, text);
  return prepare(file);
}

export function writeFiles(files: readonly { path: string; content: string }[], dir = mkdtempSync(join(tmpdir(), 'imcc-rtl-test-'))): string {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

/**
 * A fault check's run: the design's RTL written afresh with `edit` applied to rtl/`file` (which it must change), then
 * verified with the shared cache (and `options`).
 */
export async function verifyEdited(p: Prepared, file: string, edit: (text: string) => string, options: Partial<VerifyOptions> = {}): Promise<VerifyResult> {
  const dir = writeFiles(p.files);
  const path = join(dir, 'rtl', file);
  const text = readFileSync(path, 'utf8');
  const edited = edit(text);
  expect(edited, file).not.toBe(text);
  writeFileSync(path, edited);
  return verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE, ...options });
}

/** The packed lines of a $readmemh file (comments dropped). */
export function memLines(text: string): string[] {
  return text.split('\n').filter((l) => /^[0-9a-f]+$/.test(l));
}

/** The entries of a core's shortcut table file (`<core>_res_slots.mem`), each decoded. */
export function shortcutTable(text: string, ptrBits: number): ShortcutEntry[] {
  return [...text.matchAll(/^[0-9a-f]+$/gm)].map((m) => decodeShortcutEntry(Number.parseInt(m[0], 16), ptrBits));
}

/** A shortcut table file with each entry (and its index) passed through `edit`; every line keeps its width. */
export function editShortcutTable(text: string, ptrBits: number, edit: (entry: ShortcutEntry, index: number) => ShortcutEntry): string {
  let index = 0;
  return text.replace(/^[0-9a-f]+$/gm, (line) =>
    encodeShortcutEntry(edit(decodeShortcutEntry(Number.parseInt(line, 16), ptrBits), index++), ptrBits).toString(16).padStart(line.length, '0'),
  );
}

/**
 * Fault check: every entry of `core`'s shortcut table needs no shortcut pixel (its blocks no longer wait for theirs),
 * caught at `layer`.
 */
export function noShortcutWaitFault(p: Prepared, core: string, layer: string, waitedFor = 'their shortcut'): void {
  it(`fails at ${layer} when its blocks no longer wait for ${waitedFor} (fault check)`, async () => {
    const ptr = neuronParametersOf(p.files, core).RES_PTR_BITS;
    const result = await verifyEdited(p, `${core}_res_slots.mem`, (text) => editShortcutTable(text, ptr, (entry) => ({ ...entry, need: 0 })));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ layer });
  }, 300_000);
}

/** Shared Verilator cache of the test runs (builds are keyed by the RTL, so reuse is safe). */
export const TEST_CACHE = join(tmpdir(), 'imcc-test-verilator-cache');

/**
 * A pooled fixture's run on two images, the second reset mid-stream: bit-exact (with more than `minComparisons`
 * comparisons), and each layer of `pooled` emits that many activations per image over its cores, not all zero in any
 * that emits.
 */
export function twoImagePoolTest(p: Prepared, pooled: Record<string, number>, minComparisons = 0): void {
  it('verifies on two images, one reset mid-stream, with non-zero pooled activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(minComparisons);
    for (const [layer, activations] of Object.entries(pooled)) {
      const cores = result.coverage.filter((c) => c.layer === layer);
      expect(cores.reduce((sum, c) => sum + c.activations, 0) / result.images.length, layer).toBe(activations);
      // Every core that emits (a row part's partial core sends no activations) emits some non-zero.
      for (const c of cores.filter((c) => c.activations > 0)) expect(c.nonZero, `${layer} at ${c.core}`).toBeGreaterThan(0);
    }
  }, 300_000);
}

/** An integrate-and-fire fixture's run on `images` images: bit-exact every timestep, c00 spiking both 0 and 1. */
export function spikesOfBothValuesTest(p: Prepared, images = 1): void {
  it(`verifies bit-exact every timestep${images > 1 ? ` on ${images} images` : ''}, with spikes of both values at c00`, async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const c00 = result.coverage.find((c) => c.core === 'c00')!;
    expect(c00.nonZero).toBeGreaterThan(0);
    expect(c00.nonZero).toBeLessThan(c00.activations);
  }, 300_000);
}

/** A fixture's RTL is clean under verilator --lint-only -Wall. */
export function lintTest(p: Prepared): void {
  const network = p.design.network.name;
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), `rtl/${network}.f`, `${network}_top`);
    expect(lint.messages).toEqual([]);
  }, 120_000);
}

/**
 * The two tests every RTL fixture gets: lint clean, and verified bit-exact against the reference model and the
 * schedules with at least `minComparisons` comparisons (activations, ADC columns and addresses).
 */
export function lintAndVerifyTests(p: Prepared, minComparisons: number): void {
  lintTest(p);
  it('verifies bit-exact against the reference model and the schedules', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(minComparisons);
  }, 300_000);
}

/**
 * The library controller or neuron module that core `coreModule` (e.g. `tiny_c01`) instantiates: its wrapper names it.
 */
export function coreModuleFile(files: readonly RtlFile[], coreModule: string, kind: 'controller' | 'neuron'): RtlFile {
  const wrapper = files.find((f) => f.path === `rtl/${coreModule}.v`);
  if (!wrapper) throw new Error(`no wrapper rtl/${coreModule}.v`);
  // `module u_kind (` or, for a parameterised module, `module #( ... ) u_kind (`.
  // The parameter list ends at the first `) u_` (it must not run on into the next instance's).
  const module = new RegExp(`^ {2}(\\w+) (?:#\\((?:(?!\\) u_)[\\s\\S])*?\\) )?u_${kind} \\(`, 'm').exec(wrapper.content)?.[1];
  const file = files.find((f) => f.path === `rtl/${module}.v`);
  if (!file) throw new Error(`${coreModule} instantiates no ${kind}`);
  return file;
}

/** The parameters core `coreModule`'s wrapper sets on its `u_<kind>` instance (`.NAME (value)`), by name. */
function instanceParametersOf(files: readonly RtlFile[], coreModule: string, kind: string): Record<string, number> {
  const wrapper = files.find((f) => f.path === `rtl/${coreModule}.v`);
  if (!wrapper) throw new Error(`no wrapper rtl/${coreModule}.v`);
  // The parameter list ends at the first `) u_` (it must not run on from an earlier instance's).
  const block = new RegExp(`^ {2}\\w+ #\\(((?:(?!\\) u_)[\\s\\S])*?)\\) u_${kind} \\(`, 'm').exec(wrapper.content)?.[1];
  if (block === undefined) throw new Error(`${coreModule} sets no ${kind} parameters`);
  return Object.fromEntries([...block.matchAll(/\.(\w+)\s*\((\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
}

/** The parameters core `coreModule`'s wrapper sets on its dataflow controller (`.NAME (value)`), by name. */
export function controllerParametersOf(files: readonly RtlFile[], coreModule: string): Record<string, number> {
  return instanceParametersOf(files, coreModule, 'controller');
}

/** The parameters core `coreModule`'s wrapper sets on the static neuron core imcc_neuron. */
export function neuronParametersOf(files: readonly RtlFile[], coreModule: string): Record<string, number> {
  return instanceParametersOf(files, coreModule, 'neuron');
}

/** The parameters core `coreModule`'s wrapper sets on its `queue`-th pooled-pixel queue imcc_pool_queue (`u_queue`, `u_queue2`, ...). */
export function poolQueueParametersOf(files: readonly RtlFile[], coreModule: string, queue = 1): Record<string, number> {
  return instanceParametersOf(files, coreModule, queue === 1 ? 'queue' : `queue${queue}`);
}

/**
 * The parameters of the stages of core `coreModule`'s chain of pools (the static imcc_pool instances u_pool1,
 * u_pool2, ... its wrapper chains), first to last.
 */
export function poolStageParametersOf(files: readonly RtlFile[], coreModule: string): Array<Record<string, number>> {
  const wrapper = files.find((f) => f.path === `rtl/${coreModule}.v`)!;
  const count = [...wrapper.content.matchAll(/\) u_pool\d+ \(/g)].length;
  return Array.from({ length: count }, (_, i) => instanceParametersOf(files, coreModule, `pool${i + 1}`));
}
