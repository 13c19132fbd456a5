// The analog tile model's limits: with no non-ideality it is the exact integer product (so it is a true drop-in for
// the reference's tile product); programming error and read noise show up with the configured standard deviation;
// resistance lowers the output the way the circuit models say.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analogColumns, analogTileProduct, idealDevice, levelsPerWeight, programTile, type AnalogDevice } from '../../../src/reference/analog/tile.js';
import { normalStream } from '../../../src/reference/analog/random.js';

function exactProduct(w: number[], rows: number, cols: number, x: number[]): number[] {
  const out = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += w[i * cols + j] * x[i];
  return out;
}

function device(over: Partial<AnalogDevice>): AnalogDevice {
  return { ...idealDevice(255), ...over };
}

describe('no noise, no parasitics: the exact integer product', () => {
  it('differential pair, 8-bit weights on 255-level devices, 8-bit inputs (property)', () => {
    expect(levelsPerWeight({ levels: 255, encoding: 'differential' }, 8)).toBe(2);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 144, maxLength: 144 }),
        fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 12, maxLength: 12 }),
        (rows, cols, wAll, xAll) => {
          const w = wAll.slice(0, rows * cols);
          const x = xAll.slice(0, rows);
          const tile = programTile(w, rows, cols, { device: device({}), weightBits: 8, activationBits: 8, seed: 1, key: 't' });
          expect(tile.ideal).toBe(true);
          expect(Array.from(analogTileProduct(tile, x, null))).toEqual(exactProduct(w, rows, cols, x));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('offset encoding, 4-bit weights (wmax 7) on 15-level devices: zero at level 7, exact', () => {
    const d = device({ levels: 15, encoding: 'offset' });
    expect(levelsPerWeight(d, 4)).toBe(1);
    const w = [-7, 0, 7, 3, -2, 5];
    const x = [3, -4];
    const tile = programTile(w, 2, 3, { device: d, weightBits: 4, activationBits: 4, seed: 1, key: 't' });
    expect(Array.from(analogTileProduct(tile, x, null))).toEqual(exactProduct(w, 2, 3, x));
  });

  it('too few levels quantize the weights: 8-bit weights on 16-level devices round to multiples of 127/15', () => {
    const d = device({ levels: 16 });
    const tile = programTile([100], 1, 1, { device: d, weightBits: 8, activationBits: 8, seed: 1, key: 't' });
    // level round(100 * 15 / 127) = 12, weight 12 * 127 / 15 = 101.6; input 1 -> 101.6
    expect(analogColumns(tile, [1], null)[0]).toBeCloseTo(101.6, 12);
  });
});

function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

