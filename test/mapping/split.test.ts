import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { balancedRanges, partRole, splitMatrix, splitProduct, partProduct } from '../../src/mapping/index.js';

describe('splitting (section 2.4.4, equations 5 and 6)', () => {
  it('a matrix that fits one tile is one part', () => {
    const plan = splitMatrix(144, 16, 256, 256);
    expect(plan.rowParts).toBe(1);
    expect(plan.colParts).toBe(1);
    expect(plan.parts).toEqual([{ rowPart: 0, colPart: 0, rowStart: 0, rowEnd: 144, colStart: 0, colEnd: 16 }]);
    expect(partRole(plan.parts[0], 1, plan.colParts)).toBe('single');
  });

  it('Table 2: a 504x56 kernel matrix on 256x256 tiles splits by rows into two partial sums of 252 rows', () => {
    const plan = splitMatrix(504, 56, 256, 256);
    expect(plan.rowParts).toBe(2);
    expect(plan.colParts).toBe(1);
    expect(plan.parts.map((p) => [p.rowStart, p.rowEnd])).toEqual([[0, 252], [252, 504]]);
    expect(plan.parts.map((p) => partRole(p, plan.rowParts, plan.colParts))).toEqual(['partial', 'accumulate']);
  });

  it('both directions combine: row-part major order, balanced ranges', () => {
    const plan = splitMatrix(300, 600, 256, 256);
    expect([plan.rowParts, plan.colParts]).toEqual([2, 3]);
    expect(plan.parts.map((p) => [p.rowPart, p.colPart])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    expect(balancedRanges(600, 3)).toEqual([[0, 200], [200, 400], [400, 600]]);
    expect(balancedRanges(7, 3)).toEqual([[0, 3], [3, 5], [5, 7]]);
  });

  it('property: summing row-part products and concatenating column parts equals the unsplit product', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer(),
        (rows, cols, tileRows, tileCols, seed) => {
          let s = seed | 0;
          const rand = () => {
            s = (Math.imul(s, 1103515245) + 12345) | 0;
            return ((s >>> 16) % 255) - 127;
          };
          const matrix = Array.from({ length: rows }, () => Array.from({ length: cols }, rand));
          const input = Array.from({ length: rows }, rand);
          const plan = splitMatrix(rows, cols, tileRows, tileCols);
          for (const p of plan.parts) {
            expect(p.rowEnd - p.rowStart).toBeLessThanOrEqual(tileRows);
            expect(p.colEnd - p.colStart).toBeLessThanOrEqual(tileCols);
            expect(p.rowEnd - p.rowStart).toBeGreaterThan(0);
            expect(p.colEnd - p.colStart).toBeGreaterThan(0);
          }
          expect(plan.rowParts).toBe(Math.ceil(rows / tileRows));
          expect(plan.colParts).toBe(Math.ceil(cols / tileCols));
          const whole = partProduct(matrix, input, { rowPart: 0, colPart: 0, rowStart: 0, rowEnd: rows, colStart: 0, colEnd: cols });
          expect(splitProduct(matrix, input, plan)).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });
});
