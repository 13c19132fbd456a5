// npm run bench: speed figures for ResNet-32, printed as one table on stdout. No timed assertions live in tests;
// targets are checked here and shown in the table (status "ok" / "SLOW"), and the exit status stays 0.
//
// Sections (one module each, so engineers can add theirs without touching the others). Dataflow runs first so its
// "cold" figures are those of a fresh process (what one `imcc simulate` pays); the rest follow the pipeline:
//   bench/dataflow.ts  parse, map and simulate ResNet-32 (target: under 1 s)          -- dataflow (issue 6a)
//   bench/memory.ts    memory plan and schedules of ResNet-32                          -- memory (issue 5)
//   bench/reference.ts reference-model images per second (target: at least 10), and the
//                      BigInt (exact) path against the number path                     -- reference (issue 6b, 19)
//   bench/analog.ts    analog crossbar models                                          -- analog (issue 7)
//   bench/cli.ts       whole processes of the built CLI: imcc diff, --version, simulate   -- CLI (issue 13)
//   bench/verify.ts    whole-network verify (target: under 60 s after the build), lint
//                      and the Yosys synthesis of ResNet-32                            -- RTL (issue 8)
// Sections run after these, by file name, include:
//   bench/evaluate.ts  imcc evaluate --analog, digits over 400 images with noise (target: under 30 s wall) -- issue 17
//   bench/randomNetworks.ts  200 random networks compiled, 6 verified in Verilator (target: no failure)   -- issue 19
// A section module exports `async function benchmarks(): Promise<BenchRow[]>`; a listed module that does not exist
// yet is shown as "not provided"; any other bench/*.ts module (not run.ts or table.ts) runs after these, by name.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './table.js';
import { formatBenchTable } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const LISTED = ['dataflow.ts', 'memory.ts', 'reference.ts', 'analog.ts', 'verify.ts'];
const extra = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !LISTED.includes(f) && f !== 'run.ts' && f !== 'table.ts')
  .sort();
const SECTIONS = [...LISTED, ...extra];

const rows: BenchRow[] = [];
for (const file of SECTIONS) {
  const path = join(here, file);
  if (!existsSync(path)) {
    rows.push({ section: file.replace(/\.ts$/, ''), name: '(section not provided yet)', value: '-', target: '-', status: '-' });
    continue;
  }
  const mod = (await import(pathToFileURL(path).href)) as { benchmarks: () => Promise<BenchRow[]> };
  rows.push(...(await mod.benchmarks()));
}
process.stdout.write(formatBenchTable(rows));
