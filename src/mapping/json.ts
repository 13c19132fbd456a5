// The mapping as JSON (imcc map --json, mapping.json of imcc compile) and the replication calculator's JSON, each
// validated against its schema in schemas/ before anyone prints or writes it.
import { validateJson } from '../support/schema.js';
import type { IrDesign } from '../ir/types.js';
import { collectiveKernelMatrix, equation2AspectRatio, mappedWeights, type ReplicationParams } from './kernel.js';
import { mappingTotals } from './metrics.js';
import type { Mapping } from './types.js';

/** Ratios in JSON are rounded to 6 decimals so the text is short and identical everywhere. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Distinct input pixels of a collective matrix in row order (each occupies Cin consecutive rows). */
function rowPixels(rows: Mapping['layers'][number]['matrix']['rowSources']): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const s of rows) if (s.channel === 0) out.push([s.dy, s.dx]);
  return out;
}

export interface MappingJson {
  cores: number;
  grid: { rows: number; cols: number };
  tile: { rows: number; cols: number; devicesPerWeight: number };
  layers: Array<Record<string, unknown>>;
  placement: Array<Record<string, unknown>>;
  links: Array<{ from: string; to: string; kind: string; hops: number; bitsPerTransfer: number }>;
  totals: { cores: number; tiles: number; weights: number; devices: number; utilization: number };
}

export function mappingJson(mapping: Mapping, design: IrDesign): MappingJson {
  const { crossbar } = design.target;
  const totals = mappingTotals(mapping, crossbar);
  return {
    cores: mapping.cores.length,
    grid: { rows: mapping.grid.rows, cols: mapping.grid.cols },
    tile: { rows: crossbar.rows, cols: crossbar.cols, devicesPerWeight: crossbar.devicesPerWeight },
    layers: mapping.layers.map((l) => {
      const m = l.matrix;
      const entry: Record<string, unknown> = {
        name: l.layer,
        kind: l.kind,
        kernelRows: m.kernelRows,
        kernelCols: m.kernelCols,
        kernelHeight: m.kernelHeight,
        kernelWidth: m.kernelWidth,
        stride: m.stride,
        replicas: m.replicas.length,
        method: m.method,
        dW: m.dW,
        rows: m.rowSources.length,
        cols: m.columnSinks.length,
        rowParts: l.rowParts,
        colParts: l.colParts,
        tiles: l.cores.length,
        utilization: round6(l.utilization),
        aspectRatio: round6(l.aspectRatio),
        weights: mappedWeights(m),
        devices: l.devices,
        inputShape: { ...l.inputShape },
        outputShape: { ...l.outputShape },
        source: l.source,
        fused: [...l.fused],
        output: l.output,
      };
      if (l.residualFrom !== undefined) entry.residualFrom = l.residualFrom;
      if (l.residualLayer !== undefined) entry.residualLayer = l.residualLayer;
      entry.replicaOffsets = m.replicas.map((r) => [r.oy, r.ox]);
      entry.rowPixels = rowPixels(m.rowSources);
      entry.cores = [...l.cores];
      return entry;
    }),
    placement: mapping.cores.map((c) => ({
      core: c.id,
      layer: c.layer,
      part: {
        rowPart: c.part.rowPart,
        colPart: c.part.colPart,
        rowStart: c.part.rowStart,
        rowEnd: c.part.rowEnd,
        colStart: c.part.colStart,
        colEnd: c.part.colEnd,
      },
      role: c.role,
      row: c.row,
      col: c.col,
    })),
    links: mapping.links.map((k) => ({ from: k.from, to: k.to, kind: k.kind, hops: k.hops, bitsPerTransfer: k.bitsPerTransfer })),
    totals: { ...totals, utilization: round6(totals.utilization) },
  };
}

export interface ReplicationJson {
  rows: number;
  cols: number;
  aspectRatio: number;
  method: 1 | 2;
  kernelRows: number;
  kernelCols: number;
  replicas: number;
  dW: number;
  stride: number;
  inputPixels: number;
  equation2AspectRatio?: number;
  /** Replicas not a multiple of dW: the block's last column is partly filled (blocks on a skewed lattice, ./block.ts). */
  ragged?: boolean;
  replicaOffsets: Array<[number, number]>;
}

/** The replication calculator's answer (imcc replicate). Equation 2 is reported where it applies. */
export function replicationJson(p: ReplicationParams): ReplicationJson {
  const m = collectiveKernelMatrix(p);
  const rows = m.rowSources.length;
  const cols = m.columnSinks.length;
  const out: ReplicationJson = {
    rows,
    cols,
    aspectRatio: round6(rows / cols),
    method: m.method,
    kernelRows: m.kernelRows,
    kernelCols: m.kernelCols,
    replicas: p.replicas,
    dW: p.dW,
    stride: p.stride,
    inputPixels: rows / p.inChannels,
    replicaOffsets: m.replicas.map((r) => [r.oy, r.ox]),
  };
  if (p.replicas % p.dW !== 0) out.ragged = true;
  if (m.method === 1 && p.stride === 1 && p.kernelHeight === p.kernelWidth) {
    out.equation2AspectRatio = round6(equation2AspectRatio(p.kernelHeight, p.inChannels, p.outChannels, p.replicas));
  }
  return out;
}

/** Throws (an internal error: our own output broke its contract) unless `value` matches schemas/mapping.schema.json. */
export function validateMappingJson(value: unknown): void {
  validateJson('mapping', value);
}

/** Same for schemas/replicate.schema.json. */
export function validateReplicationJson(value: unknown): void {
  validateJson('replicate', value);
}
