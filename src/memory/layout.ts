// Input-memory layouts of the paper's section 2.3 (IWAP, KLIP, PLIP): where every stored pixel sits in a memory of
// WL-bit words, and the figures of Table 1 (memory, % empty, read and write cycles).
//
// The stored volume is a circular buffer of `columns` input columns (F for the paper; x mod columns picks the slot)
// of `height` pixels each; a pixel is `channels * bits` bits, channel 0 in the lowest bits. Storage order follows
// the paper's Figure 7: the `columns` pixels of one row y (one kernel row) are adjacent, rows follow each other, so
//   bitAddress(y, slot) = y * deltaKernelBits + deltaPixBits[slot]        (word = floor(/WL), bit = mod WL)
// which is Algorithm 2's `addr = Δpix[slot] + y * Δkernel`, counted in bits so the packed layouts fit the same form.
import type { LayoutName } from '../ir/types.js';

export const LAYOUTS: readonly LayoutName[] = ['IWAP', 'KLIP', 'PLIP'];

export interface StoredVolume {
  /** Pixels per column (the input height H). */
  height: number;
  /** Columns kept in the circular buffer (the kernel width F, wider for method-2 replication). */
  columns: number;
  /** Channels per pixel (N). */
  channels: number;
  /** Bits per channel (B, the activation bit width). */
  bits: number;
  /** Memory word length in bits (WL). */
  wordBits: number;
}

export interface Layout {
  name: LayoutName;
  volume: StoredVolume;
  pixelBits: number;
  /** Bits between the start of one stored row and the next (Algorithm 2's Δkernel, in bits). */
  deltaKernelBits: number;
  /** Offset in bits of column slot s within a row (Algorithm 2's Δpix[s], in bits). */
  deltaPixBits: number[];
}

/** Where one pixel is stored: its first bit, and the words it touches. */
export interface PixelAddress {
  /** word * WL + bit. */
  bitAddress: number;
  word: number;
  /** Bit offset of the pixel's channel 0 in its first word. */
  bit: number;
  /** Last word the pixel touches (inclusive). */
  lastWord: number;
}

function checkVolume(v: StoredVolume): void {
  for (const [k, n] of Object.entries(v)) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`stored volume ${k} must be a positive integer, got ${n}`);
  }
}

/** Intra-word adjacent placing: pixels packed back to back, no gaps (section 2.3.2). */
export function iwapLayout(v: StoredVolume): Layout {
  checkVolume(v);
  const pixelBits = v.channels * v.bits;
  return {
    name: 'IWAP',
    volume: v,
    pixelBits,
    deltaKernelBits: v.columns * pixelBits,
    deltaPixBits: range(v.columns).map((s) => s * pixelBits),
  };
}

/** Kernel-level interleaved placing: the pixels of one kernel row packed, each row starting on a new word (2.3.3). */
export function klipLayout(v: StoredVolume): Layout {
  checkVolume(v);
  const pixelBits = v.channels * v.bits;
  return {
    name: 'KLIP',
    volume: v,
    pixelBits,
    deltaKernelBits: ceilDiv(v.columns * pixelBits, v.wordBits) * v.wordBits,
    deltaPixBits: range(v.columns).map((s) => s * pixelBits),
  };
}

/** Pixel-level interleaved placing: every pixel starts on a new word (2.3.4). */
export function plipLayout(v: StoredVolume): Layout {
  checkVolume(v);
  const pixelBits = v.channels * v.bits;
  const pixelSpan = ceilDiv(pixelBits, v.wordBits) * v.wordBits;
  return {
    name: 'PLIP',
    volume: v,
    pixelBits,
    deltaKernelBits: v.columns * pixelSpan,
    deltaPixBits: range(v.columns).map((s) => s * pixelSpan),
  };
}

export function makeLayout(name: LayoutName, v: StoredVolume): Layout {
  switch (name) {
    case 'IWAP':
      return iwapLayout(v);
    case 'KLIP':
      return klipLayout(v);
    case 'PLIP':
      return plipLayout(v);
  }
}

/** Address of the pixel in row y stored in column slot `slot` (= x mod columns). */
export function storeAddress(layout: Layout, y: number, slot: number): PixelAddress {
  const { height, columns, wordBits } = layout.volume;
  if (!(y >= 0 && y < height && slot >= 0 && slot < columns)) {
    throw new RangeError(`pixel (row ${y}, slot ${slot}) outside the stored ${height} x ${columns} volume`);
  }
  const bitAddress = y * layout.deltaKernelBits + layout.deltaPixBits[slot];
  return {
    bitAddress,
    word: Math.floor(bitAddress / wordBits),
    bit: bitAddress % wordBits,
    lastWord: Math.floor((bitAddress + layout.pixelBits - 1) / wordBits),
  };
}

/** Words touched by `length` bits starting at bit address `start`. */
export function wordsTouched(start: number, length: number, wordBits: number): number {
  return Math.floor((start + length - 1) / wordBits) - Math.floor(start / wordBits) + 1;
}

/** Table 1's figures for one layout (definitions pinned in docs/paper-facts.md). */
export interface LayoutFigures {
  /** Bits counted as memory: words allocated minus the unused bits after the last stored datum. */
  memoryBits: number;
  /** memoryBits / 8 / 1000 (1 KB = 1,000 bytes). */
  memoryKB: number;
  /** Bits of pixel data stored (H * columns * N * B). */
  dataBits: number;
  /** (memory - data) / memory * 100. */
  emptyPercent: number;
  /** Words touched to read one stored row (the `columns` pixels of one kernel row), [min, max] over rows. */
  readCycles: [number, number];
  /** Words touched to write one pixel, [min, max] over all pixels. */
  writeCycles: [number, number];
  /** Words allocated (the depth the layout needs). */
  words: number;
}

export function layoutFigures(layout: Layout): LayoutFigures {
  const { height, columns, wordBits } = layout.volume;
  const last = storeAddress(layout, height - 1, columns - 1);
  const memoryBits = last.bitAddress + layout.pixelBits;
  const dataBits = height * columns * layout.pixelBits;
  const rowBits = layout.deltaPixBits[columns - 1] + layout.pixelBits;
  let readMin = Infinity;
  let readMax = 0;
  let writeMin = Infinity;
  let writeMax = 0;
  // Offsets repeat with a period of at most WL rows, so scanning min(height, WL) rows covers every case.
  const rows = Math.min(height, wordBits);
  for (let y = 0; y < rows; y++) {
    const r = wordsTouched(y * layout.deltaKernelBits, rowBits, wordBits);
    readMin = Math.min(readMin, r);
    readMax = Math.max(readMax, r);
    for (let s = 0; s < columns; s++) {
      const w = wordsTouched(y * layout.deltaKernelBits + layout.deltaPixBits[s], layout.pixelBits, wordBits);
      writeMin = Math.min(writeMin, w);
      writeMax = Math.max(writeMax, w);
    }
  }
  return {
    memoryBits,
    memoryKB: memoryBits / 8 / 1000,
    dataBits,
    emptyPercent: ((memoryBits - dataBits) / memoryBits) * 100,
    readCycles: [readMin, readMax],
    writeCycles: [writeMin, writeMax],
    words: ceilDiv(memoryBits, wordBits),
  };
}

/** The three layouts' figures for one volume, as `imcc memory` reports them. */
export function compareLayouts(v: StoredVolume): Record<LayoutName, LayoutFigures> {
  return {
    IWAP: layoutFigures(iwapLayout(v)),
    KLIP: layoutFigures(klipLayout(v)),
    PLIP: layoutFigures(plipLayout(v)),
  };
}

export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
