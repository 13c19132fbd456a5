// The reference model's exactness rule (src/reference/exactness.ts): which layers compute in BigInt, the BigInt forms
// of the arithmetic against a BigInt oracle at the edges of 2^53, and both paths agreeing wherever both are exact.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adcConvert,
  adcConvertExact,
  batchNormFixed,
  clampSignedExact,
  requantize,
  requantizeExact,
  requantizeRange,
  roundedAverage,
  roundedAverageExact,
} from '../../src/reference/arithmetic.js';
import {
  DOUBLE_EXACT_LIMIT,
  doublesHold,
  dotProductBound,
  layerArithmetic,
  partialSumBound,
  requantizeBound,
  sumFitsDoubles,
} from '../../src/reference/exactness.js';
import { runColumnSums, runColumnSumsExact, runScratch, runWeightIndex } from '../../src/reference/columnSums.js';
import { directWeightLayer, directWeightLayerExact } from '../../src/reference/plain.js';
import { layerParameters } from '../../src/reference/network.js';
import { globalAvgPoolTensor } from '../../src/reference/ops.js';
import { compileReference, plainInference, runReference } from '../../src/reference/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { producerOf } from '../../src/ir/nodeIndex.js';
import { mulberry32, uniformInt } from '../../src/ir/weights.js';
import type { IrDesign } from '../../src/ir/types.js';
import { firstDifference } from './compare.js';
import { buildRandomNet, randomNetSpec, weightLayers } from './fixtures.js';

const TWO53 = 2n ** 53n;

/** The oracle: floor(a / b) for b > 0, by BigInt division (which truncates) corrected for negative remainders. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function clampOracle(v: bigint, bits: number): number {
  const hi = 2n ** BigInt(bits - 1) - 1n;
  const lo = -(2n ** BigInt(bits - 1));
  return Number(v < lo ? lo : v > hi ? hi : v);
}

function requantOracle(y: bigint, shift: number, bits: number): number {
  return clampOracle(shift === 0 ? y : floorDiv(y + 2n ** BigInt(shift - 1), 2n ** BigInt(shift)), bits);
}

/** Every value within 2^d of the edge 2^53, on both sides and negated. */
const EDGES = [-2n, -1n, 0n, 1n, 2n].flatMap((d) => [TWO53 + d, -(TWO53 + d)]);

function signedImage(design: IrDesign, seed: number): Int32Array {
  const input = design.network.nodes[0];
  const next = mulberry32(seed);
  const half = 2 ** (input.activationBits - 1);
  return Int32Array.from({ length: input.shape.channels * input.shape.height * input.shape.width }, () => uniformInt(next, -half, half - 1));
}

describe('the exactness rule', () => {
  it('numbers hold every integer up to 2^53 and not 2^53 + 1', () => {
    expect(DOUBLE_EXACT_LIMIT).toBe(TWO53);
    expect(doublesHold(TWO53)).toBe(true);
    expect(doublesHold(TWO53 + 1n)).toBe(false);
    expect(Number(TWO53 + 1n)).toBe(Number(TWO53));
  });

  it('bounds: dot products, partial sums, and the requantization with its own batch-norm constants', () => {
    expect(dotProductBound(9, 8, 8)).toBe(9n * 2n ** 14n);
    expect(dotProductBound(18, 32, 32)).toBe(18n * 2n ** 62n);
    // A 1-bit (threshold) input is 0 or 1.
    expect(dotProductBound(5, 1, 4)).toBe(5n * 8n);
    // Two row parts of 12-bit codes shifted by 3: saturated codes (2^11 * 2^3), or column sums of at most 1000 + 2^3.
    expect(partialSumBound(2, 12, 3, 2n ** 20n)).toBe(2n * 2n ** 14n);
    expect(partialSumBound(2, 12, 3, 1000n)).toBe(2n * 1008n);
    expect(requantizeBound(1000n, 0)).toBe(1000n);
    expect(requantizeBound(1000n, 4)).toBe(1008n);
    expect(requantizeBound(1000n, 4, { scale: Int32Array.from([3, -7]), bias: Float64Array.from([5, -100]) })).toBe(1000n * 7n + 100n + 8n);
  });

  it('switches a layer to BigInt exactly when a bound passes 2^53', () => {
    const at = (columnSum: bigint, accumulator: bigint, requantShift: number, bn?: { scale: number; bias: number }) =>
      layerArithmetic({
        columnSum,
        accumulator,
        requantShift,
        batchNorm: bn && { scale: Int32Array.of(bn.scale), bias: Float64Array.of(bn.bias) },
      });
    expect(at(TWO53, 1n, 0)).toEqual({ columnSums: 'number', neuron: 'number' });
    expect(at(TWO53 + 1n, 1n, 0)).toEqual({ columnSums: 'bigint', neuron: 'number' });
    expect(at(1n, TWO53 - 2n ** 9n, 10)).toEqual({ columnSums: 'number', neuron: 'number' });
    expect(at(1n, TWO53 - 2n ** 9n + 1n, 10)).toEqual({ columnSums: 'number', neuron: 'bigint' });
    // With a batch norm: |P| * 63 + 1000 + 2^9 at most 2^53.
    const p = (TWO53 - 1000n - 512n) / 63n;
    const slack = TWO53 - (p * 63n + 1000n + 512n);
    expect(at(1n, p, 10, { scale: -63, bias: 1000 - Number(slack) - 1 }).neuron).toBe('number');
    expect(at(1n, p, 10, { scale: -63, bias: 1000 + Number(slack) }).neuron).toBe('number');
    expect(at(1n, p, 10, { scale: -63, bias: 1000 + Number(slack) + 1 }).neuron).toBe('bigint');
    expect(sumFitsDoubles(2 ** 22, 2 ** 31)).toBe(true);
    expect(sumFitsDoubles(2 ** 22 + 1, 2 ** 31)).toBe(false);
  });

  it('keeps every ResNet-32 layer on the number loops (the fast path)', () => {
    const { design } = loadDesign('examples/resnet32.imc');
    const ref = compileReference(design!, mapDesign(design!));
    expect([...ref.layers.values()].every((l) => l.arithmetic.columnSums === 'number' && l.arithmetic.neuron === 'number')).toBe(true);
  });
});

