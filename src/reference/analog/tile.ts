// The analog tile: a drop-in for the ideal tile matrix-vector product of the reference model. It takes the same
// inputs (the tile's integer weight rectangle of the collective kernel matrix and the integer input of each row) and
// returns the column accumulations on the same integer scale, which then pass through the same ADC
// (src/reference/arithmetic.ts adcConvert). With no programming error, no read noise and no parasitic resistance the
// result is exactly the integer product whenever the device levels represent every weight (see levelsPerWeight).
//
// Mapping (docs/analog.md "The analog tile model"):
//  - weights w in [-wmax, wmax], wmax = 2^(wb-1) - 1; device levels L, normalized conductance g = G / gMax,
//    level spacing dg = (1 - gMin/gMax) / (L - 1);
//  - differential: G+ at level round(max(w,0) (L-1)/wmax), G- at level round(max(-w,0) (L-1)/wmax), output I+ - I-;
//    offset: one device at level round((w + wmax)(L-1)/(2 wmax)), the zero weight's current subtracted digitally;
//  - inputs x (signed a-bit) become row voltages u = x / 2^(a-1) (in units of the read voltage);
//  - programming error: fixed per device, g += sigma * N(0,1) * (gMax or g), clipped at 0, seeded per tile;
//  - read noise: fresh per read, same model; a column's noise is the sum of its devices' independent Gaussian
//    terms, drawn as one Gaussian with variance sum_i u_i^2 sigma_i^2 (the same distribution, one draw per column);
//  - source, neuron and wire resistance: the fast effective-conductance model (./circuit.ts), or the exact nodal
//    solve when asked (small tiles: tests and sweeps).
import type { DeviceModel } from '../../ir/types.js';
import { type CrossbarResistances, NodalCrossbar, effectiveConductance, hasParasitics, idealCurrents } from './circuit.js';
import { type NormalSource, normalStream } from './random.js';

export type AnalogDevice = Omit<DeviceModel, 'span'>;

/** A device with no non-ideality: what a target without a `device` block means for the analog model. */
export function idealDevice(levels: number): AnalogDevice {
  return {
    gMin: 1e-6,
    gMax: 1e-4,
    levels,
    encoding: 'differential',
    programmingError: { sigma: 0, model: 'independent' },
    readNoise: { sigma: 0, model: 'independent' },
    sourceResistance: 0,
    neuronResistance: 0,
    wireResistanceRow: 0,
    wireResistanceCol: 0,
    readVoltage: 0.1,
  };
}

export type ParasiticModel = 'fast' | 'nodal';

export interface AnalogOptions {
  device: AnalogDevice;
  weightBits: number;
  /** Bits of the tile's input activations. */
  activationBits: number;
  /** Seed of the programming error (the analysis seed). */
  seed: number;
  /** Names the tile in the seeded streams (a core id), so tiles get independent devices. */
  key: string;
  parasitics?: ParasiticModel;
}

interface PhysicalArray {
  /** +1 for the positive (or only) array, -1 for the negative array of a differential pair. */
  sign: 1 | -1;
  /** Target conductances (normalized), after level quantization. */
  target: Float64Array;
  /** Programmed conductances: target plus the fixed programming error. */
  programmed: Float64Array;
  /** What a read sees: the programmed conductances through the fast parasitic model (or programmed, if none). */
  effective: Float64Array;
  nodal: NodalCrossbar | null;
}

export interface AnalogTile {
  rows: number;
  cols: number;
  options: AnalogOptions;
  /** Exact part: sum_i x_i * levelDifference(i,j) is the ideal product in level units. Row-major. */
  levelDifference: Float64Array;
  /**
   * Accumulator (weight) units per level unit = weightSpan / (L-1): wmax differential, 2 wmax offset. Kept as a
   * fraction so the ideal product is converted by one exact multiply and one exact division.
   */
  weightSpan: number;
  /** Offset encoding: the zero weight's level (possibly half-integer); 0 for differential. */
  zeroLevel: number;
  arrays: PhysicalArray[];
  /** Per-device read noise variance coefficients (normalized conductance^2), summed over the arrays, or null. */
  readVariance: Float64Array | null;
  /**
   * Fast path (no nodal arrays): levelDifference plus every array's deviation (effective - target) in level units
   * per unit input x, so one matrix-vector product gives the analog columns in level units. Null when ideal.
   */
  combined: Float64Array | null;
  resistances: CrossbarResistances;
  /** True when every read returns the exact level product (no programming error, noise or parasitics). */
  ideal: boolean;
}

