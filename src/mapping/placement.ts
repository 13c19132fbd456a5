// Placement of cores on the target grid: pipeline order (layers in network order, each layer's cores row-part
// major so the accumulating cores come last), laid along a snake (boustrophedon) so consecutive cores, and hence
// consecutive layers, are always neighbours.

/** Grid position of the k-th core in pipeline order: row 0 left to right, row 1 right to left, and so on. */
export function snakePosition(k: number, grid: { rows: number; cols: number }): { row: number; col: number } {
  if (k < 0 || k >= grid.rows * grid.cols) throw new RangeError(`core ${k} does not fit a ${grid.rows}x${grid.cols} grid`);
  const row = Math.floor(k / grid.cols);
  const along = k % grid.cols;
  return { row, col: row % 2 === 0 ? along : grid.cols - 1 - along };
}

/** Links are counted in hops between grid positions (Manhattan distance). */
export function manhattan(a: { row: number; col: number }, b: { row: number; col: number }): number {
  return Math.abs(a.row - b.row) + Math.abs(a.col - b.col);
}

/** `c00`, `c01`, ...: zero-padded to at least two digits, wider when there are more than 100 cores. */
export function coreId(index: number, total: number): string {
  const width = Math.max(2, String(Math.max(0, total - 1)).length);
  return `c${String(index).padStart(width, '0')}`;
}
