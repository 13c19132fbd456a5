// A datapath whose requantization keeps values past 2^53 (issue 19; the RTL generator refused it with IMC112 while
// the reference model computed in doubles): 32-bit activations and weights, column sums up to 2^66, accumulators up to
// 2^74. The reference model computes such layers in BigInt (src/reference/exactness.ts), so the design verifies
// bit-exact, also on an input crafted so that the old double arithmetic got an ADC code wrong, and a batch-norm
// multiplier one off fails. c2's seeded biases (shift 38: up to 2^37) reach the ROM whole, and one cut to 32 bits (as
// an Int32Array stored them before) fails.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { compileReference, runReference, type CompiledReference } from '../../src/reference/index.js';
import { generateInputImage, mulberry32, uniformInt } from '../../src/ir/weights.js';
import { inputNode } from '../../src/ir/nodeIndex.js';
import { hexDigits } from '../../src/emit/rtl/literals.js';
import { prepare, TEST_CACHE, writeFiles, type Prepared } from '../emit/rtl/helpers.js';

const M36 = 2n ** 36n;

/** The inverse of an odd `w` modulo 2^36 (Newton's iteration doubles the correct low bits each step). */
function inverseMod36(w: bigint): bigint {
  const a = ((w % M36) + M36) % M36;
  let inv = a;
  for (let i = 0; i < 6; i++) inv = (inv * (2n - a * inv)) % M36;
  return ((inv % M36) + M36) % M36;
}

/** c1's ADC codes (core c00, the first core) of `image`. */
function c1Codes(ref: CompiledReference, image: Int32Array): number[] {
  return Array.from(runReference(ref, image, { recordColumns: true }).cores![0].postAdc);
}

/**
 * An input on which c1's column sum at output (0, 0), channel 0, is k * 2^36 - 1, one below an ADC step (c1's ADC
 * shift is 36), and whose double products and sums round it up to the step: the number arithmetic gets a code one
 * too high there. Seven of the pixel's eight inputs are random; the eighth solves the congruence (its weight is odd).
 */
function adcStepImage(p: Prepared): { image: Int32Array; sum: bigint; numberCode: number } {
  const numbers = compileReference(p.design, p.mapping);
  for (const layer of numbers.layers.values()) layer.arithmetic = { columnSums: 'number', neuron: 'number' };
  const weights = p.program.reference.params.get('c1')!.weights;
  // Output (0, 0) with padding 1 reads input (c, y, x) for y, x in {0, 1} with kernel position (y + 1, x + 1).
  const inputs = [0, 1].flatMap((c) => [0, 1].flatMap((y) => [0, 1].map((x) => ({ at: (c * 6 + y) * 6 + x, w: BigInt(weights[((0 * 2 + c) * 3 + y + 1) * 3 + x + 1]) }))));
  const free = inputs.find((i) => i.w % 2n !== 0n)!;
  const next = mulberry32(3);
  for (let trial = 0; trial < 20_000; trial++) {
    const image = Int32Array.from({ length: 2 * 6 * 6 }, () => uniformInt(next, -(2 ** 28), 2 ** 28));
    const rest = inputs.filter((i) => i !== free).reduce((sum, i) => sum + i.w * BigInt(image[i.at]), 0n);
    let x = ((M36 - 1n - rest) * inverseMod36(free.w)) % M36;
    x = ((x % M36) + M36) % M36;
    if (x >= M36 / 2n) x -= M36;
    if (x < -(2n ** 31n) || x >= 2n ** 31n) continue;
    image[free.at] = Number(x);
    const numberCode = c1Codes(numbers, image)[0];
    if (numberCode !== c1Codes(p.program.reference, image)[0]) return { image, sum: rest + free.w * x, numberCode };
  }
  throw new Error('no input found whose column sum the doubles round across an ADC step');
}

