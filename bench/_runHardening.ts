// Runs only the hardening section of the benchmark (the whole `npm run bench` includes a 17-minute synthesis):
// node --import tsx bench/_runHardening.ts
import { benchmarks } from './hardening.js';
import { formatBenchTable } from './table.js';

process.stdout.write(formatBenchTable(await benchmarks()));
