// Top-1 accuracy under the analog crossbar model (`imcc evaluate --analog`, docs/analog.md "Accuracy under the
// analog model"): the sweep parameters and their parsing, the device of a sweep point, the statistics over
// programming samples and the sweep's CSV. The per-image runs are in src/import/evaluate.ts.
import { DiagnosticError, diagnostic, type DiagnosticArgs } from '../../diagnostics/index.js';
import { renderTemplate } from '../../support/templates.js';
import { sig } from './analyze.js';
import type { AnalogDevice } from './tile.js';

/** What each sweep name sets on the device (the sigma of the design's model; its proportional/independent kind stays). */
export const SWEEP_PARAMETERS = {
  noise: 'the read noise sigma (read_noise)',
  variation: 'the programming error sigma (programming_error)',
} as const;

export type SweepParameter = keyof typeof SWEEP_PARAMETERS;

export interface SweepSpec {
  parameter: SweepParameter;
  values: number[];
}

/** A sigma above 10 (1000 %) is no device anyone measures; more points than this is a typo, not a curve. */
const MAX_SIGMA = 10;
export const MAX_SWEEP_POINTS = 1000;

/** The device of one sweep point: the design's device with the swept sigma replaced. */
export function sweptDevice(device: AnalogDevice, parameter: SweepParameter, value: number): AnalogDevice {
  return parameter === 'noise'
    ? { ...device, readNoise: { ...device.readNoise, sigma: value } }
    : { ...device, programmingError: { ...device.programmingError, sigma: value } };
}

/**
 * Parses NAME=START:STOP:STEP. Errors are positioned in the option's value, as `--sweep:1:col` with a caret (the
 * spec is the "source" quoted under the message).
 */
export function parseSweep(spec: string): SweepSpec {
  const fail = <C extends 'IMC150' | 'IMC151' | 'IMC152' | 'IMC153' | 'IMC225' | 'IMC226' | 'IMC227'>(code: C, column: number, length: number, args: DiagnosticArgs<C>): never => {
    throw new DiagnosticError([diagnostic(code, { file: '--sweep', line: 1, column, length: Math.max(1, length) }, args)], new Map([['--sweep', spec]]));
  };
  const eq = spec.indexOf('=');
  if (eq < 0) fail('IMC150', 1, spec.length, { form: 'NAME=START:STOP:STEP (for example noise=0:0.2:0.02)', found: spec });
  const name = spec.slice(0, eq);
  if (!Object.hasOwn(SWEEP_PARAMETERS, name)) {
    fail('IMC151', 1, name.length, { name, expected: Object.keys(SWEEP_PARAMETERS).join(' or ') });
  }
  const parts = spec.slice(eq + 1).split(':');
  if (parts.length !== 3) fail('IMC150', eq + 2, spec.length - eq - 1, { form: `START:STOP:STEP after '${name}='`, found: spec.slice(eq + 1) });
  const numbers: number[] = [];
  let column = eq + 2;
  for (const [i, text] of parts.entries()) {
    const what = ['start', 'stop', 'step'][i];
    const value = /^\s*$/.test(text) ? NaN : Number(text);
    if (!Number.isFinite(value)) fail('IMC152', column, text.length, { what, text });
    if (value < 0 || value > MAX_SIGMA) fail('IMC225', column, text.length, { what, text, max: MAX_SIGMA });
    numbers.push(value);
    column += text.length + 1;
  }
  const [start, stop, step] = numbers;
  const stepColumn = spec.length - parts[2].length + 1;
  if (stop < start) fail('IMC153', eq + 2, spec.length - eq - 1, { stop, start });
  if (step === 0 && stop !== start) fail('IMC226', stepColumn, parts[2].length, {});
  // A small tolerance so 0:0.2:0.02 includes 0.2 despite binary rounding.
  const count = step === 0 ? 1 : Math.floor((stop - start) / step + 1e-9) + 1;
  if (count > MAX_SWEEP_POINTS) fail('IMC227', stepColumn, parts[2].length, { count, max: MAX_SWEEP_POINTS });
  const values = Array.from({ length: count }, (_, i) => Number((start + i * step).toPrecision(12)));
  return { parameter: name as SweepParameter, values };
}

export interface Top1Spread {
  mean: number;
  /** Sample standard deviation over the programming samples (n - 1 in the denominator; 0 for one sample). */
  std: number;
  min: number;
  max: number;
}

export function top1Spread(perSample: readonly number[]): Top1Spread {
  const n = perSample.length;
  const mean = perSample.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? 0 : perSample.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean: sig(mean), std: sig(Math.sqrt(variance)), min: sig(Math.min(...perSample)), max: sig(Math.max(...perSample)) };
}

export interface SweepPointResult {
  value: number;
  top1Mean: number;
  top1Std: number;
  top1Min: number;
  top1Max: number;
  samples: number;
}

/** The sweep as CSV: a header naming the swept parameter, then one row per point. */
export function sweepCsv(parameter: SweepParameter, points: readonly SweepPointResult[]): string {
  const header = [parameter, 'top1Mean', 'top1Std', 'top1Min', 'top1Max', 'samples'].join(',');
  const lines = points.map((p) => [p.value, p.top1Mean, p.top1Std, p.top1Min, p.top1Max, p.samples].join(','));
  return renderTemplate('evaluate/sweep.csv.hbs', { header, lines });
}