/** Largest weight magnitude of signed `weightBits` weights (symmetric range). */
export function weightMax(weightBits: number): number {
  return 2 ** (weightBits - 1) - 1;
}

/** Device levels used per weight unit; an integer >= 1 means every weight is represented exactly. */
export function levelsPerWeight(device: Pick<AnalogDevice, 'levels' | 'encoding'>, weightBits: number): number {
  const wmax = weightMax(weightBits);
  return device.encoding === 'differential' ? (device.levels - 1) / wmax : (device.levels - 1) / (2 * wmax);
}

/** Normalized crossbar resistances (R * gMax). */
export function normalizedResistances(device: AnalogDevice): CrossbarResistances {
  return {
    source: device.sourceResistance * device.gMax,
    neuron: device.neuronResistance * device.gMax,
    row: device.wireResistanceRow * device.gMax,
    col: device.wireResistanceCol * device.gMax,
  };
}

/** Programs a tile's weight rectangle (row-major rows x cols integers) onto devices. */
export function programTile(weights: ArrayLike<number>, rows: number, cols: number, options: AnalogOptions): AnalogTile {
  const { device, weightBits } = options;
  const wmax = weightMax(weightBits);
  const steps = device.levels - 1;
  const gMinN = device.gMin / device.gMax;
  const dg = (1 - gMinN) / steps;
  const n = rows * cols;
  const differential = device.encoding === 'differential';
  const levelDifference = new Float64Array(n);
  const pos = new Float64Array(n);
  const neg = differential ? new Float64Array(n) : null;
  const zeroLevel = differential ? 0 : steps / 2;
  for (let k = 0; k < n; k++) {
    const w = weights[k];
    if (differential) {
      const lp = Math.round((Math.max(w, 0) * steps) / wmax);
      const ln = Math.round((Math.max(-w, 0) * steps) / wmax);
      levelDifference[k] = lp - ln;
      pos[k] = gMinN + lp * dg;
      neg![k] = gMinN + ln * dg;
    } else {
      const l = Math.round(((w + wmax) * steps) / (2 * wmax));
      levelDifference[k] = l - zeroLevel;
      pos[k] = gMinN + l * dg;
    }
  }
  const resistances = normalizedResistances(device);
  const parasitic = hasParasitics(resistances);
  const model = options.parasitics ?? 'fast';
  const targets: Array<[1 | -1, Float64Array]> = neg ? [[1, pos], [-1, neg]] : [[1, pos]];
  const arrays: PhysicalArray[] = targets.map(([sign, target], index) => {
    const programmed = programDevices(target, device.programmingError, normalStream(options.seed, `program:${options.key}:${index}`));
    return {
      sign,
      target,
      programmed,
      effective: parasitic && model === 'fast' ? effectiveConductance(programmed, rows, cols, resistances) : programmed,
      nodal: parasitic && model === 'nodal' ? new NodalCrossbar(programmed, rows, cols, resistances) : null,
    };
  });
  let readVariance: Float64Array | null = null;
  if (device.readNoise.sigma > 0) {
    readVariance = new Float64Array(n);
    const s2 = device.readNoise.sigma ** 2;
    for (const a of arrays) {
      for (let k = 0; k < n; k++) readVariance[k] += device.readNoise.model === 'proportional' ? s2 * a.programmed[k] ** 2 : s2;
    }
  }
  const ideal = device.programmingError.sigma === 0 && readVariance === null && !parasitic;
  let combined: Float64Array | null = null;
  if (!ideal && model === 'fast') {
    // Per unit input x (u = x / 2^(a-1)): level units = (u * xScale) * conductance / dg = x * conductance / dg.
    combined = Float64Array.from(levelDifference);
    for (const a of arrays) {
      for (let k = 0; k < n; k++) combined[k] += (a.sign * (a.effective[k] - a.target[k])) / dg;
    }
  }
  return {
    rows,
    cols,
    options,
    levelDifference,
    combined,
    weightSpan: differential ? wmax : 2 * wmax,
    zeroLevel,
    arrays,
    readVariance,
    resistances,
    ideal,
  };
}

