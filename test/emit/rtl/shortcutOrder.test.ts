// The masked shortcut table of a residual add with idle pixels (src/emit/rtl/shortcutOrder.ts maskedShortcut): which
// arriving pixels the adding core keeps, where each of its pixels sits, when each block may start and what it frees;
// and the same table for an add after the core's pools (pooledShortcut), a queued pool's too.
import { describe, expect, it } from 'vitest';
import { decodeShortcutEntry, encodeShortcutEntry, hasIdlePixels, maskedShortcut, pooledShortcut } from '../../../src/emit/rtl/shortcutOrder.js';
import { blockOrigins } from '../../../src/mapping/block.js';
import type { ReplicaOffset } from '../../../src/mapping/types.js';

/** n replicas in blocks dW wide, y fastest (the mapping's order; ragged when dW does not divide n). */
function replicas(n: number, dW: number): ReplicaOffset[] {
  const rows = Math.ceil(n / dW);
  return Array.from({ length: n }, (_, r) => ({ oy: r % rows, ox: Math.floor(r / rows) }));
}

describe('maskedShortcut', () => {
  it('reads 2x2 blocks arriving on a 4x4 plane in column order, with room for the reads that lag', () => {
    const t = maskedShortcut(4, 4, replicas(4, 2), replicas(1, 1), 10);
    // Column 0 is (0,0) (1,0) (2,0) (3,0): arrival indices 0, 1, 4, 5 of the blocks' order; (2,0) and (3,0)
    // wait for 5 and 6 arrivals (3 more than the pixels freed before each).
    expect(t.slots.slice(0, 4)).toEqual([0, 1, 4, 5]);
    expect(t.needs.slice(0, 4)).toEqual([1, 1, 3, 3]);
    // Reading (0,1), the fifth pixel (i = 4), the smallest unread arrival index is 2: two behind.
    expect(t.depth).toBe(10 + 2);
    expect(t.arrivalMasks).toBeUndefined();
  });

  it('makes a 2x2 block of columns of 2 wait for its last pixel, not for as many pixels as it reads', () => {
    const t = maskedShortcut(4, 4, replicas(2, 1), replicas(4, 2), 10);
    // Block (0,0) reads arrival indices 0, 1 (column 0) and 4, 5 (column 1): it waits for 6.
    expect(t.slots.slice(0, 4)).toEqual([0, 1, 4, 5]);
    expect(t.needs.slice(0, 4)).toEqual([6, 0, 0, 0]);
  });

  it('needs no more room when the orders agree', () => {
    const t = maskedShortcut(4, 4, replicas(2, 1), replicas(4, 1), 10);
    expect(t.slots).toEqual(Array.from({ length: 16 }, (_, i) => i % 10));
    expect(t.depth).toBe(10);
  });

  it('keeps the in-plane pixels of columns of 3 on 7 rows, read one pixel at a time in the same order', () => {
    const t = maskedShortcut(7, 2, replicas(3, 1), replicas(1, 1), 10);
    expect(t.arrivalMasks).toEqual([7, 7, 1, 7, 7, 1]);
    expect(t.slots).toEqual(Array.from({ length: 14 }, (_, i) => i % t.depth));
    expect(t.advances).toEqual(Array(14).fill(1));
    // Pixel i waits for the (i + 1)-th kept pixel: one more than it has freed.
    expect(t.needs).toEqual(Array(14).fill(1));
  });

  it('frees every pixel of the plane once, reads each in-plane pixel at its arrival slot, and never waits beyond its depth', () => {
    for (const [arriving, reading] of [
      [replicas(5, 2), replicas(2, 2)],
      [replicas(2, 2), replicas(7, 3)],
      [replicas(7, 3), replicas(5, 2)],
    ] as const) {
      const plane = { height: 7, width: 7 };
      const t = maskedShortcut(7, 7, arriving, reading, 16);
      expect(t.advances.reduce((a, b) => a + b, 0)).toBe(49);
      expect(Math.max(...t.needs)).toBeLessThan(t.depth - arriving.length);
      // One entry per replica of every block.
      expect(t.slots).toHaveLength(blockOrigins(reading, plane).length * reading.length);
      expect(t.arrivalMasks === undefined).toBe(!hasIdlePixels(arriving, plane));
    }
  });

  it('gives column parts their own replicas\' entries and the whole block\'s frees and waits, so each part\'s buffer stays in step', () => {
    const whole = maskedShortcut(7, 7, replicas(5, 2), replicas(5, 2), 16);
    const first = maskedShortcut(7, 7, replicas(5, 2), replicas(5, 2), 16, { first: 0, count: 2 });
    const last = maskedShortcut(7, 7, replicas(5, 2), replicas(5, 2), 16, { first: 2, count: 3 });
    const blocks = whole.slots.length / 5;
    expect([first.slots.length, last.slots.length]).toEqual([2 * blocks, 3 * blocks]);
    const perBlock = (t: typeof whole, n: number) => Array.from({ length: blocks }, (_, b) => t.advances.slice(b * n, (b + 1) * n).reduce((a, c) => a + c, 0));
    expect(perBlock(first, 2)).toEqual(perBlock(whole, 5));
    expect(perBlock(last, 3)).toEqual(perBlock(whole, 5));
    // ... and each part waits for the whole block's pixels before it, not only its own (it frees them all after it).
    const needs = (t: typeof whole, n: number) => Array.from({ length: blocks }, (_, b) => t.needs[b * n]);
    expect(needs(first, 2)).toEqual(needs(whole, 5));
    expect(needs(last, 3)).toEqual(needs(whole, 5));
    // The last part's slots are the whole layer's for its replicas (the same depth here).
    expect(last.depth).toBe(whole.depth);
    expect(last.slots).toEqual(whole.slots.filter((_, i) => i % 5 >= 2));
  });
});

