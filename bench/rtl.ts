// RTL library section of npm run bench: ResNet-32's generated RTL (modules emitted; the static controller's parameter
// sets and the static neuron core's, each synthesized once; no module body of its own) and its Yosys CPU time, whole
// network and two heavy cores.
// CPU seconds, not wall time: the figure does not depend on the other load of the machine.
//
// Before/after. Whole network: every unit of src/verify/synth.ts is measured once; "per core" counts each controller
// parameter set and shared neuron core once per core using it, which is what the RTL before the library (main at
// 01e0ad5: a controller and a neuron module per core, synthesized inside each core's unit) made Yosys do for the same
// modules; the SRAM and FIFO storage units were shared then too. The target is a third of it (issue 16).
// Cores c33 and c03 (each with the SRAM and FIFO storage as black boxes): measured on the same 2-core machine with
// the RTL of commit 092af33 (the figures below) and with this RTL.
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
/** Verilog modules (one per file) of ResNet-32 on main at 01e0ad5: 43 cores x (core, controller) + 34 neurons + top, SRAM, FIFO storage, crossbar. */
const BEFORE_MODULES = 43 * 2 + 34 + 4;
/** Controller and neuron-core modules on main at 01e0ad5 (one per core), each synthesized inside its core's unit. */
const BEFORE_BODIES = { controller: 43, neuron: 34 };

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
    // Modules of the network's own besides its wrappers (the content-addressed per-core bodies before the library).
    const bodies = verilog.filter((f) => new RegExp(`^rtl/${names.network}_\\w+_[0-9a-f]{8}\\.v$`).test(f.path)).length;
    // The controller is one module; each core's wrapper sets its parameters, and each distinct set is one Yosys unit.
    const parameterSets = (module: string, instance: string): Set<string> =>
      new Set(verilog.flatMap((f) => [...f.content.matchAll(new RegExp(`^ {2}${module} #\\(([\\s\\S]*?)\\) ${instance} \\(`, 'gm'))].map((m) => m[1])));
    const controllerSets = parameterSets(names.controller, 'u_controller');
    // The static neuron core serves every core (pools it does not hold are static modules its wrapper chains).
    const neuronSets = parameterSets(names.neuron, 'u_neuron');
    const rows = [
      row('resnet32 Verilog modules (one per file)', `${verilog.length}`, `before: ${BEFORE_MODULES}`),
      row('resnet32 controller modules (static, the same text for every network)', `${verilog.filter((f) => f.path === `rtl/${names.controller}.v`).length}`, `before: ${BEFORE_BODIES.controller}`),
      row('resnet32 controller parameter sets (each synthesized once)', `${controllerSets.size}`, `before: ${BEFORE_BODIES.controller} bodies`),
      row('resnet32 static neuron-core parameter sets (each synthesized once)', `${neuronSets.size}`, `before: ${BEFORE_BODIES.neuron} bodies`),
      row('resnet32 module bodies of its own (neuron or pool, besides wrappers)', `${bodies}`, `before: ${BEFORE_BODIES.neuron}`),
      row('resnet32 Verilog lines', `${lines}`),
      row('resnet32 .mem files (weights, batch norm)', `${files.filter((f) => f.path.endsWith('.mem')).length}`),
    ];
    const started = performance.now();
    const whole = await synthesizeRtl(dir, names.fileList, names.top);
    const wallSeconds = (performance.now() - started) / 1000;
    // Per core: a controller parameter set or shared neuron core once per core using it (as main's per-core modules
    // were); the SRAM and FIFO storage were already synthesized once per geometry, the top once.
    const library = new RegExp(`^(${names.controller}|${names.neuron}|${names.pool}|${names.poolQueue})\\(`);
    const perCore = whole.units.reduce((sum, u) => sum + u.cpuSeconds * (library.test(u.name) ? u.instances : 1), 0);
    rows.push(
      row(
        'resnet32 yosys synth units (whole network)',
        `${whole.units.length}`,
        `per core: ${whole.units.reduce((sum, u) => sum + (library.test(u.name) ? u.instances : 0), 0)} library instances inside 43 core units`,
      ),
      row(
        'resnet32 yosys synth CPU (whole network, each unit once)',
        `${whole.cpuSeconds.toFixed(1)} s`,
        `<= ${(perCore / 3).toFixed(1)} s (per core ${perCore.toFixed(1)} s)`,
        !whole.ok ? 'FAIL' : whole.cpuSeconds <= perCore / 3 ? 'ok' : 'SLOW',
      ),
      row(`resnet32 yosys synth + check -assert wall time (whole network, ${whole.cells} cells)`, `${wallSeconds.toFixed(0)} s`, 'no latches', whole.ok ? 'ok' : 'FAIL'),
    );
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
