// Figure 10's question as a table: latency and throughput against the replication of each stage. A stage is the set
// of convolution layers with the same output plane (ResNet-32: 32x32, 16x16, 8x8, the paper's red, blue and green
// groups, resampling layers included). Every combination of replica counts is mapped (mapDesign) and simulated.
import { DiagnosticError } from '../diagnostics/index.js';
import type { IrDesign, IrNode, MappingDirective } from '../ir/types.js';
import { mapDesign } from '../mapping/index.js';
import type { Granularity } from './geometry.js';
import { renderTemplate } from '../support/templates.js';
import { validateJson } from '../support/schema.js';
import { simulateDataflow } from './simulate.js';

export interface ReplicationStage {
  /** Output plane, e.g. `32x32`. */
  plane: string;
  height: number;
  width: number;
  layers: string[];
}

export interface SweepRow {
  replicas: number[];
  cores: number;
  latencyTimesteps: number;
  intervalTimesteps: number;
  batch: number;
  throughputImagesPerSecond: number;
  linkBandwidthGbps: number;
  /** Codes of the simulation's warnings (IMC090 links over bandwidth, IMC092 input memories too small), sorted. */
  warnings: string[];
}

export interface SweepResult {
  stages: ReplicationStage[];
  rows: SweepRow[];
  /** Combinations that cannot be built (no block shape tiles a plane, or the mapping rejects them), and why. */
  skipped: Array<{ replicas: number[]; reason: string }>;
}

/** Convolution layers grouped by output plane, largest plane first (network order inside a stage). */
export function replicationStages(design: IrDesign): ReplicationStage[] {
  const stages = new Map<string, ReplicationStage>();
  for (const node of design.network.nodes) {
    if (node.op.kind !== 'conv') continue;
    const plane = `${node.shape.height}x${node.shape.width}`;
    const stage = stages.get(plane) ?? { plane, height: node.shape.height, width: node.shape.width, layers: [] };
    stage.layers.push(node.name);
    stages.set(plane, stage);
  }
  return [...stages.values()].sort((a, b) => b.height * b.width - a.height * a.width || a.plane.localeCompare(b.plane));
}

/**
 * The directive for `replicas` on a layer: the layer's own block width (dW) if it still tiles the output plane with
 * full blocks, else the widest narrower one that does (dW 1 is method 1); null when none does.
 */
export function sweepDirective(node: IrNode, replicas: number): MappingDirective | null {
  const base = node.mapping;
  const start = Math.min(base?.dW ?? 1, replicas);
  for (let dW = start; dW >= 1; dW--) {
    const height = replicas / dW;
    if (!Number.isInteger(height) || node.shape.width % dW !== 0 || node.shape.height % height !== 0) continue;
    return { replicas, method: dW > 1 ? 2 : 1, dW, layout: base?.layout ?? 'auto', span: base?.span ?? node.span };
  }
  return null;
}

function combinations(choices: readonly number[], stages: number): number[][] {
  let out: number[][] = [[]];
  for (let s = 0; s < stages; s++) out = out.flatMap((prefix) => choices.map((c) => [...prefix, c]));
  return out;
}

export function sweepReplication(
  design: IrDesign,
  options: { batch: number; choices?: readonly number[]; granularity?: Granularity },
): SweepResult {
  const stages = replicationStages(design);
  const choices = options.choices ?? [1, 2, 4];
  const rows: SweepRow[] = [];
  const skipped: SweepResult['skipped'] = [];
  const stageOf = new Map<string, number>();
  stages.forEach((s, i) => s.layers.forEach((l) => stageOf.set(l, i)));
  for (const replicas of combinations(choices, stages.length)) {
    let unbuildable: string | null = null;
    const nodes = design.network.nodes.map((node) => {
      const stage = stageOf.get(node.name);
      if (stage === undefined) return node;
      const mapping = sweepDirective(node, replicas[stage]);
      if (mapping === null) {
        unbuildable ??= `no block of ${replicas[stage]} replicas tiles the ${node.shape.height}x${node.shape.width} output of '${node.name}'`;
        return node;
      }
      return { ...node, mapping };
    });
    if (unbuildable !== null) {
      skipped.push({ replicas, reason: unbuildable });
      continue;
    }
    const variant: IrDesign = { ...design, network: { ...design.network, nodes } };
    let mapping;
    try {
      mapping = mapDesign(variant);
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      const d = err.diagnostics[0];
      skipped.push({ replicas, reason: d === undefined ? 'mapping failed' : `${d.code}: ${d.message}` });
      continue;
    }
    const result = simulateDataflow(variant, mapping, { batch: options.batch, granularity: options.granularity });
    rows.push({
      replicas,
      cores: mapping.cores.length,
      latencyTimesteps: result.latencyTimesteps,
      intervalTimesteps: result.intervalTimesteps,
      batch: result.batch,
      throughputImagesPerSecond: result.throughputImagesPerSecond,
      linkBandwidthGbps: result.linkBandwidthGbps,
      warnings: [...new Set(result.diagnostics.map((d) => d.code))].sort(),
    });
  }
  return { stages, rows, skipped };
}

