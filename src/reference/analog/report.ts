// The text report of `imcc analyze` (the --json form is the AnalogAnalysis object itself).
import type { AnalogAnalysis } from './analyze.js';

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line describing the device model (shared with `imcc evaluate --analog`). */
export function deviceSummary(d: AnalogAnalysis['device']): string {
  return d.ideal
    ? 'ideal devices (the target has no device block)'
    : `${d.encoding}, ${d.levels} levels, G ${Number(d.gMin.toPrecision(6))}..${Number(d.gMax.toPrecision(6))} S, programming error ${d.programmingError.sigma} ${d.programmingError.model}, ` +
        `read noise ${d.readNoise.sigma} ${d.readNoise.model}, Rs ${d.sourceResistance} Ohm, Rn ${d.neuronResistance} Ohm, ` +
        `wire ${d.wireResistanceRow}/${d.wireResistanceCol} Ohm, Vread ${d.readVoltage} V`;
}

export function analysisReport(a: AnalogAnalysis): string {
  const device = deviceSummary(a.device);
  const layers = table(
    ['layer', 'tiles', 'rows/tile', 'rms col err', 'rms col', 'rel err', 'after gain', 'rms act err', 'acts changed'],
    a.layers.map((l) => [
      l.layer,
      String(l.tiles),
      String(l.rowsPerTile),
      String(l.rmsColumnError),
      String(l.rmsColumnExact),
      pct(l.relativeColumnError),
      pct(l.relativeColumnErrorGainCorrected),
      String(l.rmsActivationError),
      pct(l.activationsChanged),
    ]),
  );
  const sweep = table(
    ['tile size', 'tiles', 'rel err (all)', 'rel err (resistance only)'],
    a.sweep.points.map((p) => [`${p.tileSize}x${p.tileSize}`, String(p.tiles), pct(p.relativeColumnError), pct(p.relativeColumnErrorResistanceOnly)]),
  );
  const o = a.overall;
  return [
    `analog model of ${a.network} on ${a.target}: ${a.samples} seeded input image(s), seed ${a.seed}`,
    `device: ${device}`,
    '',
    'Column outputs before the ADC (analog minus exact on the same tile input, accumulator units; "after gain": the',
    'relative error left after the best single gain per layer) and layer outputs (analog network minus exact, LSBs):',
    layers,
    '',
    `overall: rms column error ${o.rmsColumnError} of rms ${o.rmsColumnExact} (${pct(o.relativeColumnError)}); ` +
      `argmax agrees in ${o.argmaxAgreeing} of ${a.samples} image(s) (${pct(o.argmaxAgreement)}); rms output error ${o.rmsOutputError}`,
    '',
    `tile-size sweep on ${a.sweep.layer} (${a.sweep.matrixRows}x${a.sweep.matrixCols} kernel matrix, ${a.sweep.inputVectors} input vectors):`,
    sweep,
  ].join('\n');
}
