// imcc analyze: the mapped network run through the analog tile model for K seeded input images, compared with the
// exact integer reference. The analog run is the reference's mapped model with its per-tile product replaced by
// analogTileProduct (ReferenceOptions.tileProduct), so everything after the tiles (ADC, partial sums, neuron core)
// is the reference's own arithmetic.
//
// Reported (docs/analog.md "The analog tile model"):
//  - per layer, the RMS error of the column outputs before the ADC (analog minus exact on the same tile input, in
//    accumulator units), relative to the RMS of the exact column outputs, and the RMS error of the layer's output
//    activations in the analog run (errors propagate from layer to layer) in activation LSBs;
//  - overall: the pooled RMS column error, and in how many of the K images the analog network's argmax equals the
//    exact one;
//  - a tile-size sweep on the layer with the tallest kernel matrix: the layer's collective kernel matrix split into
//    tiles of 64/128/256/512 rows and columns (balanced parts, as the mapping splits), each part a physical array,
//    driven with the inputs the layer receives, with all non-idealities and with resistance only.
import { inputNode } from '../../ir/nodeIndex.js';
import type { IrDesign } from '../../ir/types.js';
import { generateInputImage } from '../../ir/weights.js';
import type { Mapping } from '../../mapping/types.js';
import { balancedRanges } from '../../mapping/split.js';
import { compileReference, runReference, type TileWeights } from '../mapped.js';
import { analogColumns, analogTileProduct, programTile, type AnalogDevice } from './tile.js';
import { analogChip, designDevice, layerBits } from './chip.js';
import { normalStream } from './random.js';

export interface AnalyzeOptions {
  samples: number;
  seed: number;
  /** Tile sizes of the sweep (square tiles). */
  tileSizes?: number[];
}

export interface LayerAnalysis {
  layer: string;
  tiles: number;
  /** Rows of the tallest tile part of the layer. */
  rowsPerTile: number;
  /** Column reads compared (tile columns x blocks x samples). */
  columnReads: number;
  rmsColumnError: number;
  rmsColumnExact: number;
  relativeColumnError: number;
  /**
   * The relative error left after the best single gain for the layer (least squares: the analog values scaled by
   * one factor): the part of the error a per-layer calibration of the ADC range cannot remove.
   */
  relativeColumnErrorGainCorrected: number;
  /** RMS difference of the layer's output activations between the analog and the exact network (LSB). */
  rmsActivationError: number;
  /** Fraction of the layer's output activations that differ from the exact network. */
  activationsChanged: number;
}

export interface SweepPoint {
  tileSize: number;
  tiles: number;
  rmsColumnError: number;
  relativeColumnError: number;
  /** Same tiles with programming error and read noise switched off: source, neuron and wire resistance only. */
  relativeColumnErrorResistanceOnly: number;
}

export interface AnalogAnalysis {
  network: string;
  target: string;
  /** The device model used; `ideal` when the target has no `device` block. */
  device: (AnalogDevice & { ideal: boolean });
  samples: number;
  seed: number;
  parasiticModel: 'fast';
  layers: LayerAnalysis[];
  overall: {
    rmsColumnError: number;
    rmsColumnExact: number;
    relativeColumnError: number;
    argmaxAgreement: number;
    argmaxAgreeing: number;
    rmsOutputError: number;
  };
  sweep: { layer: string; matrixRows: number; matrixCols: number; inputVectors: number; points: SweepPoint[] };
}

export const DEFAULT_TILE_SIZES = [64, 128, 256, 512];

interface Accumulator {
  sumSquaredError: number;
  sumSquaredExact: number;
  /** sum analog * exact and sum analog^2, for the gain-corrected error. */
  sumCross: number;
  sumSquaredAnalog: number;
  count: number;
}

/** Relative RMS error after the least-squares gain c: min_c sum (c a - e)^2 = sum e^2 - (sum a e)^2 / sum a^2. */
function gainCorrected(acc: Accumulator): number {
  if (acc.sumSquaredExact === 0) return 0;
  const residual = acc.sumSquaredAnalog === 0 ? acc.sumSquaredExact : acc.sumSquaredExact - acc.sumCross ** 2 / acc.sumSquaredAnalog;
  return Math.sqrt(Math.max(0, residual) / acc.sumSquaredExact);
}

function rms(sum: number, count: number): number {
  return count === 0 ? 0 : Math.sqrt(sum / count);
}

