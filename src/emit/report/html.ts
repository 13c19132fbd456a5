// report.html: one self-contained page (inline SVG and CSS, no scripts, no network access) with the charts of
// charts.ts, the mapping table, the headline figures and every warning of the compile.
import type { Diagnostic } from '../../diagnostics/index.js';
import { groupDigits, simulateDataflow, sweepReplication } from '../../dataflow/index.js';
import type { IrDesign } from '../../ir/types.js';
import { mappingTotals, percent } from '../../mapping/index.js';
import type { Mapping } from '../../mapping/types.js';
import type { Program } from '../../pipeline/program.js';
import { renderHtmlTemplate } from '../../support/templates.js';
import { reportCharts } from './charts.js';
import { reportData, type ReportInputs } from './data.js';
import { renderSvg, startSvgDocument } from './svg.js';

/** Images simulated for the pipeline chart ("the first images"). */
export const PIPELINE_IMAGES = 3;
/** Batch sizes of the throughput-vs-batch chart, up to the report batch. */
export const BATCH_SIZES = [1, 2, 5, 10, 20, 50, 100];

export interface HtmlReportInput {
  version: string;
  /** Entry source as recorded in the output (source/...), never an absolute path. */
  entry: string;
  /** The compile's phases: the report uses its mapping, memory plan and dataflows (REPORT_BATCH and one image). */
  program: Program;
  warnings: readonly Diagnostic[];
  /** How a diagnostic's file is shown (the output's source/ path), so the page has no absolute paths. */
  displayPath: (file: string) => string;
}

/** The simulations behind the charts that the compile does not already run. */
export function reportInputs(input: HtmlReportInput): ReportInputs {
  const { program } = input;
  const { design, mapping, reportDataflow: dataflow } = program;
  const granularity = dataflow.granularity;
  // The batch of 1 and the report's batch are the Program's own dataflows; the sizes between are simulated here.
  const batches = BATCH_SIZES.filter((b) => b <= dataflow.batch).map((batch) => {
    if (batch === dataflow.batch) return dataflow;
    if (batch === 1 && granularity === 'pixel') return program.singleImageDataflow;
    return simulateDataflow(design, mapping, { batch, granularity });
  });
  return {
    design,
    mapping,
    memory: program.memory,
    dataflow,
    pipeline: simulateDataflow(design, mapping, { batch: PIPELINE_IMAGES, granularity, activity: true }),
    batches,
    sweep: sweepReplication(design, { batch: dataflow.batch, granularity }),
  };
}

function mappingRows(design: IrDesign, mapping: Mapping): string[][] {
  return mapping.layers.map((l) => [
    l.layer,
    l.kind,
    `${l.outputShape.channels}x${l.outputShape.height}x${l.outputShape.width}`,
    `${l.matrix.kernelRows}x${l.matrix.kernelCols}`,
    String(l.matrix.replicas.length),
    `${l.matrix.method} (dW ${l.matrix.dW})`,
    `${l.rowParts}x${l.colParts}`,
    l.cores.join(' '),
    percent(l.utilization),
    l.fused.join(', '),
  ]);
}

export function renderHtmlReport(input: HtmlReportInput, inputs: ReportInputs = reportInputs(input)): string {
  const { design, mapping, reportDataflow: dataflow } = input.program;
  const charts = reportCharts(reportData(inputs));
  startSvgDocument();
  const totals = mappingTotals(mapping, design.target.crossbar);
  const us = (dataflow.latencyTimesteps * dataflow.timestepNs) / 1000;
  return renderHtmlTemplate('report/report.html.hbs', {
    version: input.version,
    entry: input.entry,
    network: design.network.name,
    target: design.target.name,
    figures: [
      ['cores', `${mapping.cores.length} on a ${mapping.grid.rows}x${mapping.grid.cols} grid (${totals.tiles} tiles)`],
      ['latency (one image)', `${groupDigits(dataflow.latencyTimesteps)} timesteps (${us.toFixed(1)} us)`],
      ['initiation interval', `${groupDigits(dataflow.intervalTimesteps)} timesteps`],
      [`throughput (batch of ${dataflow.batch})`, `${groupDigits(dataflow.throughputImagesPerSecond)} images/s`],
      ['link bandwidth (equation 7)', `${dataflow.linkBandwidthGbps.toFixed(2)} Gb/s needed, ${dataflow.targetLinkBandwidthGbps} Gb/s available`],
    ].map(([name, value]) => ({ name, value })),
    charts: charts.map((c) => ({ id: c.id, title: c.title, caption: c.caption, svg: renderSvg(c.spec) })),
    mappingHeader: ['layer', 'kind', 'output CxHxW', 'kernel matrix', 'replicas', 'method', 'tiles', 'cores', 'utilization', 'fused'],
    mappingRows: mappingRows(design, mapping),
    warnings: input.warnings.map((d) => `${input.displayPath(d.span.file)}:${d.span.line}:${d.span.column}: ${d.severity} ${d.code}: ${d.message}`),
  });
}
