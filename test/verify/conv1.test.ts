// A single strided, padded convolution's RTL against a convolution written out here, independent of the reference
// model: the Verilator run's activations equal the direct integer computation of the arithmetic.
import { describe, expect, it } from 'vitest';
import { prepare, writeFiles, TEST_CACHE } from '../emit/rtl/helpers.js';
import { simulateRtlDirectory } from '../../src/verify/index.js';
import { generateInputImage, generateWeights } from '../../src/ir/weights.js';
import { relu, requantize } from '../../src/reference/arithmetic.js';

describe('one conv layer in RTL equals a direct computation', () => {
  it('conv 3x3, stride 2, pad 1, ReLU over a 2x5x5 input (IWAP memory)', async () => {
    const p = prepare('test/verify/fixtures/conv1.imc');
    const node = p.design.network.nodes.find((n) => n.name === 'c1')!;
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const [C, H, W] = [input.shape.channels, input.shape.height, input.shape.width];
    const [O, F, S, P] = [3, 3, 2, 1];
    const image = generateInputImage(5, input.shape, input.activationBits);
    const weights = generateWeights(p.design.network.weights.seed, 'c1', { outChannels: O, inChannels: C, kernelHeight: F, kernelWidth: F }, 4);
    const shift = node.requant!.shift;
    const HO = Math.floor((H + 2 * P - F) / S) + 1;
    const WO = Math.floor((W + 2 * P - F) / S) + 1;
    const expected = new Map<string, number>();
    for (let o = 0; o < O; o++) {
      for (let y = 0; y < HO; y++) {
        for (let x = 0; x < WO; x++) {
          let acc = 0;
          for (let c = 0; c < C; c++) {
            for (let ky = 0; ky < F; ky++) {
              for (let kx = 0; kx < F; kx++) {
                const iy = y * S - P + ky;
                const ix = x * S - P + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += weights[((o * C + c) * F + ky) * F + kx] * image[(c * H + iy) * W + ix];
              }
            }
          }
          expected.set(`${y},${x},${o}`, relu(requantize(acc, shift, 4)));
        }
      }
    }
    const dir = writeFiles(p.files);
    const { trace } = await simulateRtlDirectory(dir, p.program, image, { cacheDir: TEST_CACHE });
    expect(trace.done).toBe(true);
    const actual = new Map(trace.activations.map((a) => [`${a.y},${a.x},${a.channel}`, a.value]));
    expect(actual.size).toBe(O * HO * WO);
    expect(actual).toEqual(expected);
    // The values are not all zero (the comparison means something).
    expect([...expected.values()].filter((v) => v !== 0).length).toBeGreaterThan(3);
  }, 300_000);
});
