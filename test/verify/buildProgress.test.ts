// Progress of the Verilator build (issue 13): imcc verify's bar follows the C++ files Verilator compiles, read from
// the build's own output and makefiles. Real builds of the smallest fixture, which also show that Verilator's
// run-time library is compiled once per cache and linked into every later build (src/verify/verilatorRuntime.ts), and
// its headers precompiled once per cache and optimisation level (src/verify/verilatorPch.ts).
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWithVerilator, runSimulation } from '../../src/verify/index.js';
import { formatBuildProgress, isCompileLine, type BuildProgress } from '../../src/verify/buildProgress.js';
import { runCli } from '../support/cli.js';

describe('Verilator build progress', () => {
  it('reports each compiled C++ file against the total the makefiles plan, and nothing for a cached build', async () => {
    const work = mkdtempSync(join(tmpdir(), 'imcc-build-progress-'));
    const out = join(work, 'tiny');
    const compiled = await runCli(['compile', 'test/verify/fixtures/tiny.imc', '-o', out]);
    expect(compiled.code, compiled.stderr).toBe(0);
    const request = { rootDir: out, fileList: 'rtl/tiny.f', testbench: 'tb/tiny_tb.cpp', topModule: 'tiny_top', cacheDir: join(work, 'cache') };
    // Two requests for the same build at once (two test workers, two verify runs): one builds, the other waits for
    // it (src/support/lock.ts) and takes its binary; one build, one progress bar.
    const progress: BuildProgress[][] = [[], []];
    const builds = await Promise.all(progress.map((list) => buildWithVerilator({ ...request, onProgress: (p) => list.push(p) })));
    expect(builds.map((b) => b.built).sort()).toEqual([false, true]);
    expect(builds[0].binary).toBe(builds[1].binary);
    const seen = progress[builds.findIndex((b) => b.built)];
    expect(progress[builds.findIndex((b) => !b.built)]).toEqual([]);
    // The first build in an empty cache: the testbench, Verilator's run-time library (verilated, verilated_dpi,
    // verilated_threads) and the design's one __ALL file.
    expect(seen).toEqual(Array.from({ length: 5 }, (_, i) => ({ compiled: i + 1, total: 5 })));
    // The precompiled headers, one per optimisation level of the model's makefile, made by the first build.
    const pchDirs = readdirSync(request.cacheDir).filter((name) => name.startsWith('pch-'));
    expect(pchDirs).toHaveLength(1);
    const headers = ['fast', 'slow'].map((level) => join(request.cacheDir, pchDirs[0], level, 'verilated_pch.h.gch'));
    const made = headers.map((h) => statSync(h).mtimeMs);
    const cachedSeen: BuildProgress[] = [];
    const cached = await buildWithVerilator({ ...request, onProgress: (p) => cachedSeen.push(p) });
    expect(cached.built).toBe(false);
    expect(cachedSeen).toEqual([]);
    // Another design in the same cache links the run-time library compiled by the first build: it compiles only its
    // testbench and its __ALL file, and its binary runs (it prints its usage when given no image).
    appendFileSync(join(out, request.testbench), '\n// another build\n');
    const otherSeen: BuildProgress[] = [];
    const other = await buildWithVerilator({ ...request, onProgress: (p) => otherSeen.push(p) });
    expect(other.built).toBe(true);
    expect(other.key).not.toBe(builds[0].key);
    expect(otherSeen).toEqual([{ compiled: 1, total: 2 }, { compiled: 2, total: 2 }]);
    expect(readdirSync(request.cacheDir).filter((name) => name.startsWith('runtime-'))).toHaveLength(1);
    expect(readdirSync(request.cacheDir).filter((name) => name.startsWith('pch-'))).toEqual(pchDirs);
    expect(headers.map((h) => statSync(h).mtimeMs)).toEqual(made);
    const run = await runSimulation(other.binary, [], out);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('usage:');
  }, 300_000);

  it('counts compiler lines only and formats the bar text', () => {
    expect(isCompileLine('g++  -I.  -MMD -O0 -c -o verilated.o /usr/share/verilator/include/verilated.cpp')).toBe(true);
    expect(isCompileLine('ccache g++ -Os -c -o Vtop__ALL.o Vtop__ALL.cpp')).toBe(true);
    expect(isCompileLine('g++    tb.o verilated.o Vtop__ALL.a -pthread -o Vtop')).toBe(false);
    expect(isCompileLine('Archive ar -rcs Vtop__ALL.a Vtop__ALL.o')).toBe(false);
    expect(formatBuildProgress({ compiled: 3, total: 5 })).toBe('build: 3/5 C++ files');
    expect(formatBuildProgress({ compiled: 1, total: null })).toBe('build: 1 C++ file');
  });
});
