import { benchmarks } from './hardening.js';
import { formatBenchTable } from './table.js';
process.stdout.write(formatBenchTable(await benchmarks()));