describe('the BigInt forms against a BigInt oracle at the edges', () => {
  it('requantization at 2^53 +- 1, negative, for several shifts and widths', () => {
    for (const y of EDGES) {
      for (const shift of [0, 1, 22, 23, 30, 48]) {
        for (const bits of [8, 32]) expect(requantizeExact(y, shift, bits), `${y} >> ${shift}, ${bits} bits`).toBe(requantOracle(y, shift, bits));
      }
    }
  });

  it('requantization rounds half up, also past 2^53 where the number form rounds the tie wrongly', () => {
    expect(requantizeExact(5n, 1, 8)).toBe(3);
    expect(requantizeExact(-5n, 1, 8)).toBe(-2);
    expect(requantizeExact(-6n, 2, 8)).toBe(-1);
    expect(requantizeExact(-7n, 2, 8)).toBe(-2);
    // y = 2^60 + 2^29 - 1 (just below the tie): 2^30; the tie itself rounds up to 2^30 + 1.
    expect(requantizeExact(2n ** 54n, 30, 32, 64, 2 ** 29 - 1)).toBe(2 ** 30);
    expect(requantizeExact(2n ** 54n, 30, 32, 64, 2 ** 29)).toBe(2 ** 30 + 1);
    // The number form loses the -1 (2^60 + 2^29 - 1 is not a double): why such a layer must be BigInt.
    const out = new Float64Array(1);
    requantizeRange(Float64Array.of(2 ** 54), out, 0, 1, 30, 32, 64, 2 ** 29 - 1);
    expect(out[0]).toBe(2 ** 30 + 1);
    // Negative ties round up too: -2^60 - 2^29 is -2^30 - 1/2, rounded to -2^30.
    expect(requantizeExact(-(2n ** 54n), 30, 32, 64, -(2 ** 29))).toBe(-(2 ** 30));
  });

  it('batch norm then requantization equals the oracle on products past 2^53', () => {
    const next = mulberry32(11);
    for (let i = 0; i < 200; i++) {
      const p = BigInt(uniformInt(next, -(2 ** 30), 2 ** 30)) * 2n ** BigInt(uniformInt(next, 0, 40));
      const scale = uniformInt(next, -(2 ** 15), 2 ** 15);
      const bias = uniformInt(next, -(2 ** 31), 2 ** 31 - 1);
      const shift = uniformInt(next, 0, 48);
      expect(requantizeExact(p, shift, 32, scale, bias)).toBe(requantOracle(p * BigInt(scale) + BigInt(bias), shift, 32));
    }
  });

  it('ADC conversion: floor shift and saturation of sums past 2^53', () => {
    for (const acc of [...EDGES, 2n ** 62n + 1n, -(2n ** 62n) - 1n]) {
      for (const shift of [0, 22, 31, 36]) {
        for (const bits of [12, 32]) {
          expect(Number(adcConvertExact(acc, { bits, shift, lossless: false }))).toBe(clampOracle(floorDiv(acc, 2n ** BigInt(shift)), bits));
        }
      }
    }
    expect(clampSignedExact(-(2n ** 70n), 32)).toBe(-(2 ** 31));
    expect(clampSignedExact(2n ** 31n, 32)).toBe(2 ** 31 - 1);
  });

  it('rounded average of sums past 2^53, negative ones floored', () => {
    for (const sum of [...EDGES, 7n, -7n, -8n, -9n]) {
      for (const count of [2, 3, 9, 49]) {
        expect(roundedAverageExact(sum, count)).toBe(Number(floorDiv(sum + BigInt(Math.floor(count / 2)), BigInt(count))));
      }
    }
  });

  it('a global average pool whose sum passes 2^53 sums in BigInt', () => {
    const values = [2 ** 52 + 1, 2 ** 52 + 1, 1];
    const t = { shape: { channels: 1, height: 1, width: 3 }, data: Float64Array.from(values) };
    const out = globalAvgPoolTensor(t, { channels: 1, height: 1, width: 1 });
    expect(out.data[0]).toBe(Number(floorDiv(2n ** 53n + 3n + 1n, 3n)));
  });
});

