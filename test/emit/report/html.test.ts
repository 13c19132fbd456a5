// report.html: well-formed, every chart drawn from data, deterministic, no absolute paths, the warnings of the
// compile listed, and links over the target's bandwidth in the warning colour with their load.
import { parse } from 'parse5';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { reportCharts, WARNING_COLOUR } from '../../../src/emit/report/charts.js';
import { reportData } from '../../../src/emit/report/data.js';
import { renderHtmlReport, reportInputs, BATCH_SIZES, PIPELINE_IMAGES } from '../../../src/emit/report/html.js';
import { renderSvg, startSvgDocument, withTitles } from '../../../src/emit/report/svg.js';
import { compileLenet } from './fixtures.js';

const lenet = compileLenet();
const slow = compileLenet('0.3Gbps');

function inputOf(result: ReturnType<typeof compileLenet>) {
  return {
    version: '0.1.0',
    entry: 'source/lenet.imc',
    program: result.program,
    warnings: result.warnings,
    displayPath: (f: string) => f,
  };
}

describe('report.html', () => {
  it('is well-formed HTML (no parse errors) with one figure per chart and the mapping table', () => {
    const errors: string[] = [];
    const doc = parse(lenet.html, { onParseError: (e) => errors.push(`${e.code} at line ${e.startLine}`) });
    expect(errors).toEqual([]);
    expect(doc.childNodes.some((n) => n.nodeName === '#documentType')).toBe(true);
    for (const id of ['grid', 'pipeline', 'batch', 'sweep', 'memory']) expect(lenet.html).toContain(`<figure id="chart-${id}">`);
    expect(lenet.html.match(/<svg /g)?.length).toBe(5);
    for (const layer of lenet.mapping.layers) expect(lenet.html).toContain(`<td>${layer.layer}</td>`);
    // Self-contained: no scripts, no external resources.
    expect(lenet.html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it('every chart has data, and its SVG draws that many marks', () => {
    const data = reportData(reportInputs(inputOf(lenet)));
    const charts = reportCharts(data);
    for (const chart of charts) expect(chart.rows, chart.id).toBeGreaterThan(0);
    expect(data.grid.cells.map((c) => c.core)).toEqual(lenet.mapping.cores.map((c) => c.id));
    expect(data.batchCurve.map((p) => p.batch)).toEqual(BATCH_SIZES);
    expect(data.batchCurve.at(-1)?.throughputImagesPerSecond).toBe(Math.round(lenet.dataflow.throughputImagesPerSecond));
    expect(data.pipeline.batch).toBe(PIPELINE_IMAGES);
    expect(data.memory).toHaveLength(3 * lenet.memory.cores.length);
    startSvgDocument();
    const grid = renderSvg(charts[0].spec);
    // One rect path per core in the cells' mark group, with the core id as text.
    for (const core of lenet.mapping.cores) expect(grid).toContain(`>${core.id}</text>`);
    const memory = renderSvg(charts[4].spec);
    expect(memory.match(/role-mark marks/g)?.length).toBeGreaterThan(0);
  });

  it('the pipeline covers every layer and ends at the last image output', () => {
    const data = reportData(reportInputs(inputOf(lenet)));
    expect(new Set(data.pipeline.spans.map((s) => s.layer))).toEqual(new Set(lenet.mapping.layers.map((l) => l.layer)));
    const last = data.pipeline.imageOutputs.at(-1)!;
    expect(Math.max(...data.pipeline.spans.map((s) => s.end))).toBeLessThanOrEqual(last + data.pipeline.binTimesteps);
    for (const s of data.pipeline.spans) expect(s.busyShare).toBeGreaterThan(0);
  });

  it('draws links over the target bandwidth in the warning colour, labelled with their load, and lists the IMC090 warning', () => {
    expect(slow.warnings.map((w) => w.code)).toContain('IMC090');
    const data = reportData(reportInputs(inputOf(slow)));
    const over = data.grid.links.filter((l) => l.overBandwidth);
    expect(over.length).toBeGreaterThan(0);
    for (const l of over) expect(l.gbps).toBeGreaterThan(0.3);
    const warningLines = (html: string) => html.match(new RegExp(`<line[^>]*stroke="${WARNING_COLOUR}"`, 'g'))?.length ?? 0;
    expect(warningLines(slow.html)).toBe(over.length);
    for (const l of over) expect(slow.html).toContain(`>${l.gbps} Gb/s</text>`);
    // Hover text of an over-bandwidth link: its ends, kind and load.
    const l = over[0];
    expect(slow.html).toMatch(new RegExp(`<title>[^<]*from: ${l.from}; to: ${l.to}; kind: ${l.kind}; Gb/s: ${l.gbps}</title>`));
    expect(slow.html).toMatch(/<li class="warning">[^<]*lenet\.imc:\d+:\d+: warning IMC090: link /);
    expect(warningLines(lenet.html)).toBe(0);
    expect(lenet.html).toContain('<p id="warnings">None.</p>');
  });

  it('is byte-identical on every run and holds no absolute path', () => {
    const again = compileLenet();
    expect(again.html).toBe(lenet.html);
    expect(lenet.html).not.toContain(process.cwd());
    expect(slow.html).not.toContain('/tmp');
    expect(renderHtmlReport(inputOf(lenet))).toBe(lenet.html);
  });

  it('renders SVG synchronously exactly as vega view.toSVG() does (plus hover titles)', async () => {
    const spec = reportCharts(reportData(reportInputs(inputOf(lenet))))[2].spec;
    startSvgDocument();
    const sync = renderSvg(spec);
    vega.resetSVGDefIds();
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    expect(sync === withTitles(await view.toSVG())).toBe(true);
    expect(sync).toContain('<title>batch size (images): 1; ');
  });
});