/** Rounds to 6 significant digits so the JSON is short and stable. */
export function sig(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

function exactColumns(t: TileWeights, input: ArrayLike<number>): Float64Array {
  const out = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    const x = input[i];
    if (x === 0) continue;
    for (let j = 0; j < t.cols; j++) out[j] += x * t.weights[i * t.cols + j];
  }
  return out;
}

export function analyzeAnalog(design: IrDesign, mapping: Mapping, options: AnalyzeOptions): AnalogAnalysis {
  const crossbar = design.target.crossbar;
  const device = designDevice(design);
  const input = inputNode(design.network);
  const bitsOf = layerBits(design, mapping);
  const tileFor = analogChip(bitsOf, device, options.seed);

  // The sweep layer: tallest collective kernel matrix (largest fan-in), first in network order on ties.
  const sweepLayer = mapping.layers.reduce((a, b) => (b.matrix.rowSources.length > a.matrix.rowSources.length ? b : a));
  const coresById = new Map(mapping.cores.map((c) => [c.id, c]));
  const sweepRows = sweepLayer.matrix.rowSources.length;
  const sweepCols = sweepLayer.matrix.columnSinks.length;
  const sweepMatrix = new Int32Array(sweepRows * sweepCols);
  const sweepInputs: Int32Array[] = [];
  const MAX_SWEEP_VECTORS = 64;
  let sweepVector: Int32Array | null = null;

  const compiled = compileReference(design, mapping);
  const perLayer = new Map<string, Accumulator>(mapping.layers.map((l) => [l.layer, { sumSquaredError: 0, sumSquaredExact: 0, sumCross: 0, sumSquaredAnalog: 0, count: 0 }]));
  const activation = new Map<string, { sq: number; changed: number; count: number }>(
    mapping.layers.map((l) => [l.layer, { sq: 0, changed: 0, count: 0 }]),
  );
  let agreeing = 0;
  let outputSq = 0;
  let outputCount = 0;
  for (let k = 0; k < options.samples; k++) {
    const image = generateInputImage(options.seed + k, input.shape, input.activationBits);
    const exact = runReference(compiled, image);
    const noise = normalStream(options.seed, `read:${k}`);
    const analog = runReference(compiled, image, {
      tileProduct: (t, input) => {
        const tile = tileFor(t);
        const values = analogTileProduct(tile, input, noise);
        const ideal = exactColumns(t, input);
        const acc = perLayer.get(t.layer)!;
        for (let j = 0; j < t.cols; j++) {
          acc.sumSquaredError += (values[j] - ideal[j]) ** 2;
          acc.sumSquaredExact += ideal[j] ** 2;
          acc.sumCross += values[j] * ideal[j];
          acc.sumSquaredAnalog += values[j] ** 2;
        }
        acc.count += t.cols;
        if (k === 0 && t.layer === sweepLayer.layer && sweepInputs.length < MAX_SWEEP_VECTORS) {
          const part = coresById.get(t.core)!.part;
          if (part.rowPart === 0 && part.colPart === 0) {
            sweepVector = new Int32Array(sweepRows);
            sweepInputs.push(sweepVector);
          }
          for (let i = 0; i < t.rows; i++) {
            for (let j = 0; j < t.cols; j++) sweepMatrix[(part.rowStart + i) * sweepCols + part.colStart + j] = t.weights[i * t.cols + j];
            if (part.colPart === 0 && sweepVector) sweepVector[part.rowStart + i] = input[i];
          }
        }
        return values;
      },
    });
    if (analog.argmax === exact.argmax) agreeing++;
    for (let i = 0; i < exact.output.length; i++) outputSq += (analog.output[i] - exact.output[i]) ** 2;
    outputCount += exact.output.length;
    for (let li = 0; li < exact.layers.length; li++) {
      const e = exact.layers[li];
      const a = analog.layers[li];
      const s = activation.get(e.layer)!;
      for (let i = 0; i < e.activations.length; i++) {
        const d = a.activations[i] - e.activations[i];
        s.sq += d * d;
        if (d !== 0) s.changed++;
      }
      s.count += e.activations.length;
    }
  }

  let totalErr = 0;
  let totalExact = 0;
  let totalCount = 0;
  const layers: LayerAnalysis[] = mapping.layers.map((lm) => {
    const acc = perLayer.get(lm.layer)!;
    const act = activation.get(lm.layer)!;
    totalErr += acc.sumSquaredError;
    totalExact += acc.sumSquaredExact;
    totalCount += acc.count;
    const rowsPerTile = Math.max(...lm.cores.map((id) => {
      const p = coresById.get(id)!.part;
      return p.rowEnd - p.rowStart;
    }));
    const err = rms(acc.sumSquaredError, acc.count);
    const ex = rms(acc.sumSquaredExact, acc.count);
    return {
      layer: lm.layer,
      tiles: lm.cores.length,
      rowsPerTile,
      columnReads: acc.count,
      rmsColumnError: sig(err),
      rmsColumnExact: sig(ex),
      relativeColumnError: sig(ex === 0 ? 0 : err / ex),
      relativeColumnErrorGainCorrected: sig(gainCorrected(acc)),
      rmsActivationError: sig(rms(act.sq, act.count)),
      activationsChanged: sig(act.count === 0 ? 0 : act.changed / act.count),
    };
  });
  const overallErr = rms(totalErr, totalCount);
  const overallExact = rms(totalExact, totalCount);
  const sweepBits = bitsOf.get(sweepLayer.layer)!;
  return {
    network: design.network.name,
    target: design.target.name,
    device: { ...device, ideal: crossbar.device === undefined },
    samples: options.samples,
    seed: options.seed,
    parasiticModel: 'fast',
    layers,
    overall: {
      rmsColumnError: sig(overallErr),
      rmsColumnExact: sig(overallExact),
      relativeColumnError: sig(overallExact === 0 ? 0 : overallErr / overallExact),
      argmaxAgreement: sig(options.samples === 0 ? 0 : agreeing / options.samples),
      argmaxAgreeing: agreeing,
      rmsOutputError: sig(rms(outputSq, outputCount)),
    },
    sweep: {
      layer: sweepLayer.layer,
      matrixRows: sweepRows,
      matrixCols: sweepCols,
      inputVectors: sweepInputs.length,
      points: tileSizeSweep(sweepMatrix, sweepRows, sweepCols, sweepInputs, device, sweepBits, options),
    },
  };
}