describe('both paths agree where both are exact', () => {
  it('property: scalar forms (requantization with batch norm, ADC, rounded average)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: -63, max: 63 }),
        fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 32 }),
        (p, scale, bias, shift, bits) => {
          expect(requantizeExact(BigInt(p), shift, bits, scale, bias)).toBe(requantize(batchNormFixed(p, scale, bias), shift, bits));
        },
      ),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -TWO53, max: TWO53 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 32 }), (acc, shift, bits) => {
        const adc = { bits, shift, lossless: false };
        expect(Number(adcConvertExact(acc, adc))).toBe(adcConvert(Number(acc), adc));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.integer({ min: 1, max: 5000 }), (sum, count) => {
        expect(roundedAverageExact(BigInt(sum), count)).toBe(roundedAverage(sum, count));
      }),
    );
  });

  it('property: column sums of a run (groups of 8, 4 and single columns)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 21 }), fc.integer({ min: 0, max: 1000 }), (n, cols, seed) => {
        const next = mulberry32(seed);
        const weights = new Float64Array(n * cols);
        for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) weights[runWeightIndex(i, c, n, cols)] = uniformInt(next, -127, 127);
        const xvec = Float64Array.from({ length: n + 2 }, () => uniformInt(next, -2, 2) * uniformInt(next, 0, 255));
        const run = { colOffset: 1, colCount: cols, rows: Int32Array.from({ length: n }, (_, i) => i + 2), weights };
        const sums = new Float64Array(cols + 1);
        runColumnSums(run, xvec, runScratch(n), sums);
        const exact = new Array<bigint>(cols + 1).fill(0n);
        runColumnSumsExact(run, xvec, exact);
        expect(exact.map(Number)).toEqual(Array.from(sums));
      }),
    );
  });

  it('property: random networks give the same values with every layer forced to BigInt (lossy ADCs, both models)', () => {
    fc.assert(
      fc.property(randomNetSpec, fc.integer({ min: 4, max: 12 }), fc.integer({ min: 0, max: 1000 }), (spec, adcBits, imageSeed) => {
        const design = buildRandomNet(spec, { adcBits, adcShift: 'auto' });
        const image = signedImage(design, imageSeed);
        const ref = compileReference(design, mapDesign(design));
        const numbers = runReference(ref, image);
        for (const layer of ref.layers.values()) layer.arithmetic = { columnSums: 'bigint', neuron: 'bigint' };
        const exact = runReference(ref, image);
        for (const node of design.network.nodes) {
          expect(firstDifference(exact.nodes.get(node.name)!.data, numbers.nodes.get(node.name)!.data), node.name).toBe(-1);
        }
        // The plain model's weight layers, on the plain model's own inputs.
        const plain = plainInference(design, image);
        const params = layerParameters(design);
        for (const node of weightLayers(design)) {
          const input = plain.nodes.get(producerOf(design.network, node).name)!;
          const fast = directWeightLayer(node, input, params.get(node.name)!, producerOf(design.network, node).activationBits);
          const big = directWeightLayerExact(node, input, params.get(node.name)!);
          expect(big.exact!.map(Number)).toEqual(Array.from(fast.data));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('property: 32-bit activations and weights (every layer BigInt): the mapped model with a lossless ADC equals plainInference', () => {
    let alive = 0;
    fc.assert(
      fc.property(randomNetSpec, fc.integer({ min: 0, max: 1000 }), (spec, imageSeed) => {
        // Requantization shifts of 36-48 keep the values alive (not saturated) after products of 2^62.
        const steps = spec.steps.map((s) => (s.kind === 'pool' ? s : { ...s, shift: s.shift + 36 }));
        const design = buildRandomNet({ ...spec, steps, fcShift: spec.fcShift + 36, bits: 32, weightBits: 32 }, { adcBits: 80 });
        const image = signedImage(design, imageSeed);
        const ref = compileReference(design, mapDesign(design));
        expect([...ref.layers.values()].every((l) => l.arithmetic.columnSums === 'bigint' && l.arithmetic.neuron === 'bigint')).toBe(true);
        const mapped = runReference(ref, image);
        const plain = plainInference(design, image);
        for (const node of design.network.nodes) {
          const a = plain.nodes.get(node.name)!;
          const b = mapped.nodes.get(node.name)!;
          if (a.exact) expect(b.exact, node.name).toEqual(a.exact);
          expect(firstDifference(b.data, a.data), node.name).toBe(-1);
        }
        alive += mapped.output.filter((v) => Math.abs(v) > 0 && Math.abs(v) < 2 ** 31 - 1).length;
      }),
      { numRuns: 40 },
    );
    // Outputs neither zero nor saturated occur: the requantization's kept bits are compared too.
    expect(alive).toBeGreaterThan(20);
  });
});
