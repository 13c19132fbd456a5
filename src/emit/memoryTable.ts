// `imcc memory`: the three layouts' Table 1 figures side by side (text from templates/schedule/memory.txt.hbs) and
// as JSON (schemas/memory.schema.json).
import type { LayoutName } from '../ir/types.js';
import { compareLayouts, LAYOUTS, type LayoutFigures, type StoredVolume } from '../memory/layout.js';
import { renderTemplate } from '../support/templates.js';
import { validateJson } from '../support/schema.js';
import { groupDecimal, groupDigits } from '../support/format.js';

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
  return min === max ? groupDigits(min) : `[${groupDigits(min)}, ${groupDigits(max)}]`;
}

export function memoryTable(v: StoredVolume): string {
  const json = memoryJson(v);
  const cells: Array<[string, (e: MemoryJsonEntry) => string]> = [
    ['memory [KB]', (e) => groupDecimal(e.memoryKB, 3).replace(/\.?0+$/, '')],
    ['% empty', (e) => e.emptyPercent.toFixed(1)],
    ['# read', (e) => formatRange(e.readCycles)],
    ['# write', (e) => formatRange(e.writeCycles)],
    ['words', (e) => groupDigits(e.words)],
  ];
  // Columns as wide as their widest value, so huge memories never run together.
  const values = cells.map(([, f]) => LAYOUTS.map((l) => f(json[l])));
  const width = Math.max(12, ...values.flat().map((x) => x.length + 2));
  const labelWidth = Math.max(...cells.map(([label]) => label.length)) + 2;
  const line = (label: string, columns: string[]): string =>
    (label.padEnd(labelWidth) + columns.map((c) => c.padStart(width)).join('')).trimEnd();
  const rows = [line('', [...LAYOUTS]), ...cells.map(([label], i) => line(label, values[i]))];
  return renderTemplate('schedule/memory.txt.hbs', {
    height: groupDigits(v.height),
    kernel: groupDigits(v.columns),
    channels: groupDigits(v.channels),
    bits: groupDigits(v.bits),
    pixelBits: groupDigits(v.channels * v.bits),
    wordBits: groupDigits(v.wordBits),
    rows,
  });
}
