// What report.html shows, as plain rows: each chart's data and the tables, computed from the compile's mapping,
// memory plan and dataflow simulations. Everything the charts draw comes from here (tests check it), the chart
// specifications in charts.ts only decide how it looks.
import type { IrDesign } from '../../ir/types.js';
import type { Mapping } from '../../mapping/types.js';
import type { MemoryPlan } from '../../memory/index.js';
import type { DataflowResult, SweepResult } from '../../dataflow/index.js';

export interface GridCell {
  row: number;
  col: number;
  core: string;
  layer: string;
  /** Logical weights on this core's tile / the tile's crossbar cells. */
  utilization: number;
}

export interface GridLink {
  from: string;
  to: string;
  kind: string;
  /** Grid coordinates of the two cores' centres. */
  x: number;
  y: number;
  x2: number;
  y2: number;
  gbps: number;
  overBandwidth: boolean;
}

/** A run of timestep bins in which a layer's crossbars compute, with the share of those timesteps it is busy. */
export interface PipelineSpan {
  layer: string;
  order: number;
  start: number;
  end: number;
  busyShare: number;
}

export interface BatchPoint {
  batch: number;
  throughputImagesPerSecond: number;
  batchTimesteps: number;
}

export interface SweepPoint {
  replicas: string;
  cores: number;
  throughputImagesPerSecond: number;
  latencyTimesteps: number;
  warnings: string;
}

export interface MemoryBar {
  core: string;
  layer: string;
  measure: 'stored (H x F)' | 'most held' | 'minimum (paper)';
  pixels: number;
}

export interface ReportData {
  grid: { rows: number; cols: number; cells: GridCell[]; links: GridLink[]; bandwidthGbps: number };
  pipeline: { batch: number; spans: PipelineSpan[]; imageOutputs: number[]; binTimesteps: number };
  batchCurve: BatchPoint[];
  sweep: { stages: string[]; points: SweepPoint[]; skipped: number };
  memory: MemoryBar[];
}

/** At most this many timestep bins across the pipeline chart: enough detail, a file of reasonable size. */
const PIPELINE_BINS = 160;

function gridData(design: IrDesign, mapping: Mapping, dataflow: DataflowResult): ReportData['grid'] {
  const { rows: tileRows, cols: tileCols } = design.target.crossbar;
  const cells = mapping.cores.map((c) => ({
    row: c.row,
    col: c.col,
    core: c.id,
    layer: c.layer,
    utilization: ((c.part.rowEnd - c.part.rowStart) * (c.part.colEnd - c.part.colStart)) / (tileRows * tileCols),
  }));
  const at = new Map(mapping.cores.map((c) => [c.id, c]));
  const limit = dataflow.targetLinkBandwidthGbps;
  // The network input's scratchpad is not on the grid: its links have no second end to draw.
  const links = dataflow.links.flatMap((l) => {
    const from = at.get(l.from);
    const to = at.get(l.to);
    if (from === undefined || to === undefined) return [];
    return [
      {
        from: l.from,
        to: l.to,
        kind: l.kind,
        x: from.col + 0.5,
        y: from.row + 0.5,
        x2: to.col + 0.5,
        y2: to.row + 0.5,
        gbps: Math.round(l.gbps * 100) / 100,
        overBandwidth: l.gbps > limit * (1 + 1e-9),
      },
    ];
  });
  return { rows: mapping.grid.rows, cols: mapping.grid.cols, cells, links, bandwidthGbps: limit };
}

/**
 * The first images' activity per layer, in bins of whole timesteps: consecutive bins with the same busy share
 * (rounded to tenths) are one span, so a long steady phase is one rectangle.
 */
function pipelineData(mapping: Mapping, pipeline: DataflowResult): ReportData['pipeline'] {
  const activity = pipeline.activity;
  if (activity === undefined) throw new Error('report: the pipeline simulation must record activity');
  const end = pipeline.imageOutputs[pipeline.imageOutputs.length - 1] + 1;
  const bin = Math.max(1, Math.ceil(end / PIPELINE_BINS));
  const bins = Math.ceil(end / bin);
  const spans: PipelineSpan[] = [];
  mapping.layers.forEach((layer, order) => {
    const busy = new Uint8Array(end);
    for (const core of activity) {
      if (core.layer === layer.layer) for (let r = 0; r < core.starts.length; r++) busy.fill(1, core.starts[r], core.starts[r] + core.lengths[r]);
    }
    let open: PipelineSpan | null = null;
    for (let b = 0; b < bins; b++) {
      const from = b * bin;
      const to = Math.min(end, from + bin);
      let count = 0;
      for (let t = from; t < to; t++) count += busy[t];
      const share = Math.round((count / (to - from)) * 10) / 10;
      if (count > 0 && open !== null && open.busyShare === share && open.end === from) {
        open.end = to;
        continue;
      }
      if (open !== null) spans.push(open);
      open = count > 0 ? { layer: layer.layer, order, start: from, end: to, busyShare: Math.max(share, 0.1) } : null;
    }
    if (open !== null) spans.push(open);
  });
  return { batch: pipeline.batch, spans, imageOutputs: [...pipeline.imageOutputs], binTimesteps: bin };
}

function memoryData(plan: MemoryPlan, dataflow: DataflowResult): MemoryBar[] {
  const held = new Map(dataflow.layers.map((l) => [l.name, l.inputBufferPixels]));
  return plan.cores.flatMap((c) => [
    { core: c.core, layer: c.layer, measure: 'stored (H x F)' as const, pixels: c.height * c.columns },
    { core: c.core, layer: c.layer, measure: 'most held' as const, pixels: held.get(c.layer) ?? 0 },
    { core: c.core, layer: c.layer, measure: 'minimum (paper)' as const, pixels: c.minOccupancy },
  ]);
}

export interface ReportInputs {
  design: IrDesign;
  mapping: Mapping;
  memory: MemoryPlan;
  /** The compile's simulation (the report batch). */
  dataflow: DataflowResult;
  /** A short batch simulated with activity, for the pipeline chart. */
  pipeline: DataflowResult;
  /** Simulations of the same mapping at growing batch sizes. */
  batches: DataflowResult[];
  sweep: SweepResult;
}

export function reportData(inputs: ReportInputs): ReportData {
  const { design, mapping, memory, dataflow, sweep } = inputs;
  return {
    grid: gridData(design, mapping, dataflow),
    pipeline: pipelineData(mapping, inputs.pipeline),
    batchCurve: inputs.batches.map((r) => ({
      batch: r.batch,
      throughputImagesPerSecond: Math.round(r.throughputImagesPerSecond),
      batchTimesteps: r.batchTimesteps,
    })),
    sweep: {
      stages: sweep.stages.map((s) => s.plane),
      points: sweep.rows.map((r) => ({
        replicas: r.replicas.join('/'),
        cores: r.cores,
        throughputImagesPerSecond: Math.round(r.throughputImagesPerSecond),
        latencyTimesteps: r.latencyTimesteps,
        warnings: r.warnings.length > 0 ? r.warnings.join(' ') : 'none',
      })),
      skipped: sweep.skipped.length,
    },
    memory: memoryData(memory, dataflow),
  };
}
