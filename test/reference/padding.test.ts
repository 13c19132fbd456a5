// Asymmetric padding (issue 12): `pad_top` / `pad_left` / `pad_bottom` / `pad_right` in the language and the IR,
// a hand-worked conv and max pool in the reference model, equality with `pad N` when the sides are equal, and the
// mapped model, memory schedules and dataflow model of a network whose convs pad one side only (the RTL:
// test/emit/rtl/asymmetricPool.test.ts and test/import/asympad.test.ts, in Verilator).
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign, IrNode } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { planMemories } from '../../src/memory/index.js';
import { replaySchedule, expectedPatch, type PixelPlane } from '../../src/memory/replay.js';
import { buildSchedule } from '../../src/memory/schedule.js';
import { renderSchedule, schedulesJson } from '../../src/memory/scheduleFile.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { directWeightLayer, plainInference, referenceInference } from '../../src/reference/index.js';
import { poolTensor } from '../../src/reference/ops.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { TARGET, net } from '../diagnostics/cases.js';

function read(files: Record<string, string>) {
  return (file: string): string => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
}

// A lossless ADC (32 bits covers 64 rows of 8-bit products): the mapped model must then equal the direct one exactly.
const LOSSLESS = TARGET.replace('adc 16 bits', 'adc 32 bits');

function design(body: string): IrDesign {
  const r = loadDesign('main.imc', read({ 'main.imc': net(body), 't.imc': LOSSLESS }));
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.design!;
}

const node = (d: IrDesign, name: string): IrNode => d.network.nodes.find((n) => n.name === name)!;

/** TensorFlow's SAME at stride 2 pads one row below and one column right; a second conv pads top and left only. */
const ASYMMETRIC = [
  '  a = conv(image, out 4, kernel 3, stride 2, pad_bottom 1, pad_right 1, requant 6)',
  '  r = relu(a)',
  '  b = conv(r, out 3, kernel 2x3, pad_top 1, pad_left 2, requant 5)',
  '  f = fc(flatten(b), out 5, requant 4)',
  '  output f',
].join('\n');

describe('asymmetric padding in the language and the IR', () => {
  it('takes each side, defaulting to pad (or 0), and sizes the output from top + bottom and left + right', () => {
    const d = design(ASYMMETRIC);
    expect(node(d, 'a').op).toMatchObject({ padding: { top: 0, left: 0, bottom: 1, right: 1 } });
    // (8 + 0 + 1 - 3) / 2 + 1 = 4 on both axes.
    expect(node(d, 'a').shape).toEqual({ channels: 4, height: 4, width: 4 });
    // Height 4 + 1 - 2 + 1 = 4; width 4 + 2 - 3 + 1 = 4.
    expect(node(d, 'b').shape).toEqual({ channels: 3, height: 4, width: 4 });
    const over = design('  a = conv(image, out 2, kernel 3, pad 1, pad_top 0)\n  output a');
    expect(node(over, 'a').op).toMatchObject({ padding: { top: 0, left: 1, bottom: 1, right: 1 } });
    expect(node(over, 'a').shape).toEqual({ channels: 2, height: 7, width: 8 });
  });

  it('equal sides are pad N: the same IR and the same outputs', () => {
    const symmetric = design('  a = conv(image, out 4, kernel 3, pad 1, requant 6)\n  output a');
    const sides = design('  a = conv(image, out 4, kernel 3, pad_top 1, pad_left 1, pad_bottom 1, pad_right 1, requant 6)\n  output a');
    expect(node(sides, 'a').op).toEqual(node(symmetric, 'a').op);
    const image = generateInputImage(3, { channels: 3, height: 8, width: 8 }, 8);
    expect(plainInference(sides, image).output).toEqual(plainInference(symmetric, image).output);
  });
});

