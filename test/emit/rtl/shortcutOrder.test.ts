// The masked shortcut table of a residual add with idle pixels (src/emit/rtl/shortcutOrder.ts maskedShortcut): which
// arriving pixels the adding core keeps, where each of its pixels sits, when each block may start and what it frees.
import { describe, expect, it } from 'vitest';
import { hasIdlePixels, maskedShortcut } from '../../../src/emit/rtl/shortcutOrder.js';
import { blockOrigins } from '../../../src/mapping/block.js';
import type { ReplicaOffset } from '../../../src/mapping/types.js';

/** n replicas in blocks dW wide, y fastest (the mapping's order; ragged when dW does not divide n). */
function replicas(n: number, dW: number): ReplicaOffset[] {
  const rows = Math.ceil(n / dW);
  return Array.from({ length: n }, (_, r) => ({ oy: r % rows, ox: Math.floor(r / rows) }));
}

describe('maskedShortcut', () => {
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