describe('a neuron datapath whose requantization keeps values past 2^53', () => {
  const p = prepare('test/verify/fixtures/exact-datapath.imc');

  it('is planned (no IMC112), every layer on the BigInt path of the reference model', () => {
    const plan = planRtl(p.program);
    expect(plan.cores.filter((c) => c.neuron).map((c) => [c.layer.layer, c.neuron!.accBits, c.neuron!.requantShift])).toEqual([
      ['c1', 71, 31],
      ['c2', 80, 38],
      ['logits', 68, 30],
    ]);
    expect([...p.program.reference.layers.values()].map((l) => l.arithmetic)).toEqual(
      Array(3).fill({ columnSums: 'bigint', neuron: 'bigint' }),
    );
  });

  it('verifies bit-exact on two images, with non-zero and saturated activations in every layer', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const layers = result.coverage.filter((c) => c.activations > 0);
    expect(layers.map((c) => c.layer)).toEqual(['c1', 'c2', 'logits']);
    for (const c of layers) expect(c.nonZero).toBeGreaterThan(0);
    expect(layers.reduce((n, c) => n + c.saturated, 0)).toBeGreaterThan(0);
  }, 300_000);

  it('verifies an input whose column sum doubles round up across an ADC step (the number arithmetic is one code off)', async () => {
    const { image, sum, numberCode } = adcStepImage(p);
    // The sum is one below a multiple of 2^36: the exact code floors it to the step below, the doubles reach the step.
    expect(((sum % M36) + M36) % M36).toBe(M36 - 1n);
    const exactCode = c1Codes(p.program.reference, image)[0];
    expect(BigInt(exactCode)).toBe((sum + 1n) / M36 - 1n);
    expect(numberCode).toBe(exactCode + 1);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, imageFor: () => image });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
  }, 300_000);

  const c2 = p.program.reference.params.get('c2')!.batchNorm!;
  const c2Core = planRtl(p.program).cores.find((c) => c.layer.layer === 'c2')!;

  /** The design with entry `channel` of c2's batch-norm ROM `rom` rewritten to `value` (c2 is one core, c01). */
  function withRomEntry(rom: 'scale' | 'bias', channel: number, value: number): string {
    const dir = writeFiles(p.files);
    const path = join(dir, `rtl/exact_datapath_c01_bn_${rom}.mem`);
    const lines = readFileSync(path, 'utf8').split('\n');
    const entries = lines.flatMap((line, i) => (line === '' || line.startsWith('//') ? [] : [i]));
    expect(entries).toHaveLength(4);
    lines[entries[channel]] = hexDigits(rom === 'scale' ? c2Core.neuron!.batchNorm!.scaleBits : c2Core.neuron!.batchNorm!.biasBits, value);
    writeFileSync(path, lines.join('\n'));
    return dir;
  }

  it("carries c2's biases past 32 bits whole into its ROM", () => {
    const bias = Array.from(c2.bias);
    expect(bias.every((b) => Number.isSafeInteger(b) && Math.abs(b) <= 2 ** 37)).toBe(true);
    expect(bias.filter((b) => Math.abs(b) > 2 ** 31).length).toBeGreaterThan(0);
    const bits = c2Core.neuron!.batchNorm!.biasBits;
    expect(bits).toBeGreaterThan(32);
    const rom = p.files.find((f) => f.path === 'rtl/exact_datapath_c01_bn_bias.mem')!.content;
    expect(rom.split('\n').filter((l) => l !== '' && !l.startsWith('//'))).toEqual(bias.map((b) => hexDigits(bits, b)));
  });

  it('fails at c2 when one batch-norm multiplier is one off', async () => {
    const result = await verifyRtlDirectory(withRomEntry('scale', 2, c2.scale[2] - 1), p.program, { cacheDir: TEST_CACHE });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c01', layer: 'c2' });
  }, 300_000);

  it('fails at c2 when a bias past 32 bits is cut to its low 32 bits', async () => {
    // The channel whose bias the cut moves most (a seeded bias moves y by at most half a requantization step).
    const cuts = Array.from(c2.bias, (b) => Number(BigInt.asIntN(32, BigInt(b))));
    const moved = cuts.map((cut, c) => Math.abs(c2.bias[c] - cut));
    const channel = moved.indexOf(Math.max(...moved));
    expect(moved[channel]).toBeGreaterThan(2 ** 35);
    // c2's core sends gap(y): the first seeded image whose averages the cut changes (the reference says which).
    const cutReference = compileReference(p.design, p.mapping);
    cutReference.params.get('c2')!.batchNorm!.bias[channel] = cuts[channel];
    const input = inputNode(p.design.network);
    const averages = (ref: CompiledReference, seed: number) =>
      Array.from(runReference(ref, generateInputImage(seed, input.shape, input.activationBits)).nodes.get('logits.gap')!.data);
    const seed = Array.from({ length: 100 }, (_, i) => i + 1).find((s) => averages(cutReference, s).some((v, k) => v !== averages(p.program.reference, s)[k]));
    expect(seed).toBeDefined();
    expect((await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, seed })).pass).toBe(true);
    const result = await verifyRtlDirectory(withRomEntry('bias', channel, cuts[channel]), p.program, { cacheDir: TEST_CACHE, seed });
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c01', layer: 'c2' });
  }, 300_000);
});
