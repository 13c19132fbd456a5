// The text report of a simulation (imcc simulate, and the dataflow section of report.txt): the figures, the per-layer
// timeline of the first image (Figure 10), residual buffers and the busiest links (equation 7).
import type { DataflowResult } from './types.js';
import { renderTemplate } from '../support/templates.js';
import { groupDecimal, groupDigits } from '../support/format.js';

export { groupDigits };

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A left-aligned first column and right-aligned numeric columns, widths from the content. */
export function alignTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], i > 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * `rtlLatencyTimesteps`: the latency at block granularity, the generated RTL's timing, printed under a pixel-model
 * latency it differs from (a replicated core computes a whole block per crossbar operation; docs/dataflow.md).
 */
export function formatDataflowReport(result: DataflowResult, title: string, rtlLatencyTimesteps?: number): string {
  const ms = (timesteps: number) => (timesteps * result.timestepNs) / 1000;
  const layerRows = alignTable(
    ['layer', 'cores', 'replicas', 'pixels', 'first', 'last', 'busy', 'held/stored'],
    result.layers.map((l) => [
      l.name,
      l.cores.join(','),
      groupDigits(l.replicas),
      groupDigits(l.outputPixels),
      groupDigits(l.firstTimestep),
      groupDigits(l.lastTimestep),
      groupDigits(l.busyTimesteps),
      `${groupDigits(l.inputBufferPixels)}/${groupDigits(l.inputMemoryPixels)}`,
    ]),
  );
  const residualRows = alignTable(
    ['residual add in', 'shortcut from', 'pixels', 'bits'],
    result.residualBuffers.map((b) => [b.layer, b.from, groupDigits(b.pixels), groupDigits(b.bits)]),
  );
  const limit = result.targetLinkBandwidthGbps;
  const busiest = [...result.links].sort((a, b) => b.gbps - a.gbps || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const over = busiest.filter((l) => l.gbps > limit * (1 + 1e-9));
  const shown = (over.length > 0 ? over : busiest.slice(0, 5)).slice(0, 12);
  const linkRows = alignTable(
    ['link', 'kind', 'per timestep', 'bits each', 'Gbit/s'],
    shown.map((l) => [`${l.from} -> ${l.to}`, l.kind, groupDigits(l.transfersPerTimestep), groupDigits(l.bitsPerTransfer), groupDecimal(l.gbps, 2)]),
  );
  const figureRows: Array<[string, string]> = [
    ['latency (one image)', `${groupDigits(result.latencyTimesteps)} timesteps (${groupDecimal(ms(result.latencyTimesteps), 1)} us)`],
    ...(rtlLatencyTimesteps === undefined || rtlLatencyTimesteps === result.latencyTimesteps
      ? []
      : [['latency in the RTL', `${groupDigits(rtlLatencyTimesteps)} timesteps (block granularity: a whole block per crossbar operation)`] as [string, string]]),
    ['initiation interval', `${groupDigits(result.intervalTimesteps)} timesteps`],
    [`batch of ${result.batch}`, `${groupDigits(result.batchTimesteps)} timesteps`],
    ['throughput', `${groupDigits(result.throughputImagesPerSecond)} images/s`],
    ['link bandwidth (eq. 7)', `${groupDecimal(result.linkBandwidthGbps, 2)} Gbit/s needed by activation links`],
  ];
  const keyWidth = Math.max(...figureRows.map(([k]) => k.length));
  return renderTemplate('dataflow/report.txt.hbs', {
    title,
    granularity: result.granularity,
    timestepNs: result.timestepNs,
    inputPixelsPerTimestep: result.inputPixelsPerTimestep,
    figureRows: figureRows.map(([k, v]) => `${pad(`${k}:`, keyWidth + 1)}  ${v}`),
    targetGbps: String(limit),
    layerRows,
    hasResiduals: result.residualBuffers.length > 0,
    residualRows,
    linkRows,
    linksOver: over.length,
    linksTotal: result.links.length,
  });
}
