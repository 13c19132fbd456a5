// How report.html draws its data: one Vega-Lite specification per chart (data inline, no network access).
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from './data.js';

/** Links over the target's bandwidth are drawn in this colour; the others in a neutral grey. */
export const WARNING_COLOUR = '#d62728';
const LINK_COLOUR = '#555555';
const CELL = 84;
const FONT = { font: 'sans-serif' };

export interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** Rows the chart draws (a test checks every chart has some). */
  rows: number;
}

function gridChart(grid: ReportData['grid']): Chart {
  const WITHIN = `within ${grid.bandwidthGbps} Gb/s`;
  const OVER = `over ${grid.bandwidthGbps} Gb/s`;
  const empty = [];
  for (let row = 0; row < grid.rows; row++) for (let col = 0; col < grid.cols; col++) empty.push({ row, col });
  const x = { type: 'quantitative' as const, scale: { domain: [0, grid.cols], nice: false }, axis: null };
  const y = { type: 'quantitative' as const, scale: { domain: [grid.rows, 0], nice: false }, axis: null };
  const over = grid.links.filter((l) => l.overBandwidth).map((l) => ({ ...l, label: `${l.gbps} Gb/s` }));
  const spec: TopLevelSpec = {
    width: CELL * grid.cols,
    height: CELL * grid.rows,
    config: { view: { stroke: null }, ...FONT },
    layer: [
      {
        data: { values: empty },
        mark: { type: 'rect', fill: '#f2f2f2', stroke: 'white', strokeWidth: 2, aria: false },
        encoding: { x: { field: 'col', ...x }, x2: { field: 'colEnd' }, y: { field: 'row', ...y }, y2: { field: 'rowEnd' } },
        transform: [{ calculate: 'datum.col + 1', as: 'colEnd' }, { calculate: 'datum.row + 1', as: 'rowEnd' }],
      },
      {
        data: { values: grid.cells },
        transform: [{ calculate: 'datum.col + 1', as: 'colEnd' }, { calculate: 'datum.row + 1', as: 'rowEnd' }],
        layer: [
          {
            mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
            encoding: {
              x: { field: 'col', ...x },
              x2: { field: 'colEnd' },
              y: { field: 'row', ...y },
              y2: { field: 'rowEnd' },
              color: {
                field: 'utilization',
                type: 'quantitative',
                title: 'tile utilization',
                scale: { domain: [0, 1], scheme: 'blues' },
                legend: { format: '.0%' },
              },
              tooltip: [{ field: 'core' }, { field: 'layer' }, { field: 'utilization', type: 'quantitative', format: '.1%' }],
            },
          },
          {
            mark: { type: 'text', dy: -14, fontWeight: 'bold', fontSize: 11, aria: false },
            encoding: { x: { field: 'cx', ...x }, y: { field: 'cy', ...y }, text: { field: 'core' } },
            transform: [{ calculate: 'datum.col + 0.5', as: 'cx' }, { calculate: 'datum.row + 0.5', as: 'cy' }],
          },
          {
            mark: { type: 'text', dy: 0, fontSize: 10, limit: CELL - 6, aria: false },
            encoding: { x: { field: 'cx', ...x }, y: { field: 'cy', ...y }, text: { field: 'layer' } },
            transform: [{ calculate: 'datum.col + 0.5', as: 'cx' }, { calculate: 'datum.row + 0.5', as: 'cy' }],
          },
          {
            mark: { type: 'text', dy: 13, fontSize: 9, aria: false },
            encoding: { x: { field: 'cx', ...x }, y: { field: 'cy', ...y }, text: { field: 'utilization', format: '.0%' } },
            transform: [{ calculate: 'datum.col + 0.5', as: 'cx' }, { calculate: 'datum.row + 0.5', as: 'cy' }],
          },
        ],
      },
      {
        data: { values: grid.links },
        transform: [{ calculate: `datum.overBandwidth ? '${OVER}' : '${WITHIN}'`, as: 'status' }],
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.8 },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          color: {
            field: 'status',
            type: 'nominal',
            title: 'link',
            scale: { domain: [WITHIN, OVER], range: [LINK_COLOUR, WARNING_COLOUR] },
          },
          tooltip: [{ field: 'from' }, { field: 'to' }, { field: 'kind' }, { field: 'gbps', title: 'Gb/s' }],
        },
      },
      {
        data: { values: over },
        mark: { type: 'text', color: WARNING_COLOUR, fontSize: 10, fontWeight: 'bold', dy: -4, aria: false },
        encoding: { x: { field: 'mx', ...x }, y: { field: 'my', ...y }, text: { field: 'label' } },
        transform: [{ calculate: '(datum.x + datum.x2) / 2', as: 'mx' }, { calculate: '(datum.y + datum.y2) / 2', as: 'my' }],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return {
    id: 'grid',
    title: 'Core grid',
    caption:
      `Each core's tile utilization (logical weights over crossbar cells) with its layer, and the links between cores; ` +
      `links needing more than the target's ${grid.bandwidthGbps} Gb/s (equation 7) are red and labelled with their load.`,
    spec,
    rows: grid.cells.length,
  };
}

function pipelineChart(pipeline: ReportData['pipeline']): Chart {
  const outputs = pipeline.imageOutputs.map((t, image) => ({ t, label: `image ${image} out` }));
  const spec: TopLevelSpec = {
    width: 760,
    config: FONT,
    layer: [
      {
        data: { values: pipeline.spans },
        mark: { type: 'rect', color: '#1f77b4' },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: 'timestep' },
          x2: { field: 'end' },
          y: { field: 'layer', type: 'nominal', sort: { field: 'order' }, title: null },
          opacity: {
            field: 'busyShare',
            type: 'quantitative',
            title: 'share of timesteps busy',
            scale: { domain: [0, 1] },
            legend: { orient: 'bottom', format: '.0%', titleLimit: 300 },
          },
          tooltip: [{ field: 'layer' }, { field: 'start' }, { field: 'end' }, { field: 'busyShare', format: '.0%' }],
        },
      },
      {
        data: { values: outputs },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 3], color: '#444444' }, encoding: { x: { field: 't', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 0, fontSize: 10, aria: false },
            encoding: { x: { field: 't', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
  return {
    id: 'pipeline',
    title: 'Pipeline',
    caption:
      `The timesteps in which each layer's crossbars compute for the first ${pipeline.batch} images (Figures 3 and 4 of the ` +
      `paper), in bins of ${pipeline.binTimesteps} timestep${pipeline.binTimesteps === 1 ? '' : 's'}; ` +
      `darker is busier. Dashed lines mark each image's output.`,
    spec,
    rows: pipeline.spans.length,
  };
}

function batchChart(points: ReportData['batchCurve']): Chart {
  const spec: TopLevelSpec = {
    width: 360,
    height: 240,
    config: FONT,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'batch', type: 'quantitative', scale: { type: 'log' }, title: 'batch size (images)' },
      y: { field: 'throughputImagesPerSecond', type: 'quantitative', title: 'throughput (images/s)' },
      tooltip: [{ field: 'batch' }, { field: 'throughputImagesPerSecond', title: 'images/s' }, { field: 'batchTimesteps' }],
    },
  };
  return {
    id: 'batch',
    title: 'Throughput vs batch size',
    caption: 'Images per second for a batch sent back to back, from the dataflow simulation of this mapping.',
    spec,
    rows: points.length,
  };
}

function sweepChart(sweep: ReportData['sweep']): Chart {
  const spec: TopLevelSpec = {
    width: 360,
    height: 240,
    config: FONT,
    data: { values: sweep.points },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'cores', type: 'quantitative', scale: { zero: false, padding: 20 }, axis: { tickMinStep: 1, format: 'd' }, title: 'cores' },
          y: { field: 'throughputImagesPerSecond', type: 'quantitative', title: 'throughput (images/s)' },
          color: { field: 'warnings', type: 'nominal', title: 'warnings', scale: { scheme: 'category10' } },
          tooltip: [{ field: 'replicas' }, { field: 'cores' }, { field: 'throughputImagesPerSecond' }, { field: 'latencyTimesteps' }],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 5, dy: -5, fontSize: 9, aria: false },
        encoding: {
          x: { field: 'cores', type: 'quantitative' },
          y: { field: 'throughputImagesPerSecond', type: 'quantitative' },
          text: { field: 'replicas' },
        },
      },
    ],
  };
  return {
    id: 'sweep',
    title: 'Throughput vs cores',
    caption:
      `Replicas per stage (${sweep.stages.join(' / ')} output planes, labels) against cores and throughput, as ` +
      `\`imcc simulate --sweep\` (Figure 10 of the paper)` +
      (sweep.skipped > 0 ? `; ${sweep.skipped} combinations do not fit the grid and are not shown.` : '.'),
    spec,
    rows: sweep.points.length,
  };
}

function memoryChart(bars: ReportData['memory']): Chart {
  const spec: TopLevelSpec = {
    config: FONT,
    data: { values: bars },
    mark: 'bar',
    width: { step: 8 },
    height: 200,
    encoding: {
      x: { field: 'core', type: 'nominal', title: 'core', sort: null },
      xOffset: { field: 'measure', type: 'nominal', sort: null },
      y: { field: 'pixels', type: 'quantitative', title: 'input pixels' },
      color: { field: 'measure', type: 'nominal', title: null, sort: null, scale: { range: ['#c7c7c7', '#1f77b4', '#ff7f0e'] } },
      tooltip: [{ field: 'core' }, { field: 'layer' }, { field: 'measure' }, { field: 'pixels' }],
    },
  };
  return {
    id: 'memory',
    title: 'Input-memory occupancy',
    caption:
      "Per core: the input pixels its memory stores (H x F, section 2.4.2), the most the simulation saw held at once, " +
      "and the paper's minimum occupancy.",
    spec,
    rows: bars.length,
  };
}

export function reportCharts(data: ReportData): Chart[] {
  return [gridChart(data.grid), pipelineChart(data.pipeline), batchChart(data.batchCurve), sweepChart(data.sweep), memoryChart(data.memory)];
}
