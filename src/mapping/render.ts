// Human-readable views of a mapping for the terminal (imcc map, imcc replicate): a layer table with totals, an
// ASCII picture of the core grid, and a drawing of which pixels a set of replicas computes and reads.
import type { IrDesign } from '../ir/types.js';
import { blockRegion, blockShape } from './block.js';
import { collectiveKernelMatrix, type ReplicationParams } from './kernel.js';
import { mappingTotals } from './metrics.js';
import type { Mapping } from './types.js';
import { groupDigits } from '../support/format.js';

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}


/** Part label of a core inside its layer: '' for a single tile, else a, b, c, ... in row-part-major order. */
function partLabel(position: number, tiles: number): string {
  if (tiles === 1) return '';
  let s = '';
  let k = position;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return s;
}

/** The layer table: one row per weight layer, then the totals. */
export function mappingTable(mapping: Mapping, design: IrDesign): string {
  const { crossbar } = design.target;
  const rows = mapping.layers.map((l, i) => {
    const m = l.matrix;
    return [
      String(i + 1),
      l.layer,
      l.kind,
      `${groupDigits(m.kernelRows)}x${groupDigits(m.kernelCols)}`,
      groupDigits(m.replicas.length),
      String(m.method),
      groupDigits(m.dW),
      `${groupDigits(m.rowSources.length)}x${groupDigits(m.columnSinks.length)}`,
      l.cores.length === 1 ? '1' : `${l.cores.length} (${l.rowParts}x${l.colParts})`,
      percent(l.utilization),
    ];
  });
  const header = ['#', 'layer', 'kind', 'kernel', 'replicas', 'method', 'dW', 'used rows x cols', 'tiles', 'utilization'];
  const totals = mappingTotals(mapping, crossbar);
  const byKind = new Map<string, number>();
  let longest = 0;
  for (const link of mapping.links) {
    byKind.set(link.kind, (byKind.get(link.kind) ?? 0) + 1);
    longest = Math.max(longest, link.hops);
  }
  const linkText = ['feedforward', 'partial-sum', 'residual', 'shortcut']
    .filter((k) => byKind.has(k))
    .map((k) => `${byKind.get(k)} ${k}`)
    .join(', ');
  return [
    table(header, rows, new Set([0, 4, 5, 6, 9])),
    '',
    `totals: ${mapping.layers.length} weight layers on ${totals.cores} cores (${crossbar.rows}x${crossbar.cols} tiles, ` +
      `${mapping.grid.rows}x${mapping.grid.cols} grid, ${mapping.grid.rows * mapping.grid.cols - totals.cores} free)`,
    `        ${groupDigits(totals.weights)} weights on ${groupDigits(totals.devices)} devices (${crossbar.devicesPerWeight} per weight), ` +
      `utilization ${percent(totals.utilization)} (equation 4 over the used tiles)`,
    `links:  ${linkText || 'none'}${mapping.links.length > 0 ? `; longest ${longest} hop${longest === 1 ? '' : 's'}` : ''}`,
  ].join('\n');
}

/** Grids with more cells are summarized, not drawn (a 1024x1024 picture is 12 MB of text). */
export const MAX_PICTURE_CELLS = 4096;

/**
 * ASCII picture of the grid: each cell shows the table row number of its layer and its part letter. A grid of more
 * than MAX_PICTURE_CELLS cells gets one summary line instead (the table and mapping.json still place every core).
 */
export function gridPicture(mapping: Mapping): string {
  const { rows, cols } = mapping.grid;
  const header = `grid ${rows}x${cols} (cores in pipeline order along a snake: row 0 left to right, row 1 right to left, ...)`;
  if (rows * cols > MAX_PICTURE_CELLS) {
    const usedRows = mapping.cores.reduce((n, c) => Math.max(n, c.row + 1), 0);
    return (
      `${header}
${mapping.cores.length} cores on the first ${usedRows} of ${rows} rows; the picture is not drawn for grids of ` +
      `more than ${MAX_PICTURE_CELLS} cells (every core's row and column is in mapping.json)`
    );
  }
  const labels = new Map<string, string>();
  mapping.layers.forEach((l, i) => l.cores.forEach((id, k) => labels.set(id, `${i + 1}${partLabel(k, l.cores.length)}`)));
  const cells: string[][] = Array.from({ length: mapping.grid.rows }, () => Array.from({ length: mapping.grid.cols }, () => '.'));
  for (const core of mapping.cores) cells[core.row][core.col] = labels.get(core.id)!;
  const width = Math.max(3, ...[...labels.values()].map((s) => s.length));
  const border = '+' + Array.from({ length: mapping.grid.cols }, () => '-'.repeat(width + 2)).join('+') + '+';
  const lines = [border];
  for (const row of cells) {
    lines.push('|' + row.map((c) => ` ${c.padStart(width)} `).join('|') + '|');
    lines.push(border);
  }
  return [
    header,
    ...lines,
    "cell: layer number from the table, letter: part of a split layer (row-part major; the last row part accumulates); '.': free",
  ].join('\n');
}

/**
 * Drawing for the replication calculator: the block of output pixels (replica numbers) and the input pixels the
 * replicas read (how many replicas read each, '.' for pixels inside the area that none reads).
 */
export function replicationDrawing(p: ReplicationParams): string {
  const m = collectiveKernelMatrix(p);
  const { rows: blockH, cols: blockW } = blockShape(m.replicas);
  const { height: inH, width: inW } = blockRegion({ rows: blockH, cols: blockW }, p);
  const limit = 64;
  if (inH > limit || inW > limit) return `(drawing omitted: the input area ${inH}x${inW} is larger than ${limit}x${limit})`;
  const out: string[][] = Array.from({ length: blockH }, () => Array.from({ length: blockW }, () => '.'));
  m.replicas.forEach((r, i) => (out[r.oy][r.ox] = String(i)));
  const reads: number[][] = Array.from({ length: inH }, () => Array.from({ length: inW }, () => 0));
  for (const r of m.replicas) {
    for (let ky = 0; ky < p.kernelHeight; ky++) {
      for (let kx = 0; kx < p.kernelWidth; kx++) reads[r.oy * p.stride + ky][r.ox * p.stride + kx]++;
    }
  }
  const w1 = Math.max(...out.flat().map((s) => s.length));
  const w2 = Math.max(1, ...reads.flat().map((v) => String(v).length));
  return [
    `output pixels (replica numbers; y down, x right; ${blockH}x${blockW} block):`,
    ...out.map((row) => '  ' + row.map((c) => c.padStart(w1)).join(' ')),
    `input pixels read (replicas reading each; ${inH}x${inW} area, ${m.rowSources.length / p.inChannels} distinct pixels x ${p.inChannels} channels = ${m.rowSources.length} rows):`,
    ...reads.map((row) => '  ' + row.map((v) => (v === 0 ? '.' : String(v)).padStart(w2)).join(' ')),
  ].join('\n');
}
