// The RTL is the static library plus thin wrappers (issue 16): every module a network emits is a library module
// (the same text for every network) or one of its own wrappers (a core, the top); no per-network module body.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../../src/ir/load.js';
import { createProgram } from '../../../src/pipeline/program.js';
import { emitRtl, type RtlFile } from '../../../src/emit/rtl/index.js';
import { caseForSeed, SMALL, writeCase } from '../../verify/randomNetworks.js';

const LIBRARY = ['imcc_controller', 'imcc_crossbar', 'imcc_fifo_ram', 'imcc_if_neuron', 'imcc_neuron', 'imcc_pool', 'imcc_pool_axis', 'imcc_pool_queue', 'imcc_pool_taps', 'imcc_sram'];
/** The random seeds random.test.ts verifies in Verilator (a queued pool, pool chains, replicated pools among them). */
const SEEDS = [415, 325, 328, 617, 287, 3405];

interface Emitted {
  name: string;
  network: string;
  cores: string[];
  files: RtlFile[];
}

function emitted(name: string, path: string): Emitted | undefined {
  const loaded = loadDesign(path);
  if (!loaded.design || loaded.diagnostics.some((d) => d.severity === 'error')) return undefined;
  try {
    const program = createProgram(loaded.design);
    const files = emitRtl(program);
    return { name, network: loaded.design.network.name, cores: program.mapping.cores.map((c) => c.id), files };
  } catch {
    // A design the RTL refuses (IMC112) emits nothing.
    return undefined;
  }
}

describe('the emitted RTL: the library and wrappers', () => {
  const fixtures = 'test/verify/fixtures';
  const designs = [
    ...readdirSync(fixtures)
      .filter((f) => f.endsWith('.imc'))
      .map((f) => emitted(f, join(fixtures, f))),
    ...SEEDS.map((seed) => emitted(`seed ${seed}`, writeCase(caseForSeed(seed, SMALL), SMALL, `seed${seed}`))),
  ].filter((d): d is Emitted => d !== undefined);

  it('emits only library modules and the network\'s own wrappers, for every verify fixture and random seed', () => {
    expect(designs.length).toBeGreaterThan(30);
    expect(designs.filter((d) => d.name.startsWith('seed ')).map((d) => d.name)).toEqual(SEEDS.map((s) => `seed ${s}`));
    for (const d of designs) {
      const wrappers = new Set([`${d.network}_top`, ...d.cores.map((c) => `${d.network}_${c}`)]);
      for (const f of d.files.filter((x) => x.path.endsWith('.v'))) {
        const module = /^module (\w+)/m.exec(f.content)?.[1];
        expect(f.path, d.name).toBe(`rtl/${module}.v`);
        expect(LIBRARY.includes(module!) || wrappers.has(module!), `${d.name}: ${module}`).toBe(true);
      }
    }
    // The pool library serves them: chains of stages and queues occur among the designs.
    const all = designs.flatMap((d) => d.files.map((f) => f.path));
    for (const m of ['imcc_pool', 'imcc_pool_axis', 'imcc_pool_queue', 'imcc_pool_taps']) expect(all).toContain(`rtl/${m}.v`);
  });

  it('emits each library module with the same text for every network', () => {
    for (const m of LIBRARY) {
      const texts = new Set(designs.flatMap((d) => d.files.filter((f) => f.path === `rtl/${m}.v`).map((f) => f.content)));
      expect(texts.size, m).toBeLessThanOrEqual(1);
    }
  });
});