describe('asymmetric padding in the reference model', () => {
  // Input 1..9 in a 3x3 plane, one 2x2 kernel of ones, one zero row above and one zero column to the right:
  //   0 0 0 0
  //   1 2 3 0      windows of 2x2 at stride 1 sum to   3  5  3
  //   4 5 6 0                                         12 16  9
  //   7 8 9 0                                         24 28 15
  const input = { shape: { channels: 1, height: 3, width: 3 }, data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };

  it('a conv padded above and to the right (hand-worked)', () => {
    const conv: IrNode = {
      name: 'c',
      op: { kind: 'conv', outChannels: 1, kernelHeight: 2, kernelWidth: 2, stride: 1, padding: { top: 1, left: 0, bottom: 0, right: 1 }, shortcut: false },
      inputs: ['x'],
      shape: { channels: 1, height: 3, width: 3 },
      activationBits: 8,
    } as unknown as IrNode;
    const params = { layer: 'c', shape: { outChannels: 1, inChannels: 1, kernelHeight: 2, kernelWidth: 2 }, weights: Int32Array.from([1, 1, 1, 1]), weightBits: 2, requantShift: 0 };
    expect(Array.from(directWeightLayer(conv, input, params, 8).data)).toEqual([3, 5, 3, 12, 16, 9, 24, 28, 15]);
  });

  it('a 2x2 max pool at stride 2 padded below and to the right (hand-worked: windows 1 2 4 5 | 3 6 | 7 8 | 9)', () => {
    const out = poolTensor(input, { kind: 'maxpool', size: 2, stride: 2, padding: { top: 0, left: 0, bottom: 1, right: 1 } }, { channels: 1, height: 2, width: 2 });
    expect(Array.from(out.data)).toEqual([5, 6, 8, 9]);
  });

  it('the mapped model equals the direct one, replicated or not', () => {
    const image = generateInputImage(7, { channels: 3, height: 8, width: 8 }, 8);
    for (const mapping of ['', '  mapping {\n    layer a: replicas 2\n    layer b: replicas 4, method 2, dw 2\n  }']) {
      const d = design(`${ASYMMETRIC}\n${mapping}`);
      const plain = plainInference(d, image);
      const mapped = referenceInference(d, mapDesign(d), image);
      expect(mapped.output).toEqual(plain.output);
      expect(Array.from(mapped.nodes.get('b')!.data)).toEqual(Array.from(plain.nodes.get('b')!.data));
    }
  });
});

describe('asymmetric padding in the memory schedules and the dataflow model', () => {
  it('every core\'s schedule gives each output pixel its padded patch; the header states the four sides', () => {
    const d = design(ASYMMETRIC);
    const plan = planMemories(d, mapDesign(d));
    const b = buildSchedule(plan.cores.find((c) => c.layer === 'b')!.params);
    expect(b.header.padding).toEqual([1, 2, 0, 0]);
    expect(renderSchedule(b)).toContain('\npadding 1,2,0,0\n');
    // The JSON form validates against schemas/schedule.schema.json (schedulesJson throws otherwise).
    expect(JSON.stringify(schedulesJson([b]))).toContain('"padding":[1,2,0,0]');
    // H*(Fw-left-1) + (Fh-top): the first output needs row 0 of column 0 only.
    expect(b.header.minOccupancy).toBe(4 * Math.max(0, 3 - 2 - 1) + Math.max(0, 2 - 1));
    for (const core of plan.cores) {
      const p = core.params;
      const schedule = buildSchedule(p);
      let v = 0;
      const input: PixelPlane = Array.from({ length: p.height }, () => Array.from({ length: p.width }, () => Array.from({ length: p.channels }, () => v++ % 2 ** p.bits)));
      const patches = replaySchedule(schedule, p.replicas, input);
      expect(patches.length).toBe(schedule.header.outputHeight * schedule.header.outputWidth);
      for (const q of patches) expect(q.patch).toEqual(expectedPatch(schedule, input, q.oy, q.ox));
    }
  });

  it('the dataflow model: padding only below and to the right lets the first output wait for fewer pixels', () => {
    const first = (body: string) => {
      const d = design(body);
      return simulateDataflow(d, mapDesign(d), { batch: 1 }).latencyTimesteps;
    };
    const conv = (pads: string) => `  a = conv(image, out 4, kernel 3, stride 2, ${pads}, requant 6)\n  output a`;
    // Same 4x4 output; with top/left padding the first window already starts at the plane's first pixel.
    expect(first(conv('pad_bottom 1, pad_right 1'))).toBeGreaterThan(first(conv('pad_top 1, pad_left 1')));
  });
});