/** CSV, one row per buildable combination; columns `replicas <plane>` per stage, then the figures. */
export function formatSweepCsv(sweep: SweepResult): string {
  const header = [
    ...sweep.stages.map((s) => `replicas_${s.plane}`),
    'cores',
    'latencyTimesteps',
    'intervalTimesteps',
    'batch',
    'throughputImagesPerSecond',
    'linkBandwidthGbps',
    'warnings',
  ].join(',');
  const lines = sweep.rows.map((r) =>
    [
      ...r.replicas,
      r.cores,
      r.latencyTimesteps,
      r.intervalTimesteps,
      r.batch,
      r.throughputImagesPerSecond.toFixed(1),
      r.linkBandwidthGbps.toFixed(3),
      r.warnings.join(' '),
    ].join(','),
  );
  return renderTemplate('dataflow/sweep.csv.hbs', { header, lines });
}

/** The replica sweep as JSON rows (`imcc simulate --sweep --json`), validated against schemas/sweep.schema.json. */
export function sweepJson(sweep: SweepResult): { stages: Array<{ plane: string; layers: string[] }>; rows: SweepRow[]; skipped: SweepResult['skipped'] } {
  const json = {
    stages: sweep.stages.map((s) => ({ plane: s.plane, layers: s.layers })),
    rows: sweep.rows.map((r) => ({
      ...r,
      throughputImagesPerSecond: Math.round(r.throughputImagesPerSecond * 10) / 10,
      linkBandwidthGbps: Math.round(r.linkBandwidthGbps * 1000) / 1000,
    })),
    skipped: sweep.skipped,
  };
  validateJson('sweep', json);
  return json;
}

/** Batch sizes of the throughput-vs-batch sweep (Figure 10's batch axis): 1 to 1,000 images. */
export const SWEEP_BATCHES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export interface BatchSweepRow {
  batch: number;
  batchTimesteps: number;
  throughputImagesPerSecond: number;
}

/**
 * Throughput against the batch for the design's own mapping. One simulation of the largest batch gives every smaller
 * one: an image's timing depends only on the images before it, so batch b ends with image b's output, exactly as a
 * simulation of b images computes it.
 */
export function sweepBatches(design: IrDesign, batches: readonly number[] = SWEEP_BATCHES): { latencyTimesteps: number; intervalTimesteps: number; rows: BatchSweepRow[] } {
  const mapping = mapDesign(design);
  const result = simulateDataflow(design, mapping, { batch: Math.max(...batches) });
  const ns = result.timestepNs;
  const rows = batches.map((batch) => {
    const batchTimesteps = result.imageOutputs[batch - 1] - result.imageStarts[0] + 1;
    return { batch, batchTimesteps, throughputImagesPerSecond: batch / (batchTimesteps * ns * 1e-9) };
  });
  return { latencyTimesteps: result.latencyTimesteps, intervalTimesteps: result.intervalTimesteps, rows };
}

/** The batch sweep as CSV (`imcc simulate --sweep-batch`). */
export function formatBatchSweepCsv(sweep: ReturnType<typeof sweepBatches>): string {
  const header = 'batch,batchTimesteps,throughputImagesPerSecond,latencyTimesteps,intervalTimesteps';
  const lines = sweep.rows.map((r) =>
    [r.batch, r.batchTimesteps, r.throughputImagesPerSecond.toFixed(1), sweep.latencyTimesteps, sweep.intervalTimesteps].join(','),
  );
  return renderTemplate('dataflow/sweep.csv.hbs', { header, lines });
}

/** The batch sweep as JSON rows, validated against schemas/sweep-batch.schema.json. */
export function batchSweepJson(sweep: ReturnType<typeof sweepBatches>): ReturnType<typeof sweepBatches> {
  const json = { ...sweep, rows: sweep.rows.map((r) => ({ ...r, throughputImagesPerSecond: Math.round(r.throughputImagesPerSecond * 10) / 10 })) };
  validateJson('sweep-batch', json);
  return json;
}
