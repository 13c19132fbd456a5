// Shared by the RTL and verify tests: load a design, map it, plan its memories, and write its RTL to a directory.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import type { Mapping } from '../../src/mapping/types.js';
import { planMemories, type MemoryPlan } from '../../src/memory/index.js';
import { emitRtl, type RtlFile } from '../../src/emit/rtl/index.js';

export interface Prepared {
  design: IrDesign;
  mapping: Mapping;
  plan: MemoryPlan;
  files: RtlFile[];
}

export function prepare(path: string): Prepared {
  const loaded = loadDesign(path);
  if (!loaded.design) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const design = loaded.design;
  const mapping = mapDesign(design);
  const plan = planMemories(design, mapping);
  return { design, mapping, plan, files: emitRtl(design, mapping, plan) };
}

export function writeFiles(files: readonly { path: string; content: string }[], dir = mkdtempSync(join(tmpdir(), 'imcc-rtl-test-'))): string {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

/** Shared Verilator cache of the test runs (builds are keyed by the RTL, so reuse is safe). */
export const TEST_CACHE = join(tmpdir(), 'imcc-test-verilator-cache');
