// Table 1 of the paper (section 2.3.5): every cell, with docs/paper-facts.md's pinned definitions (1 KB = 1,000 bytes; memory =
// words allocated minus the unused bits after the last stored datum; % empty = (memory - data) / memory; read =
// words touched to read F pixels, write = words touched to write one pixel, [min, max] over all positions).
import { describe, expect, it } from 'vitest';
import { compareLayouts, type LayoutFigures } from '../../src/memory/layout.js';
import type { LayoutName } from '../../src/ir/types.js';

interface Cell {
  kb: number;
  kbDigits: number;
  empty: number;
  emptyDigits: number;
  read: [number, number];
  write: [number, number];
}

function expectCell(f: LayoutFigures, c: Cell): void {
  expect(Number(f.memoryKB.toFixed(c.kbDigits))).toBe(c.kb);
  expect(Number(f.emptyPercent.toFixed(c.emptyDigits))).toBe(c.empty);
  expect(f.readCycles).toEqual(c.read);
  expect(f.writeCycles).toEqual(c.write);
}

const F = 3;
const B = 8;

describe('Table 1 (memory mapping metrics, F = 3, 8-bit pixels)', () => {
  it('Table 1, N = 3, H = 32, WL = 128: IWAP, KLIP, PLIP', () => {
    const t = compareLayouts({ channels: 3, height: 32, wordBits: 128, bits: B, columns: F });
    const rows: Record<LayoutName, Cell> = {
      IWAP: { kb: 0.288, kbDigits: 3, empty: 0, emptyDigits: 0, read: [1, 2], write: [1, 2] },
      KLIP: { kb: 0.505, kbDigits: 3, empty: 43, emptyDigits: 0, read: [1, 1], write: [1, 1] },
      // Misprint in the paper: Table 1 (and the text) say 82.1 % empty; (12,184 - 2,304) / 12,184 bits is 81.1 %.
      PLIP: { kb: 1.523, kbDigits: 3, empty: 81.1, emptyDigits: 1, read: [3, 3], write: [1, 1] },
    };
    for (const name of ['IWAP', 'KLIP', 'PLIP'] as const) expectCell(t[name], rows[name]);
    expect(t.PLIP.memoryBits).toBe(12184);
  });

  it('Table 1, N = 56, H = 8, WL = 160: IWAP, KLIP, PLIP', () => {
    const t = compareLayouts({ channels: 56, height: 8, wordBits: 160, bits: B, columns: F });
    const rows: Record<LayoutName, Cell> = {
      IWAP: { kb: 1.344, kbDigits: 3, empty: 0, emptyDigits: 0, read: [9, 10], write: [3, 4] },
      // Misprint in the paper: Table 1 says 1.427 KB; 72 words * 160 bits - 96 unused bits = 11,424 bits = 1.428 KB.
      KLIP: { kb: 1.428, kbDigits: 3, empty: 5.9, emptyDigits: 1, read: [9, 9], write: [3, 4] },
      PLIP: { kb: 1.436, kbDigits: 3, empty: 6.4, emptyDigits: 1, read: [9, 9], write: [3, 3] },
    };
    for (const name of ['IWAP', 'KLIP', 'PLIP'] as const) expectCell(t[name], rows[name]);
    expect(t.KLIP.memoryBits).toBe(11424);
  });

  it('Table 1, N = 56, H = 8, WL = 128: IWAP, KLIP, PLIP', () => {
    const t = compareLayouts({ channels: 56, height: 8, wordBits: 128, bits: B, columns: F });
    const rows: Record<LayoutName, Cell> = {
      IWAP: { kb: 1.344, kbDigits: 3, empty: 0, emptyDigits: 0, read: [11, 11], write: [4, 4] },
      KLIP: { kb: 1.4, kbDigits: 3, empty: 4, emptyDigits: 0, read: [11, 11], write: [4, 4] },
      PLIP: { kb: 1.528, kbDigits: 3, empty: 12, emptyDigits: 0, read: [12, 12], write: [4, 4] },
    };
    for (const name of ['IWAP', 'KLIP', 'PLIP'] as const) expectCell(t[name], rows[name]);
  });

  it('section 2.3.5: for pixel sizes that are multiples of the word length the three layouts coincide', () => {
    const t = compareLayouts({ channels: 16, height: 8, wordBits: 128, bits: B, columns: F });
    expect(t.KLIP).toEqual(t.IWAP);
    expect(t.PLIP).toEqual(t.IWAP);
  });
});
