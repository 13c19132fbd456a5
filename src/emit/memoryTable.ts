// `imcc memory`: the three layouts' Table 1 figures side by side (text from templates/schedule/memory.txt.hbs) and
// as JSON (schemas/memory.schema.json).
import type { LayoutName } from '../ir/types.js';
import { compareLayouts, LAYOUTS, type LayoutFigures, type StoredVolume } from '../memory/layout.js';
import { renderTemplate } from './render.js';
import { validateJson } from './schema.js';

export interface MemoryJsonEntry {
  memoryKB: number;
  emptyPercent: number;
  readCycles: [number, number];
  writeCycles: [number, number];
  words: number;
}

export function memoryJson(v: StoredVolume): Record<LayoutName, MemoryJsonEntry> {
  const figures = compareLayouts(v);
  const entry = (f: LayoutFigures): MemoryJsonEntry => ({
    memoryKB: f.memoryKB,
    emptyPercent: f.emptyPercent,
    readCycles: [...f.readCycles],
    writeCycles: [...f.writeCycles],
    words: f.words,
  });
  const value = { IWAP: entry(figures.IWAP), KLIP: entry(figures.KLIP), PLIP: entry(figures.PLIP) };
  validateJson('memory', value);
  return value;
}

/** A range as Table 1 prints it: `n` when constant, `[min, max]` otherwise. */
export function formatRange([min, max]: readonly [number, number]): string {
  return min === max ? String(min) : `[${min}, ${max}]`;
}

export function memoryTable(v: StoredVolume): string {
  const json = memoryJson(v);
  const cell = (s: string): string => s.padStart(12);
  const row = (label: string, f: (e: MemoryJsonEntry) => string): string =>
    label.padEnd(14) + LAYOUTS.map((l) => cell(f(json[l]))).join('');
  const rows = [
    ''.padEnd(14) + LAYOUTS.map((l) => cell(l)).join(''),
    row('memory [KB]', (e) => String(Number(e.memoryKB.toFixed(3)))),
    row('% empty', (e) => e.emptyPercent.toFixed(1)),
    row('# read', (e) => formatRange(e.readCycles)),
    row('# write', (e) => formatRange(e.writeCycles)),
    row('words', (e) => String(e.words)),
  ];
  return renderTemplate('schedule/memory.txt.hbs', {
    height: v.height,
    kernel: v.columns,
    channels: v.channels,
    bits: v.bits,
    pixelBits: v.channels * v.bits,
    wordBits: v.wordBits,
    rows,
  });
}
