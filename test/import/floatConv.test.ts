// The float interpreter's conv skips zero inputs and runs eight output channels per pass (src/import/float.ts);
// every output must still equal the direct loop bias + Σ_{c,ky,kx} w * x summed in that order, bit for bit, on
// inputs with ReLU zeros, padding, strides and channel counts that are not multiples of eight.
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../src/import/float.js';
import type { ImportGraph } from '../../src/import/graph.js';
import { uniformPadding } from '../../src/ir/padding.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Case {
  inChannels: number;
  outChannels: number;
  size: number;
  kernel: number;
  stride: number;
  pad: number;
}

function direct(x: Float64Array, weight: Float64Array, bias: Float64Array, c: Case, oh: number, ow: number): Float64Array {
  const out = new Float64Array(c.outChannels * oh * ow);
  for (let o = 0; o < c.outChannels; o++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let acc = bias[o];
        for (let ci = 0; ci < c.inChannels; ci++) {
          for (let ky = 0; ky < c.kernel; ky++) {
            for (let kx = 0; kx < c.kernel; kx++) {
              const iy = y * c.stride + ky - c.pad;
              const ix = xo * c.stride + kx - c.pad;
              const v = iy >= 0 && iy < c.size && ix >= 0 && ix < c.size ? x[(ci * c.size + iy) * c.size + ix] : 0;
              acc += weight[((o * c.inChannels + ci) * c.kernel + ky) * c.kernel + kx] * v;
            }
          }
        }
        out[(o * oh + y) * ow + xo] = acc;
      }
    }
  }
  return out;
}

function check(c: Case, seed: number): void {
  const random = seeded(seed);
  const oh = Math.floor((c.size + 2 * c.pad - c.kernel) / c.stride) + 1;
  // About half the inputs zero, as after a ReLU.
  const x = Float64Array.from({ length: c.inChannels * c.size * c.size }, () => Math.max(0, random()));
  const weight = Float64Array.from({ length: c.outChannels * c.inChannels * c.kernel * c.kernel }, random);
  const bias = Float64Array.from({ length: c.outChannels }, random);
  const graph: ImportGraph = {
    inputName: 'x',
    output: 'conv',
    activationScales: new Map(),
    layers: [
      { name: 'x', origin: [], op: { kind: 'input' }, inputs: [], shape: { channels: c.inChannels, height: c.size, width: c.size } },
      {
        name: 'conv',
        origin: [],
        op: { kind: 'conv', weight, bias, outChannels: c.outChannels, inChannels: c.inChannels, kernelHeight: c.kernel, kernelWidth: c.kernel, stride: c.stride, pad: uniformPadding(c.pad) },
        inputs: ['x'],
        shape: { channels: c.outChannels, height: oh, width: oh },
      },
    ],
  };
  const got = runFloat(graph, x).get('conv')!;
  const want = direct(x, weight, bias, c, oh, oh);
  expect(got.length).toBe(want.length);
  let differing = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
  expect(differing).toBe(0);
}

describe('float interpreter conv', () => {
  it('equals the direct loop bit for bit: 3x3 pad 1, 19 output channels (two groups of eight and three single)', () => {
    check({ inChannels: 5, outChannels: 19, size: 9, kernel: 3, stride: 1, pad: 1 }, 1);
  });
  it('equals the direct loop bit for bit: 7x7 stride 2 pad 3, 8 channels; 1x1 stride 2, 3 channels', () => {
    check({ inChannels: 3, outChannels: 8, size: 12, kernel: 7, stride: 2, pad: 3 }, 2);
    check({ inChannels: 16, outChannels: 3, size: 6, kernel: 1, stride: 2, pad: 0 }, 3);
  });
});
