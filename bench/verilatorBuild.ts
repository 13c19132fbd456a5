// Verilator build section of npm run bench: the CPU seconds of one cold Verilator build of LeNet's RTL, in an empty
// cache (Verilator's run-time library compiled, as every build did before src/verify/verilatorRuntime.ts, and its
// headers precompiled, src/verify/verilatorPch.ts) and again for a second design in the same cache (the run-time
// library linked and the precompiled headers read from the cache, as every later build of a test run or of a
// machine's imcc verify now is). CPU seconds of the build's processes (make, g++, verilator), not wall
// time: the figure does not depend on the other load of the machine. The suite runs about 70 such builds.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesign } from '../src/ir/load.js';
import { createProgram } from '../src/pipeline/program.js';
import { emitRtl, rtlNames } from '../src/emit/rtl/index.js';
import { buildWithVerilator } from '../src/verify/index.js';
import type { BenchRow } from './table.js';

/** CPU seconds (user + system) of this process's finished child processes, from /proc/self/stat (Linux). */
function childCpuSeconds(): number | null {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): cutime and
    // cstime are fields 16 and 17 of the line, in clock ticks (100 per second on Linux).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

export async function benchmarks(): Promise<BenchRow[]> {
  const row = (name: string, value: string, target = '-', status = '-'): BenchRow => ({ section: 'verilator-build', name, value, target, status });
  if (childCpuSeconds() === null) return [row('verilator build CPU', 'not measured (no /proc/self/stat)')];
  const design = loadDesign('examples/lenet.imc').design;
  if (design === null) throw new Error('bench: examples/lenet.imc does not load');
  const program = createProgram(design);
  const names = rtlNames(design, program.mapping);
  const dir = mkdtempSync(join(tmpdir(), 'imcc-bench-verilator-build-'));
  try {
    for (const f of emitRtl(program)) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const request = { rootDir: dir, fileList: names.fileList, testbench: names.testbench, topModule: names.top, cacheDir: join(dir, 'cache') };
    const cpuOf = async (): Promise<number> => {
      const before = childCpuSeconds()!;
      const build = await buildWithVerilator(request);
      if (!build.built) throw new Error('bench: the Verilator build came from the cache');
      return childCpuSeconds()! - before;
    };
    const withRuntime = await cpuOf();
    // Another build key (an edited testbench comment), the same run-time library.
    appendFileSync(join(dir, names.testbench), '\n// bench: a second design\n');
    const linked = await cpuOf();
    return [
      row('lenet verilator build CPU, run-time library and headers compiled (empty cache)', `${withRuntime.toFixed(1)} s`),
      row(
        'lenet verilator build CPU, run-time library and precompiled headers from the cache (every later build)',
        `${linked.toFixed(1)} s`,
        `< ${withRuntime.toFixed(1)} s`,
        linked < withRuntime ? 'ok' : 'SLOW',
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