/**
 * Splits a layer's matrix into balanced parts no larger than T x T (the mapping's split rule), programs each part
 * as its own array and compares the summed analog column values (before any ADC) with the exact product.
 */
export function tileSizeSweep(
  matrix: Int32Array,
  rows: number,
  cols: number,
  inputs: Int32Array[],
  device: AnalogDevice,
  bits: { weightBits: number; activationBits: number },
  options: AnalyzeOptions,
): SweepPoint[] {
  const quiet: AnalogDevice = {
    ...device,
    programmingError: { ...device.programmingError, sigma: 0 },
    readNoise: { ...device.readNoise, sigma: 0 },
  };
  return (options.tileSizes ?? DEFAULT_TILE_SIZES).map((size) => {
    const rowRanges = balancedRanges(rows, Math.ceil(rows / size));
    const colRanges = balancedRanges(cols, Math.ceil(cols / size));
    const measure = (dev: AnalogDevice, tag: string): { err: number; exact: number } => {
      const noise = normalStream(options.seed, `sweep:${size}:${tag}`);
      let err = 0;
      let exact = 0;
      let count = 0;
      const parts = rowRanges.flatMap(([r0, r1], ri) =>
        colRanges.map(([c0, c1], ci) => {
          const w = new Int32Array((r1 - r0) * (c1 - c0));
          for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) w[(i - r0) * (c1 - c0) + (j - c0)] = matrix[i * cols + j];
          return { r0, r1, c0, c1, tile: programTile(w, r1 - r0, c1 - c0, { device: dev, ...bits, seed: options.seed, key: `sweep:${size}:${ri}:${ci}` }) };
        }),
      );
      for (const x of inputs) {
        const analog = new Float64Array(cols);
        for (const p of parts) {
          const v = analogColumns(p.tile, x.subarray(p.r0, p.r1), noise);
          for (let j = 0; j < v.length; j++) analog[p.c0 + j] += v[j];
        }
        for (let j = 0; j < cols; j++) {
          let e = 0;
          for (let i = 0; i < rows; i++) e += matrix[i * cols + j] * x[i];
          err += (analog[j] - e) ** 2;
          exact += e * e;
          count++;
        }
      }
      return { err: rms(err, count), exact: rms(exact, count) };
    };
    const all = measure(device, 'all');
    const resistance = measure(quiet, 'resistance');
    return {
      tileSize: size,
      tiles: rowRanges.length * colRanges.length,
      rmsColumnError: sig(all.err),
      relativeColumnError: sig(all.exact === 0 ? 0 : all.err / all.exact),
      relativeColumnErrorResistanceOnly: sig(resistance.exact === 0 ? 0 : resistance.err / resistance.exact),
    };
  });
}
