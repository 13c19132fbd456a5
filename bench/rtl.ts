// RTL library section of npm run bench: the size of ResNet-32's generated RTL and the Yosys CPU time of its two
// heaviest kinds of core (a stage-3 adding core, 56 channels, and a stage-1 core), each synthesized as its own unit
// (src/verify/synth.ts, with the crossbar, SRAM and FIFO storage as black boxes). CPU seconds, not wall time: the figure
// does not depend on the other load of the machine. The "before" figures were measured on the same 2-core machine
// with the RTL of commit 092af33 (batch norm as ACC_BITS-wide constant vectors, the shortcut FIFO inside each
// neuron core); the target is a third of them (issue 16).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesign } from '../src/ir/load.js';
import { createProgram } from '../src/pipeline/program.js';
import { emitRtl, rtlNames } from '../src/emit/rtl/index.js';
import { synthesizeRtl } from '../src/verify/index.js';
import type { BenchRow } from './table.js';

/** Yosys CPU seconds of the core units before the RTL library work (commit 092af33). */
const BEFORE_CPU_S: Record<string, number> = { c33: 118.5, c03: 23.9 };
/** Verilog files (one module each) of ResNet-32 at commit 092af33: 43 cores x (core, controller) + 34 neurons + top, SRAM, crossbar. */
const BEFORE_MODULES = 43 * 2 + 34 + 3;

export async function benchmarks(): Promise<BenchRow[]> {
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'rtl', name, value, target, status });
  const design = loadDesign('examples/resnet32.imc').design;
  if (design === null) throw new Error('bench: examples/resnet32.imc does not load');
  const program = createProgram(design);
  const { mapping } = program;
  const files = emitRtl(program);
  const names = rtlNames(design, mapping);
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-rtl-library-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const verilog = files.filter((f) => f.path.endsWith('.v'));
    const lines = verilog.reduce((sum, f) => sum + f.content.split('\n').length - 1, 0);
    const rows = [
      row('resnet32 Verilog modules (one per file)', `${verilog.length}`, `before: ${BEFORE_MODULES}`),
      row('resnet32 Verilog lines', `${lines}`),
      row('resnet32 .mem files (weights, batch norm)', `${files.filter((f) => f.path.endsWith('.mem')).length}`),
    ];
    for (const [core, before] of Object.entries(BEFORE_CPU_S)) {
      const top = names.cores.get(core)!;
      // The core's own logic: wrapper, controller and neuron core (its storage modules are synthesized once per geometry).
      const synth = await synthesizeRtl(dir, names.fileList, top, { blackboxes: [names.sram, names.fifoRam] });
      const unit = { cells: synth.units.reduce((sum, u) => sum + u.cells, 0), cpuSeconds: synth.cpuSeconds };
      const target = before / 3;
      rows.push(
        row(
          `resnet32 core ${core} yosys synth CPU (${unit.cells} cells)`,
          `${unit.cpuSeconds.toFixed(1)} s`,
          `<= ${target.toFixed(1)} s (before ${before} s)`,
          !synth.ok ? 'FAIL' : unit.cpuSeconds <= target ? 'ok' : 'SLOW',
        ),
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
