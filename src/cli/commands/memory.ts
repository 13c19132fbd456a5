// imcc memory: Table 1's figures (memory, % empty, read and write cycles) of IWAP, KLIP and PLIP for one volume.
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import { wholeNumber } from '../options.js';
import type { StoredVolume } from '../../memory/layout.js';
import type { SetStatus } from './index.js';

/** Every figure of the calculator is a whole number from 1 to 2^24. */
const positiveInt = wholeNumber(1, 1 << 24);

interface MemoryOptions {
  channels: number;
  height: number;
  wordBits: number;
  bits: number;
  kernel: number;
  json?: boolean;
}

export function registerMemory(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('memory')
    .description('memory, % empty, read and write cycles of the IWAP, KLIP and PLIP layouts (Table 1) for an H x F volume of N channels')
    .requiredOption('--channels <N>', 'channels per pixel', positiveInt)
    .requiredOption('--height <H>', 'pixels per column (input height)', positiveInt)
    .requiredOption('--word-bits <WL>', 'memory word length in bits', positiveInt)
    .option('--bits <B>', 'bits per channel (activation bits)', positiveInt, 8)
    .option('--kernel <F>', 'kernel width F: columns stored', positiveInt, 3)
    .option('--json', 'print {IWAP, KLIP, PLIP: {memoryKB, emptyPercent, readCycles, writeCycles, words}} (schemas/memory.schema.json)')
    .action(async (opts: MemoryOptions) => {
      const { memoryJson, memoryTable } = await import('../../emit/memoryTable.js');
      const volume: StoredVolume = {
        channels: opts.channels,
        height: opts.height,
        wordBits: opts.wordBits,
        bits: opts.bits,
        columns: opts.kernel,
      };
      if (opts.json) printJson(memoryJson(volume));
      else printText(memoryTable(volume));
    });
}
