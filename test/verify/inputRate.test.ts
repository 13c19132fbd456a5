// The RTL fed at the dataflow model's input rate (issue 19 item 4, issue 16 item 2): a strided first layer takes
// stride^2 = 4 input pixels per timestep in the model; the RTL's input port takes the same 4 pixels of a column at a
// step, so every crossbar operation happens in the model's timestep and verify compares them (a timing mismatch
// fails it). Fed one pixel per timestep, this fixture's RTL ran about four times as many timesteps as the model.
import { describe, expect, it } from 'vitest';
import { inputPixelsPerTimestep } from '../../src/mapping/inputRate.js';
import { modelOperationTimesteps, verifyRtlDirectory } from '../../src/verify/index.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { controllerParametersOf, prepare, TEST_CACHE, writeFiles } from '../rtl/helpers.js';

describe('RTL input at the dataflow model\'s rate', () => {
  const p = prepare('test/verify/fixtures/strided-input.imc');
  const file = (path: string): string => p.files.find((f) => f.path === path)!.content;

  it('feeds 4 pixels of a column per step: the top counts 16 input steps of an 8x8 image, the testbench packs 4 pixels', () => {
    expect(inputPixelsPerTimestep(p.design, p.mapping, 'image')).toBe(4);
    const top = file('rtl/strided_top.v');
    expect(top).toContain("localparam [31:0] INPUT_STEPS = 32'd16;");
    // 4 pixels x 3 channels x 4 bits.
    expect(top).toContain('input  wire [48-1:0]  in_pixel_i,');
    expect(file('tb/strided_tb.cpp')).toContain('static const int IN_PIXELS = 4;');
    // The first core's controller writes the arriving 4x1 block one pixel after another.
    expect(controllerParametersOf(p.files, 'strided_c00')).toMatchObject({ IN_BLOCK_H: 4, IN_BLOCK_W: 1 });
  });

  it('verifies bit-exact with every crossbar operation in the dataflow model\'s timestep', async () => {
    const expected = modelOperationTimesteps(p.program);
    const operations = [...expected.values()].reduce((n, t) => n + t.length, 0);
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE });
    expect(result.firstMismatch).toBeNull();
    expect(result.byKind.timing).toBe(0);
    expect(result.pass).toBe(true);
    // The model's latency (last output computed in timestep latency - 1) plus the RTL's drain step.
    const model = simulateDataflow(p.design, p.mapping, { batch: 1, granularity: 'block' });
    expect(model.latencyTimesteps).toBe(25);
    expect(result.timesteps).toBe(model.latencyTimesteps + 1);
    expect(operations).toBe(16 + 16 + 1);
  }, 300_000);
});

describe('inputPixelsPerTimestep', () => {
  it('is replicas x stride^2 of the first layer, lowered to a divisor of the input height (one column per step)', () => {
    const p = prepare('test/verify/fixtures/conv1.imc');
    // conv1: stride 2 over a 5x5 input would consume 4 pixels per timestep; 5 rows take them one at a time.
    expect(inputPixelsPerTimestep(p.design, p.mapping, 'image')).toBe(1);
    const m2 = prepare('test/verify/fixtures/method2.imc');
    expect(inputPixelsPerTimestep(m2.design, m2.mapping, 'image')).toBe(4);
  });
});