describe('pooledShortcut', () => {
  const pool2x2 = { input: { height: 4, width: 4 }, height: 2, width: 2, strideY: 2, strideX: 2, padding: { top: 0, left: 0 }, pooledHeight: 2, pooledWidth: 2 };

  it('reads a pooled pixel\'s shortcut at the conv pixel that completes its window, in arrival order', () => {
    const t = pooledShortcut({ height: 4, width: 4 }, [pool2x2], replicas(1, 1), replicas(1, 1), 8);
    // Column-major conv pixels 5, 7, 13, 15 ((1,1), (3,1), (1,3), (3,3)) complete the four windows.
    const reading = [5, 7, 13, 15];
    expect(t.needs).toEqual(Array.from({ length: 16 }, (_, i) => (reading.includes(i) ? 1 : 0)));
    expect(t.advances).toEqual(Array.from({ length: 16 }, (_, i) => (reading.includes(i) ? 1 : 0)));
    expect(reading.map((i) => t.slots[i])).toEqual([0, 1, 2, 3]);
    expect(t.arrivalMasks).toBeUndefined();
  });

  it('follows a pooled pixel through two pools: a 2x2 block waits at its last replica for the one global pixel', () => {
    const gap = { input: { height: 2, width: 2 }, height: 2, width: 2, strideY: 2, strideX: 2, padding: { top: 0, left: 0 }, pooledHeight: 1, pooledWidth: 1 };
    const t = pooledShortcut({ height: 4, width: 4 }, [pool2x2, gap], replicas(1, 1), replicas(4, 2), 8);
    // Four 2x2 blocks of four pixels: only the last block's first pixel waits (for the one shortcut pixel) and its last frees it.
    expect(t.needs).toEqual([...Array(12).fill(0), 1, 0, 0, 0]);
    expect(t.advances).toEqual([...Array(15).fill(0), 1]);
  });

  it('makes the pixel completing several windows of a queued pool wait for all their shortcuts, read by pooled pixel', () => {
    // 3x3/1 windows padded by 1 on a 3x3 plane: conv pixel (2,1) completes pooled (1,0) and (2,0), (1,2) completes
    // (0,1) and (0,2), the last (2,2) completes the other four.
    const queued = { input: { height: 3, width: 3 }, height: 3, width: 3, strideY: 1, strideX: 1, padding: { top: 1, left: 1 }, pooledHeight: 3, pooledWidth: 3 };
    const t = pooledShortcut({ height: 3, width: 3 }, [queued], replicas(1, 1), replicas(1, 1), 16);
    expect(t.needs).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 4]);
    expect(t.advances).toEqual([0, 0, 0, 0, 1, 2, 0, 2, 4]);
    expect(t.pooledSlots).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('a shortcut table entry', () => {
  it('packs need and advance (ptrBits + 1 bits each) above the slot (ptrBits), and unpacks them', () => {
    // ptrBits 3: slot 5 in bits 0-2, advance 9 in bits 3-6, need 12 in bits 7-10.
    const entry = { need: 12, advance: 9, slot: 5 };
    expect(encodeShortcutEntry(entry, 3)).toBe((12 << 7) | (9 << 3) | 5);
    expect(decodeShortcutEntry(encodeShortcutEntry(entry, 3), 3)).toEqual(entry);
  });
});
