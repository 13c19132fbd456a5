// Which input pixels a core's rows need for each output pixel or block, and what pooling does to pixel times.
import { describe, expect, it } from 'vitest';
import { blockPlan, chainSteps, convNeededInputs, listedInputs, pixelReplica, type NeededInputs } from '../../src/dataflow/geometry.js';
import { collectiveKernelMatrix } from '../../src/mapping/index.js';
import type { IrNode } from '../../src/ir/types.js';
import { uniformPadding } from '../../src/ir/padding.js';

const list = (l: NeededInputs, i: number) => l.inputsOf(i).sort((a, b) => a - b);

describe('needed inputs (pixel index x * H + y)', () => {
  const input = { height: 4, width: 4 };
  const out = { height: 4, width: 4 };
  const g = { stride: 1, padTop: 1, padLeft: 1, input, out };

  it('one replica: an output pixel needs its 3x3 patch, padding excluded', () => {
    const m = collectiveKernelMatrix({ inChannels: 2, outChannels: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 1, dW: 1 });
    const plan = blockPlan(m, out);
    const all = { rowPart: 0, colPart: 0, rowStart: 0, rowEnd: m.rowSources.length, colStart: 0, colEnd: 2 };
    const needed = convNeededInputs(m, all, g, plan, 'pixel');
    expect(list(needed, 0)).toEqual([0, 1, 4, 5]); // output (0,0): rows 0..1, columns 0..1
    expect(list(needed, 5)).toEqual([0, 1, 2, 4, 5, 6, 8, 9, 10]); // output (1,1)
    // A partial core with the first 6 rows (kernel column 0, both channels of dy 0..2) reads only input column x-1.
    const first = { ...all, rowEnd: 6 };
    expect(list(convNeededInputs(m, first, g, plan, 'pixel'), 5)).toEqual([0, 1, 2]);
  });

  it("two replicas along y (method 1): 'pixel' lists each pixel's patch, 'block' the union of the block", () => {
    const m = collectiveKernelMatrix({ inChannels: 1, outChannels: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 2, dW: 1 });
    const plan = blockPlan(m, out);
    expect(plan.blocks).toBe(8);
    expect([...pixelReplica(m, plan, out)].slice(0, 4)).toEqual([0, 1, 0, 1]);
    const all = { rowPart: 0, colPart: 0, rowStart: 0, rowEnd: m.rowSources.length, colStart: 0, colEnd: 4 };
    expect(list(convNeededInputs(m, all, g, plan, 'pixel'), 1)).toEqual([0, 1, 2, 4, 5, 6]);
    expect(list(convNeededInputs(m, all, g, plan, 'block'), 0)).toEqual([0, 1, 2, 4, 5, 6]);
  });

  it('a 2x2 block (method 2, dW 2) needs the input column two to the right of its first pixel', () => {
    const m = collectiveKernelMatrix({ inChannels: 1, outChannels: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas: 4, dW: 2 });
    const plan = blockPlan(m, out);
    expect([plan.blockHeight, plan.blockWidth, plan.blocks]).toEqual([2, 2, 4]);
    const all = { rowPart: 0, colPart: 0, rowStart: 0, rowEnd: m.rowSources.length, colStart: 0, colEnd: 8 };
    const block = list(convNeededInputs(m, all, g, plan, 'block'), 0);
    expect(Math.max(...block)).toBe(2 * 4 + 2); // input (2, 2)
  });
});

describe('bulk forms of the needed inputs', () => {
  it('pixel windows computed on the fly give the same ready times and last readers as explicit lists', () => {
    // Stride 2, padding 1, two replicas (method 1) on an odd plane: windows cut by the edges and replicas' patches.
    const input = { height: 7, width: 5 };
    const out = { height: 4, width: 3 };
    const g = { stride: 2, padTop: 1, padLeft: 1, input, out };
    const m = collectiveKernelMatrix({ inChannels: 2, outChannels: 3, kernelHeight: 3, kernelWidth: 3, stride: 2, replicas: 2, dW: 1 });
    const plan = blockPlan(m, out);
    const part = { rowPart: 0, colPart: 0, rowStart: 2, rowEnd: m.rowSources.length - 3, colStart: 0, colEnd: 6 };
    const windows = convNeededInputs(m, part, g, plan, 'pixel');
    const units = out.height * out.width;
    const lists = [...Array(units).keys()].map((u) => windows.inputsOf(u));
    const start = Int32Array.from([0, ...lists.map((_, u) => lists.slice(0, u + 1).flat().length)]);
    const explicit = listedInputs({ start, values: Int32Array.from(lists.flat()) });
    const arrivals = Int32Array.from({ length: 35 }, (_, i) => (i * 7919) % 23);
    const [a, b] = [new Int32Array(units), new Int32Array(units)];
    windows.readyTimes(arrivals, 3, a);
    explicit.readyTimes(arrivals, 3, b);
    expect([...a]).toEqual([...b]);
    expect([...a].some((t) => t > 3)).toBe(true);
    expect([...windows.lastReaders(35)]).toEqual([...explicit.lastReaders(35)]);
    expect(lists.every((l) => l.length > 0)).toBe(true);
  });
});

describe('fused ops on pixel times', () => {
  it('a 2x2 pool of stride 2 reads its window; global average pooling reads everything', () => {
    const node = (name: string, op: IrNode['op']): IrNode => ({
      name,
      op,
      inputs: [],
      shape: { channels: 1, height: 1, width: 1 },
      activationBits: 8,
      span: { file: 'x', line: 1, column: 1, length: 1 },
    });
    const { steps, out } = chainSteps([node('p', { kind: 'maxpool', size: 2, stride: 2, padding: uniformPadding(0) }), node('g', { kind: 'gap' })], { height: 4, width: 4 });
    expect(out).toEqual({ height: 1, width: 1 });
    const pool = steps[0];
    if (pool.kind !== 'window') throw new Error('expected a window step');
    expect(list(listedInputs(pool.lists), 0)).toEqual([0, 1, 4, 5]);
    expect(list(listedInputs(pool.lists), 3)).toEqual([10, 11, 14, 15]);
    const gap = steps[1];
    if (gap.kind !== 'window') throw new Error('expected a window step');
    expect(list(listedInputs(gap.lists), 0)).toEqual([0, 1, 2, 3]);
  });
});
