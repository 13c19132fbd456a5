// Splitting a collective kernel matrix over tiles (section 2.4.4): taller than a tile -> row parts whose partial
// sums one sibling core adds; wider -> column parts (channel groups) whose outputs are concatenated; both combine.
import type { CoreRole, TilePart } from './types.js';

/**
 * Half-open ranges splitting `total` into `parts` contiguous pieces as equal as possible, the larger ones first
 * (504 rows in 2 parts: 252 + 252; 300 in 2: 150 + 150; 513 in 3: 171 x 3).
 */
export function balancedRanges(total: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const base = Math.floor(total / parts);
  const extra = total % parts;
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}

export interface SplitPlan {
  rowParts: number;
  colParts: number;
  /** Row-part major: parts[i * colParts + j]. */
  parts: TilePart[];
}

/**
 * The splitting rule: the fewest row parts and column parts that fit the tile (ceil(rows / tileRows),
 * ceil(cols / tileCols)), each dimension divided as evenly as possible into contiguous ranges.
 */
export function splitMatrix(rows: number, cols: number, tileRows: number, tileCols: number): SplitPlan {
  const rowParts = Math.ceil(rows / tileRows);
  const colParts = Math.ceil(cols / tileCols);
  const rowRanges = balancedRanges(rows, rowParts);
  const colRanges = balancedRanges(cols, colParts);
  const parts: TilePart[] = [];
  for (let i = 0; i < rowParts; i++) {
    for (let j = 0; j < colParts; j++) {
      parts.push({
        rowPart: i,
        colPart: j,
        rowStart: rowRanges[i][0],
        rowEnd: rowRanges[i][1],
        colStart: colRanges[j][0],
        colEnd: colRanges[j][1],
      });
    }
  }
  return { rowParts, colParts, parts };
}

/**
 * The last row part of each column group adds its siblings' partial sums and runs the neuron core. A layer whose
 * column parts are `gathered` (its pools need the whole block, src/mapping/replicatedPool.ts) has one neuron core,
 * its last part's (last row part of the last column part): every other part sends it its codes.
 */
export function partRole(part: TilePart, rowParts: number, colParts: number, gathered = false): CoreRole {
  if (gathered) return part.rowPart === rowParts - 1 && part.colPart === colParts - 1 ? 'accumulate' : 'partial';
  if (rowParts === 1) return 'single';
  return part.rowPart === rowParts - 1 ? 'accumulate' : 'partial';
}

/**
 * The core a partial core sends its codes to: its column group's accumulating core, or the layer's only one (a
 * layer whose column parts are gathered).
 */
export function accumulatorOf<T extends { role: CoreRole; part: TilePart }>(core: T, layerCores: readonly T[]): T | undefined {
  const accumulators = layerCores.filter((c) => c.role === 'accumulate');
  return accumulators.length === 1 ? accumulators[0] : accumulators.find((c) => c.part.colPart === core.part.colPart);
}

/** y = x * M[rowStart:rowEnd, colStart:colEnd] for a dense matrix (exact integer arithmetic on JS numbers). */
export function partProduct(matrix: readonly (readonly number[])[], input: readonly number[], part: TilePart): number[] {
  const out = new Array<number>(part.colEnd - part.colStart).fill(0);
  for (let r = part.rowStart; r < part.rowEnd; r++) {
    const x = input[r];
    if (x === 0) continue;
    const line = matrix[r];
    for (let c = part.colStart; c < part.colEnd; c++) out[c - part.colStart] += x * line[c];
  }
  return out;
}

/**
 * The split product: per column group, the sum of its row parts' partial products; the groups concatenated.
 * Equal to the unsplit product (equations 5 and 6).
 */
export function splitProduct(matrix: readonly (readonly number[])[], input: readonly number[], plan: SplitPlan): number[] {
  const out: number[] = [];
  for (let j = 0; j < plan.colParts; j++) {
    let acc: number[] | null = null;
    for (let i = 0; i < plan.rowParts; i++) {
      const partial = partProduct(matrix, input, plan.parts[i * plan.colParts + j]);
      acc = acc === null ? partial : acc.map((v, k) => v + partial[k]);
    }
    out.push(...(acc ?? []));
  }
  return out;
}
