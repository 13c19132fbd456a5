// RTL section of npm run bench: whole verification in Verilator of the three ResNet-32 examples (target: under 60 s after
// the build, i.e. a run whose build comes from the cache) and their lint. The Yosys synthesis of the whole ResNet-32
// RTL is timed in bench/rtl.ts.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { emitRtl, rtlNames } from '../src/emit/rtl/index.js';
import { createProgram, type Program } from '../src/pipeline/program.js';
import { lintRtl, verifyRtlDirectory } from '../src/verify/index.js';
import { timed, type BenchRow } from './table.js';

const TARGET_S = 60;

function emitTo(file: string): { dir: string; names: ReturnType<typeof rtlNames>; design: NonNullable<ReturnType<typeof loadDesign>['design']>; mapping: ReturnType<typeof mapDesign>; program: Program; ms: number } {
  const design = loadDesign(file).design;
  if (design === null) throw new Error(`bench: ${file} does not load`);
  // Emit time includes the phases the RTL needs beyond mapping and memory (compiled reference, one-image dataflow);
  // the memory plan (whose rings of cores waiting for a shortcut take the block dataflow) is made before.
  const program = createProgram(design);
  const { mapping } = program;
  void program.memory;
  const files = timed(() => emitRtl(program));
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-rtl-'));
  for (const f of files.value) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return { dir, names: rtlNames(design, mapping), design, mapping, program, ms: files.ms };
}

export async function benchmarks(): Promise<BenchRow[]> {
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'verify', name, value, target, status });
  const rows: BenchRow[] = [];
  for (const [file, label] of [
    ['examples/resnet32.imc', 'resnet32'],
    ['examples/resnet32-speedup.imc', 'resnet32-speedup'],
    // The optimizer's best 52-core point, verified in test/verify/optimized.test.ts.
    ['examples/resnet32-optimized.imc', 'resnet32-optimized'],
  ] as const) {
    const rtl = emitTo(file);
    try {
      rows.push(row(`${label} emit RTL`, `${rtl.ms.toFixed(0)} ms`));
      const lint = await lintRtl(rtl.dir, rtl.names.fileList, rtl.names.top);
      rows.push(row(`${label} verilator --lint-only -Wall`, lint.ok ? 'clean' : `${lint.messages.length} warnings`, 'clean', lint.ok ? 'ok' : 'FAIL'));
      const first = await verifyRtlDirectory(rtl.dir, rtl.program);
      rows.push(row(`${label} verify (${first.built ? 'with build' : 'cached build'})`, `${first.seconds.toFixed(1)} s`, '-', first.pass ? 'pass' : 'FAIL'));
      const second = await verifyRtlDirectory(rtl.dir, rtl.program);
      rows.push(
        row(
          `${label} verify after the build (${second.comparisons} comparisons, ${second.cycles} cycles)`,
          `${second.seconds.toFixed(1)} s`,
          `< ${TARGET_S} s`,
          second.pass ? (second.seconds < TARGET_S ? 'ok' : 'SLOW') : 'FAIL',
        ),
      );
    } finally {
      rmSync(rtl.dir, { recursive: true, force: true });
    }
  }
  return rows;
}
