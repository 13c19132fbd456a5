// Verilator's headers precompiled once per cache, per optimisation level. Every C++ file of a model begins with
// verilated.h and verilated_dpi.h, whose parsing was most of a small file's compile (0.9 of a CPU second, and a
// ResNet-32 model has 45 files); read from a GCC precompiled header it takes 0.2 s. GCC uses a precompiled header only
// if it was made with the same macros, and -O defines __OPTIMIZE__, so there is one per level: the model's makefile
// compiles its per-cycle files with OPT_FAST and the rest with OPT_SLOW (./verilator.ts), and the header is passed in
// each with `-include`. The headers are compiled by the model's own makefile (so they get exactly the flags its files
// get) and keyed like the run-time library (./verilatorRuntime.ts). Should GCC find one unusable, it parses the
// headers instead: slower, never different.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishOnce, toolchainKey, type ToolchainRequest } from './toolchainCache.js';

/** The headers every file Verilator writes includes first. */
const HEADER_TEXT = '#include "verilated.h"\n#include "verilated_dpi.h"\n';
const HEADER = 'verilated_pch.h';
/** The model makefile's optimisation variables, one precompiled header each. */
const LEVELS = ['OPT_FAST', 'OPT_SLOW'] as const;
type Level = (typeof LEVELS)[number];

/** The header to `-include` at each level (its .gch beside it). */
export type Pch = Record<Level, string>;

function headersIn(dir: string): Pch {
  return { OPT_FAST: join(dir, 'fast', HEADER), OPT_SLOW: join(dir, 'slow', HEADER) };
}

/**
 * A makefile, read after the model's, with one rule per level: the header compiled as the model's files of that
 * level are (verilated.mk's CXXFLAGS, CPPFLAGS and the level's variable).
 */
function pchMakefile(headers: Pch): string {
  return LEVELS.map((level) => `${headers[level]}.gch: ${headers[level]}\n\t$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(${level}) -x c++-header -o $@ $<\n`).join('\n');
}

/**
 * The precompiled headers of `request`, compiled if the cache lacks them (pch-<key>/): `compile(makefile, targets)`
 * runs the model's makefile followed by `makefile` on `targets`.
 */
export async function verilatorPch(request: ToolchainRequest, compile: (makefile: string, targets: readonly string[]) => Promise<void>): Promise<Pch> {
  const key = await toolchainKey(request, HEADER_TEXT);
  const dir = join(request.cacheDir, `pch-${key}`);
  const headers = headersIn(dir);
  const ready = (): boolean => LEVELS.every((level) => existsSync(`${headers[level]}.gch`));
  await publishOnce(request.cacheDir, `.pch-${key}.lock`, dir, ready, async (temp) => {
    const tempHeaders = headersIn(temp);
    for (const level of LEVELS) {
      mkdirSync(join(tempHeaders[level], '..'), { recursive: true });
      writeFileSync(tempHeaders[level], HEADER_TEXT);
    }
    const makefile = join(temp, 'pch.mk');
    writeFileSync(makefile, pchMakefile(tempHeaders));
    await compile(makefile, LEVELS.map((level) => `${tempHeaders[level]}.gch`));
    rmSync(makefile);
  });
  return headers;
}
