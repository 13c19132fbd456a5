import { benchmarks } from './memory.ts';
import { formatBenchTable } from './table.ts';
process.stdout.write(formatBenchTable(await benchmarks()));