describe('noise magnitude equals the configured standard deviation', () => {
  // With gMin = 0, L = 255 levels and 8-bit weights (wmax = 127), a conductance of one gMax is 127 weight units per
  // unit input u; the input x = 128 is u = 1 (full scale), so a conductance error of e * gMax moves the output by
  // e * 127 * 128 accumulator units. With gMin = g0 * gMax the span is (1 - g0) gMax: e * 127 * 128 / (1 - g0).
  const d = device({ gMin: 0, gMax: 1e-4 });
  const unit = 127 * 128;
  it('read noise, independent model: sd = sigma * gMax per device, fresh on every read', () => {
    const sigma = 0.01;
    const tile = programTile([63], 1, 1, {
      device: { ...d, readNoise: { sigma, model: 'independent' } },
      weightBits: 8,
      activationBits: 8,
      seed: 3,
      key: 't',
    });
    const noise = normalStream(7, 'reads');
    const samples = Array.from({ length: 20000 }, () => analogColumns(tile, [128], noise)[0]);
    const { mean, sd } = stats(samples);
    // Two devices (G+ and G-) each with sd sigma * gMax: the column's sd is sqrt(2) sigma gMax.
    const expected = Math.SQRT2 * sigma * unit;
    expect(sd / expected).toBeGreaterThan(0.98);
    expect(sd / expected).toBeLessThan(1.02);
    expect(Math.abs(mean - 63 * 128)).toBeLessThan(3 * (expected / Math.sqrt(20000)));
  });

  it('read noise, proportional model: sd = sigma * G of each device', () => {
    const sigma = 0.02;
    const tile = programTile([127], 1, 1, {
      device: { ...d, readNoise: { sigma, model: 'proportional' } },
      weightBits: 8,
      activationBits: 8,
      seed: 3,
      key: 't',
    });
    const noise = normalStream(8, 'reads');
    const { sd } = stats(Array.from({ length: 20000 }, () => analogColumns(tile, [128], noise)[0]));
    // G+ = gMax (sd sigma gMax), G- = 0 (no noise): sd = sigma * unit.
    const expected = sigma * unit;
    expect(sd / expected).toBeGreaterThan(0.98);
    expect(sd / expected).toBeLessThan(1.02);
  });

  it('programming error: fixed per device (same seed, same tile), spread sigma * gMax across devices', () => {
    const sigma = 0.03;
    const n = 2000;
    const w = new Array<number>(n).fill(63);
    // gMin = 0.2 gMax keeps every device far from 0 (errors are clipped at 0 conductance).
    const opts = {
      device: { ...d, gMin: 0.2e-4, programmingError: { sigma, model: 'independent' as const } },
      weightBits: 8,
      activationBits: 8,
      seed: 11,
      key: 'c05',
    };
    const tile = programTile(w, n, 1, opts);
    // Read each device pair alone (one-hot input): no read noise, so a repeated read is identical.
    const oneHot = (k: number): number[] => {
      const x = new Array<number>(n).fill(0);
      x[k] = 128;
      return x;
    };
    const values = Array.from({ length: n }, (_, k) => analogColumns(tile, oneHot(k), null)[0]);
    expect(analogColumns(tile, oneHot(5), null)[0]).toBe(values[5]);
    expect(analogColumns(programTile(w, n, 1, opts), oneHot(5), null)[0]).toBe(values[5]);
    expect(analogColumns(programTile(w, n, 1, { ...opts, key: 'c06' }), oneHot(5), null)[0]).not.toBe(values[5]);
    const { mean, sd } = stats(values);
    const expected = (Math.SQRT2 * sigma * unit) / 0.8;
    expect(sd / expected).toBeGreaterThan(0.95);
    expect(sd / expected).toBeLessThan(1.05);
    expect(Math.abs(mean - 63 * 128)).toBeLessThan(4 * (expected / Math.sqrt(n)));
  });
});

describe('parasitic resistance through the tile model', () => {
  it('the fast model and the nodal solve agree on a 16x16 tile; both lower positive outputs', () => {
    const rows = 16;
    const cols = 16;
    const w = Array.from({ length: rows * cols }, (_, k) => ((k * 37) % 255) - 127);
    const x = Array.from({ length: rows }, (_, k) => (k * 11) % 128);
    const dev = device({ sourceResistance: 100, neuronResistance: 100, wireResistanceRow: 1, wireResistanceCol: 1 });
    const base = { device: dev, weightBits: 8, activationBits: 8, seed: 1, key: 't' };
    const fast = analogColumns(programTile(w, rows, cols, { ...base, parasitics: 'fast' }), x, null);
    const nodal = analogColumns(programTile(w, rows, cols, { ...base, parasitics: 'nodal' }), x, null);
    const ideal = exactProduct(w, rows, cols, x);
    const scale = Math.max(...ideal.map(Math.abs));
    for (let j = 0; j < cols; j++) {
      expect(Math.abs(fast[j] - nodal[j]) / scale).toBeLessThan(0.005);
    }
    const big = ideal.indexOf(Math.max(...ideal));
    expect(nodal[big]).toBeLessThan(ideal[big]);
  });
});
