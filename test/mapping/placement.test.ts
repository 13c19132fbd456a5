import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapDesign, manhattan, snakePosition, coreId } from '../../src/mapping/index.js';
import { NetBuilder, design, target } from './fixtures.js';

describe('snake placement', () => {
  it('visits every cell of a grid once, each step one hop', () => {
    for (const grid of [{ rows: 1, cols: 5 }, { rows: 4, cols: 1 }, { rows: 8, cols: 6 }, { rows: 3, cols: 7 }]) {
      const seen = new Set<string>();
      for (let k = 0; k < grid.rows * grid.cols; k++) {
        const p = snakePosition(k, grid);
        seen.add(`${p.row},${p.col}`);
        if (k > 0) expect(manhattan(p, snakePosition(k - 1, grid))).toBe(1);
      }
      expect(seen.size).toBe(grid.rows * grid.cols);
    }
    expect(() => snakePosition(48, { rows: 8, cols: 6 })).toThrow(RangeError);
  });

  it('core ids are zero padded to at least two digits', () => {
    expect(coreId(0, 43)).toBe('c00');
    expect(coreId(42, 43)).toBe('c42');
    expect(coreId(7, 150)).toBe('c007');
  });
});

describe('mapping invariants (property over random conv chains and tile sizes)', () => {
  it('parts partition each matrix, cores are placed once on the grid, and every core gets its links', () => {
    const arb = fc.record({
      channels: fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 2, maxLength: 5 }),
      kernels: fc.array(fc.constantFrom(1, 3), { minLength: 5, maxLength: 5 }),
      tileRows: fc.integer({ min: 8, max: 96 }),
      tileCols: fc.integer({ min: 4, max: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ channels, kernels, tileRows, tileCols }) => {
        const b = new NetBuilder();
        let x = b.input('in', { channels: channels[0], height: 6, width: 6 });
        for (let i = 1; i < channels.length; i++) x = b.unary(`r${i}`, 'relu', b.conv(`c${i}`, x, channels[i], kernels[i - 1]));
        const m = mapDesign(design(b, x, target({ rows: tileRows, cols: tileCols, gridRows: 40, gridCols: 40 })));
        const cells = new Set(m.cores.map((c) => `${c.row},${c.col}`));
        expect(cells.size).toBe(m.cores.length);
        m.cores.forEach((c, i) => {
          expect(c.index).toBe(i);
          if (i > 0) expect(manhattan(c, m.cores[i - 1])).toBe(1);
        });
        let psums = 0;
        for (const layer of m.layers) {
          const rows = layer.matrix.rowSources.length;
          const cols = layer.matrix.columnSinks.length;
          const cores = m.cores.filter((c) => c.layer === layer.layer);
          expect(cores.map((c) => c.id)).toEqual(layer.cores);
          let area = 0;
          for (const c of cores) {
            expect(c.part.rowEnd - c.part.rowStart).toBeLessThanOrEqual(tileRows);
            expect(c.part.colEnd - c.part.colStart).toBeLessThanOrEqual(tileCols);
            area += (c.part.rowEnd - c.part.rowStart) * (c.part.colEnd - c.part.colStart);
          }
          expect(area).toBe(rows * cols);
          expect(layer.utilization).toBeLessThanOrEqual(1);
          psums += (layer.rowParts - 1) * layer.colParts;
          // Every core of a layer fed by another layer receives at least one feed-forward link.
          if (layer.source !== 'in') {
            for (const c of cores) expect(m.links.some((l) => l.kind === 'feedforward' && l.to === c.id)).toBe(true);
          }
        }
        expect(m.links.filter((l) => l.kind === 'partial-sum').length).toBe(psums);
        for (const l of m.links) expect(l.hops).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });
});