function programDevices(target: Float64Array, error: AnalogDevice['programmingError'], normal: NormalSource): Float64Array {
  if (error.sigma === 0) return target;
  const out = new Float64Array(target.length);
  for (let k = 0; k < target.length; k++) {
    const scale = error.model === 'proportional' ? target[k] : 1;
    out[k] = Math.max(0, target[k] + error.sigma * scale * normal.next());
  }
  return out;
}

/**
 * One read of the tile: column values on the accumulator (integer) scale, real-valued. `noise` supplies the read
 * noise draws (required when the device has read noise).
 */
export function analogColumns(tile: AnalogTile, input: ArrayLike<number>, noise: NormalSource | null): Float64Array {
  const { rows, cols } = tile;
  const xScale = 2 ** (tile.options.activationBits - 1);
  const steps = tile.options.device.levels - 1;
  const dg = (1 - tile.options.device.gMin / tile.options.device.gMax) / steps;
  // Exact part in level units (the combined fast path includes it).
  const levels = new Float64Array(cols);
  for (let i = 0; i < rows && !tile.combined; i++) {
    const x = input[i];
    if (x === 0) continue;
    const base = i * cols;
    for (let j = 0; j < cols; j++) levels[j] += x * tile.levelDifference[base + j];
  }
  if (!tile.ideal) {
    let variance: Float64Array | null = null;
    if (tile.combined) {
      // One pass over the rows accumulates the product and the read noise variance: the same sums, in the same
      // order, as two idealCurrents calls, without their per-row loop overhead twice (tiles are often 8 columns).
      const combined = tile.combined;
      const readVariance = tile.readVariance;
      if (readVariance) variance = new Float64Array(cols);
      for (let i = 0; i < rows; i++) {
        const x = input[i];
        if (x === 0) continue;
        const base = i * cols;
        for (let j = 0; j < cols; j++) levels[j] += x * combined[base + j];
        if (variance) {
          const ui = x / xScale;
          const u2 = ui * ui;
          for (let j = 0; j < cols; j++) variance[j] += u2 * readVariance![base + j];
        }
      }
    } else {
      const u = new Float64Array(rows);
      for (let i = 0; i < rows; i++) u[i] = input[i] / xScale;
      // Nodal arrays: each array's current minus its target's ideal current, converted to level units.
      for (const a of tile.arrays) {
        const actual = a.nodal ? a.nodal.currents(u) : idealCurrents(a.effective, rows, cols, u);
        const wanted = idealCurrents(a.target, rows, cols, u);
        for (let j = 0; j < cols; j++) levels[j] += (a.sign * (actual[j] - wanted[j]) * xScale) / dg;
      }
      if (tile.readVariance) {
        const u2 = new Float64Array(rows);
        for (let i = 0; i < rows; i++) u2[i] = u[i] * u[i];
        variance = idealCurrents(tile.readVariance, rows, cols, u2);
      }
    }
    if (variance) {
      if (!noise) throw new Error('analogColumns: the device has read noise but no noise source was given');
      for (let j = 0; j < cols; j++) levels[j] += (Math.sqrt(variance[j]) * noise.next() * xScale) / dg;
    }
  }
  const out = new Float64Array(cols);
  for (let j = 0; j < cols; j++) out[j] = (levels[j] * tile.weightSpan) / steps;
  return out;
}

/**
 * The drop-in for the reference's exact per-tile sum: the analog column values floored to integers. Flooring here
 * and then applying the ADC's floor(acc / 2^s) gives floor(value / 2^s), the ADC of the analog value.
 */
export function analogTileProduct(tile: AnalogTile, input: ArrayLike<number>, noise: NormalSource | null): Float64Array {
  const values = analogColumns(tile, input, noise);
  for (let j = 0; j < values.length; j++) values[j] = Math.floor(values[j]);
  return values;
}
