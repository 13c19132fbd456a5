// Step 1 of the arithmetic for one replica's columns of one tile: exact column sums of the tile's weights times the
// block's inputs. The layout and loops are tuned (the reference model's hot loop); the result is the plain integer
// dot product, exact in any summation order because every partial sum stays within 2^53 (a layer whose column sums
// could pass it uses runColumnSumsExact instead: ./exactness.ts decides).

/** The columns of one replica within one tile: they all read the same rows (those inside the replica's patch). */
export interface ColumnRun {
  /** First column of the run, relative to the tile. */
  colOffset: number;
  colCount: number;
  /** Tile-relative rows inside the replica's patch. */
  rows: Int32Array;
  /** rows.length x colCount weights, stored as runWeightIndex says. */
  weights: Float64Array;
}

/**
 * Where weight (row i, column c) of a run of `cols` columns over `rows` rows is stored: columns go in groups of 8,
 * then one group of 4, then single columns; a group starting at column g0 occupies entries g0*rows onwards, row-major
 * within the group, so the inner loop reads one group's weights for one input from adjacent entries.
 */
export function runWeightIndex(i: number, c: number, rows: number, cols: number): number {
  const full8 = cols - (cols % 8);
  if (c < full8) {
    const g0 = c - (c % 8);
    return g0 * rows + i * 8 + (c - g0);
  }
  if (cols - full8 >= 4 && c < full8 + 4) return full8 * rows + i * 4 + (c - full8);
  return c * rows + i;
}

/** Reusable buffers for runColumnSums (the non-zero inputs of a run and their row indices). */
export interface RunScratch {
  xrun: Float64Array;
  xidx: Int32Array;
}

export function runScratch(maxRows: number): RunScratch {
  return { xrun: new Float64Array(maxRows), xidx: new Int32Array(maxRows) };
}

/** sums[run.colOffset + c] = Σ_i weight(i, c) * xvec[run.rows[i]] for every column c of the run. */
export function runColumnSums(run: ColumnRun, xvec: Float64Array, scratch: RunScratch, sums: Float64Array): void {
  const { colOffset, colCount: rc, rows, weights } = run;
  const { xrun, xidx } = scratch;
  const n = rows.length;
  // Only non-zero inputs contribute (after a ReLU about half are zero): compress them once per run.
  let nz = 0;
  for (let i = 0; i < n; i++) {
    const v = xvec[rows[i]];
    if (v !== 0) {
      xrun[nz] = v;
      xidx[nz++] = i;
    }
  }
  // Eight (then four) columns at a time share each input load; integer sums below 2^53 are exact in
  // any order.
  let c = 0;
  for (; c + 8 <= rc; c += 8) {
    const b0 = c * n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let j = 0; j < nz; j++) {
      const v = xrun[j];
      const i = b0 + xidx[j] * 8;
      a0 += weights[i] * v;
      a1 += weights[i + 1] * v;
      a2 += weights[i + 2] * v;
      a3 += weights[i + 3] * v;
      a4 += weights[i + 4] * v;
      a5 += weights[i + 5] * v;
      a6 += weights[i + 6] * v;
      a7 += weights[i + 7] * v;
    }
    const o = colOffset + c;
    sums[o] = a0;
    sums[o + 1] = a1;
    sums[o + 2] = a2;
    sums[o + 3] = a3;
    sums[o + 4] = a4;
    sums[o + 5] = a5;
    sums[o + 6] = a6;
    sums[o + 7] = a7;
  }
  if (c + 4 <= rc) {
    const b0 = c * n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < nz; j++) {
      const v = xrun[j];
      const i = b0 + xidx[j] * 4;
      a0 += weights[i] * v;
      a1 += weights[i + 1] * v;
      a2 += weights[i + 2] * v;
      a3 += weights[i + 3] * v;
    }
    sums[colOffset + c] = a0;
    sums[colOffset + c + 1] = a1;
    sums[colOffset + c + 2] = a2;
    sums[colOffset + c + 3] = a3;
    c += 4;
  }
  for (; c < rc; c++) {
    const b0 = c * n;
    let a0 = 0;
    for (let j = 0; j < nz; j++) a0 += weights[b0 + xidx[j]] * xrun[j];
    sums[colOffset + c] = a0;
  }
}

/**
 * runColumnSums in BigInt, for a layer whose column sums can pass 2^53 (./exactness.ts):
 * sums[run.colOffset + c] = Σ_i weight(i, c) * xvec[run.rows[i]], exactly.
 */
export function runColumnSumsExact(run: ColumnRun, xvec: Float64Array, sums: bigint[]): void {
  const { colOffset, colCount, rows, weights } = run;
  const n = rows.length;
  const x = Array.from(rows, (r) => BigInt(xvec[r]));
  for (let c = 0; c < colCount; c++) {
    let acc = 0n;
    for (let i = 0; i < n; i++) {
      const w = weights[runWeightIndex(i, c, n, colCount)];
      if (w !== 0) acc += BigInt(w) * x[i];
    }
    sums[colOffset + c] = acc;
  }
}
