import { describe, expect, it } from 'vitest';
import { plainInference } from '../../src/reference/index.js';
import { generateBatchNorm, generateInputImage, generateWeights } from '../../src/ir/weights.js';
import { requantize, roundedAverage, clampSigned } from '../../src/reference/arithmetic.js';
import { NetBuilder } from './fixtures.js';

describe('plainInference', () => {
  it('computes a padded, strided conv with folded batch norm, requant and relu by the rules (hand-checked loop)', () => {
    const b = new NetBuilder(8);
    b.input('image', { channels: 2, height: 5, width: 4 });
    b.conv('c', 'image', 3, 3, 2, 1, { shift: 6 });
    b.batchnorm('bn', 'c');
    b.relu('r', 'bn');
    const design = b.design('r', 11);
    const image = generateInputImage(5, { channels: 2, height: 5, width: 4 }, 8);
    const w = generateWeights(11, 'c', { outChannels: 3, inChannels: 2, kernelHeight: 3, kernelWidth: 3 }, 8);
    const bn = generateBatchNorm(11, 'c', 3, 6);
    const result = plainInference(design, image);
    expect(result.output.length).toBe(3 * 3 * 2);
    for (let o = 0; o < 3; o++) {
      for (let oy = 0; oy < 3; oy++) {
        for (let ox = 0; ox < 2; ox++) {
          let acc = 0;
          for (let c = 0; c < 2; c++) {
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = oy * 2 - 1 + ky;
                const ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 4) continue;
                acc += w[((o * 2 + c) * 3 + ky) * 3 + kx] * image[(c * 5 + iy) * 4 + ix];
              }
            }
          }
          const expected = Math.max(0, requantize(acc * bn.scale[o] + bn.bias[o], 6, 8));
          expect(result.output[(o * 3 + oy) * 2 + ox]).toBe(expected);
        }
      }
    }
    // The conv node itself holds the accumulator (requantization follows the folded batch norm).
    expect(result.nodes.get('c')!.data.some((v) => Math.abs(v) > 127)).toBe(true);
  });

  it('requantizes right after the accumulator when no batch norm follows; fc runs over the flattened CHW input', () => {
    const b = new NetBuilder(6);
    b.input('image', { channels: 2, height: 3, width: 3 });
    b.conv('c', 'image', 2, 1, 1, 0, { shift: 3, weightBits: 4 });
    b.flatten('f', 'c');
    b.fc('fc', 'f', 4, { shift: 2, weightBits: 4 });
    const design = b.design('fc', 3);
    const image = generateInputImage(9, { channels: 2, height: 3, width: 3 }, 6);
    const w1 = generateWeights(3, 'c', { outChannels: 2, inChannels: 2, kernelHeight: 1, kernelWidth: 1 }, 4);
    const w2 = generateWeights(3, 'fc', { outChannels: 4, inChannels: 18, kernelHeight: 1, kernelWidth: 1 }, 4);
    const conv: number[] = [];
    for (let o = 0; o < 2; o++) {
      for (let p = 0; p < 9; p++) conv.push(requantize(w1[o * 2] * image[p] + w1[o * 2 + 1] * image[9 + p], 3, 6));
    }
    const result = plainInference(design, image);
    for (let o = 0; o < 4; o++) {
      let acc = 0;
      for (let i = 0; i < 18; i++) acc += w2[o * 18 + i] * conv[i];
      expect(result.output[o]).toBe(requantize(acc, 2, 6));
    }
    const max = Math.max(...result.output);
    expect(result.output[result.argmax]).toBe(max);
    expect(result.output.indexOf(max)).toBe(result.argmax);
  });

  it('pools: max ignores padding, average divides by size*size with padding as zeros, gap rounds half up', () => {
    const b = new NetBuilder(8);
    b.input('image', { channels: 1, height: 3, width: 3 });
    b.conv('c', 'image', 1, 1, 1, 0, { shift: 0 });
    b.pool('mp', 'maxpool', 'c', 2, 2, 1);
    const design = b.design('mp', 1);
    const image = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = generateWeights(1, 'c', { outChannels: 1, inChannels: 1, kernelHeight: 1, kernelWidth: 1 }, 8)[0];
    const c = Array.from(image, (v) => clampSigned(w * v, 8));
    const r = plainInference(design, image);
    // 3x3 with padding 1, size 2 stride 2: windows {0}, {1,2}, {3,6}, {4,5,7,8}.
    const at = (y: number, x: number) => c[y * 3 + x];
    expect(Array.from(r.output)).toEqual([
      at(0, 0),
      Math.max(at(0, 1), at(0, 2)),
      Math.max(at(1, 0), at(2, 0)),
      Math.max(at(1, 1), at(1, 2), at(2, 1), at(2, 2)),
    ]);

    const b2 = new NetBuilder(8);
    b2.input('image', { channels: 1, height: 3, width: 3 });
    b2.conv('c', 'image', 1, 1, 1, 0, { shift: 0 });
    b2.pool('ap', 'avgpool', 'c', 2, 2, 1);
    b2.gap('g', 'ap');
    const d2 = plainInference(b2.design('g', 1), image);
    const ap = [
      roundedAverage(at(0, 0), 4),
      roundedAverage(at(0, 1) + at(0, 2), 4),
      roundedAverage(at(1, 0) + at(2, 0), 4),
      roundedAverage(at(1, 1) + at(1, 2) + at(2, 1) + at(2, 2), 4),
    ];
    expect(Array.from(d2.nodes.get('ap')!.data)).toEqual(ap);
    expect(Array.from(d2.output)).toEqual([roundedAverage(ap[0] + ap[1] + ap[2] + ap[3], 4)]);
  });

  it('adds residuals with saturation to the add node bits', () => {
    const b = new NetBuilder(4);
    b.input('image', { channels: 1, height: 2, width: 2 });
    b.conv('c', 'image', 1, 1, 1, 0, { shift: 0, weightBits: 2 });
    b.add('a', 'c', 'image');
    const image = Int32Array.from([7, 7, 0, 3]);
    const r = plainInference(b.design('a', 2), image);
    const w = generateWeights(2, 'c', { outChannels: 1, inChannels: 1, kernelHeight: 1, kernelWidth: 1 }, 2)[0];
    expect(Array.from(r.output)).toEqual([...image].map((v) => clampSigned(clampSigned(w * v, 4) + v, 4)));
  });

  it('a batch norm that does not directly follow a weight layer is refused once, when the network is read (IMC026)', () => {
    const b = new NetBuilder(8);
    b.input('image', { channels: 1, height: 2, width: 2 });
    b.conv('c', 'image', 1, 1);
    b.relu('r', 'c');
    b.batchnorm('bn', 'r');
    expect(() => plainInference(b.design('bn'), new Int32Array(4))).toThrow(/IMC026 and IMC213 reject such a network/);
  });
});
