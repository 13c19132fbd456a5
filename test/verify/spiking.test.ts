// Integrate-and-fire neuron cores (`model if`) in the RTL, issue 17 item 2: the image runs its T timesteps one after
// the other, a membrane per neuron core integrates, leaks, fires and resets exactly as the reference model, spikes
// cross the links as 1 bit per channel and are read unsigned, and every timestep's trace (addresses, ADC outputs,
// spikes, outputs) is compared with the reference model's own timestep. A corrupted weight is caught.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreModuleFile, lintAndVerifyTests, neuronParametersOf, prepare, prepareVariant, TEST_CACHE, writeFiles, type Prepared } from '../emit/rtl/helpers.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { runReference, type ReferenceResult } from '../../src/reference/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { parseTrace } from '../../src/verify/trace.js';
import { checkVerilog2005, lintRtl } from '../../src/verify/lint.js';

const FIXTURE = 'test/verify/fixtures/spiking.imc';
const p = prepare(FIXTURE);
const file = (q: Prepared, path: string): string => q.files.find((f) => f.path === path)!.content;

function reference(q: Prepared, seed = 1): ReferenceResult {
  const input = q.design.network.nodes.find((n) => n.op.kind === 'input')!;
  return runReference(q.program.reference, generateInputImage(seed, input.shape, input.activationBits), { recordTimesteps: true });
}

describe('an integrate-and-fire network in the RTL (spikes before a max pool, after an average pool; threshold 3, leak 1)', () => {
  it('spikes and stays silent on the verification image in every spiking layer (so the test sees both)', () => {
    const r = reference(p);
    expect(r.timesteps).toHaveLength(4);
    for (const name of ['s1', 'p1', 's2']) {
      const values = new Set(r.timesteps!.flatMap((t) => Array.from(t.nodes.get(name)!.data)));
      expect([...values].sort(), name).toEqual([0, 1]);
    }
    // The rate-coded output is the sum of the timesteps' outputs.
    const sum = r.timesteps!.reduce((acc, t) => acc.map((v, i) => v + t.output[i]), new Array<number>(r.output.length).fill(0));
    expect(Array.from(r.output)).toEqual(sum);
    expect(sum.some((v) => v !== 0)).toBe(true);
  });

  it('has a membrane in place of the compare, 1-bit spikes out, unsigned spike rows in, and T timesteps at the top', () => {
    // c00 (the static neuron core): before the pool, one potential per conv pixel and channel (6 x 6 x 4),
    // integrated every cycle of the core.
    expect(neuronParametersOf(p.files, 'spiking_c00')).toMatchObject({ OUT_BITS: 1, THRESHOLD: 2, IF_ENTRIES: 144, IF_RESET_SUBTRACT: 1 });
    const c00 = coreModuleFile(p.files, 'spiking_c00', 'neuron').content;
    expect(c00).toContain('assign activated = spike ? BIT_ONE : BIT_ZERO;');
    expect(c00).toMatch(/\.fire_i\s+\(commit && pixel_in_plane\)/);
    // c02, the static neuron core too: after the pool, one potential per pooled pixel and channel, integrated when the
    // window's value is emitted.
    expect(coreModuleFile(p.files, 'spiking_c02', 'neuron').path).toBe('rtl/imcc_neuron.v');
    expect(neuronParametersOf(p.files, 'spiking_c02')).toMatchObject({ THRESHOLD: 2, THRESHOLD_AFTER_POOL: 1, IF_ENTRIES: 4, IF_RESET_SUBTRACT: 1 });
    expect(c00).toMatch(/\.fire_i\s+\(busy_q && emit\)/);
    expect(c00).toContain('assign result = spike ? BIT_ONE : BIT_ZERO;');
    // The library's membrane module resets by subtracting the threshold when the neuron core sets RESET_SUBTRACT.
    const membrane = file(p, 'rtl/imcc_if_neuron.v');
    expect(membrane).toContain('wire signed [V_BITS-1:0] after_spike = (RESET_SUBTRACT != 0) ? leaked - THRESHOLD : V_ZERO;');
    expect(c00).toMatch(/\.RESET_SUBTRACT\s+\(IF_RESET_SUBTRACT\)/);
    expect(file(p, 'rtl/spiking_c00.v')).toContain('.ACT_UNSIGNED (0)');
    for (const core of ['c01', 'c02', 'c03']) expect(file(p, `rtl/spiking_${core}.v`)).toContain('.ACT_UNSIGNED (1)');
    expect(file(p, 'rtl/spiking_top.v')).toContain("localparam [31:0] LAST_IF_STEP = 32'd3;");
    expect(file(p, 'rtl/spiking.f')).toContain('rtl/imcc_if_neuron.v');
  });

  lintAndVerifyTests(p, 2000);

  it('is Verilog-2005 (iverilog -g2005 accepts the membrane and the timestep sequencer)', async () => {
    const check = await checkVerilog2005(writeFiles(p.files), 'rtl/spiking.f', 'spiking_top');
    expect(check.messages).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('catches a corrupted weight of the layer reading spikes', async () => {
    // A weight on a row that never spikes changes nothing: corrupt column 0's weight of a row that spikes at some timestep.
    const r = reference(p);
    const row = [0, 1, 2, 3].find((i) => r.timesteps!.some((t) => t.nodes.get('s2')!.data[i] === 1))!;
    expect(row).toBeDefined();
    const dir = writeFiles(p.files);
    const path = join(dir, 'rtl/spiking_c03_weights.mem');
    const lines = readFileSync(path, 'utf8').split('\n');
    const weightLines = lines.flatMap((l, i) => (/^[0-9a-f]+$/i.test(l) ? [i] : []));
    // Column-major, so column 0's rows come first; inverting the 4-bit two's-complement code gives -w - 1 != w.
    const at = weightLines[row];
    lines[at] = (Number.parseInt(lines[at], 16) ^ 0xf).toString(16);
    writeFileSync(path, lines.join('\n'));
    const corrupted = await verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
    expect(corrupted.pass).toBe(false);
    expect(corrupted.firstMismatch).toMatchObject({ core: 'c03', layer: 'f1' });
    expect(corrupted.firstMismatch!.what).toMatch(/^integrate-and-fire timestep \d: /);
  }, 300_000);
});

describe('integrate-and-fire in replicated layers split in column parts, reset to zero, spikes as the output', () => {
  const z = prepare('test/verify/fixtures/spiking-replicated.imc');

  it('resets to zero, keeps one membrane per pixel of the replica block and channel, and both spikes and stays silent', () => {
    // c1's column parts start inside replicas: the membrane entry counts the layer's channels (oc) at the replica's
    // pixel (cy_q + rep_y, cx_q + rep_x) of the 8x8 plane, in the static neuron core.
    expect(neuronParametersOf(z.files, 'spiking_replicated_c01')).toMatchObject({ THRESHOLD: 2, IF_RESET_SUBTRACT: 0, IF_ENTRIES: 640, REPLICATED: 1, OUT_H: 8 });
    const c01 = coreModuleFile(z.files, 'spiking_replicated_c01', 'neuron').content;
    expect(c01).toContain('assign pixel_y = cy_q + rep_y;');
    expect(c01).toContain('+ { {(32-OC_BITS){1\'b0}}, oc };');
    expect(file(z, 'tb/spiking_replicated_tb.cpp')).toContain('static const int OUT_SIGNED = 0;');
    const r = reference(z);
    expect(r.timesteps).toHaveLength(3);
    for (const name of ['s1', 's2']) {
      const values = new Set(r.timesteps!.flatMap((t) => Array.from(t.nodes.get(name)!.data)));
      expect([...values].sort(), name).toEqual([0, 1]);
    }
  });

  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(z.files), 'rtl/spiking_replicated.f', 'spiking_replicated_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);

  it('verifies bit-exact, every timestep, also after a mid-stream reset', async () => {
    const result = await verifyRtlDirectory(writeFiles(z.files), z.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.images[1].resetAtCycle).not.toBeNull();
    expect(result.comparisons).toBeGreaterThan(20000);
  }, 300_000);
});

describe('the trace of an integrate-and-fire run', () => {
  it('splits into timesteps at P lines; a timestep another follows is complete', () => {
    const trace = parseTrace(['P 0', 'M 0 0 W 3', 'O 0 0 5', 'P 1', 'M 4 0 W 3', 'O 0 0 7', 'E 90 8 1', ''].join('\n'));
    expect(trace.ifSteps).toHaveLength(2);
    expect(trace.ifSteps!.map((t) => [t.done, t.outputs.map((o) => o.value)])).toEqual([[true, [5]], [true, [7]]]);
    expect(trace.memory.get(0)).toHaveLength(2);
    expect(trace.outputs).toHaveLength(2);
  });
});

describe('a spiking target whose network has no integrate-and-fire neuron (no ReLU)', () => {
  // The top's first-timestep signal feeds only membranes: without one it is not declared (random seed 6509 of the
  // larger limits linted with an unused `first_timestep`).
  const q = prepareVariant(FIXTURE, 'spiking-no-membrane', [
    ['  s1 = relu(c1)                                   // spikes\n', ''],
    ['maxpool(s1, size 2)', 'maxpool(c1, size 2)'],
    ['  s2 = relu(p2)                                   // the membrane integrates the pooled value\n', ''],
    ['flatten(s2)', 'flatten(p2)'],
  ]);

  it('declares no first-timestep signal and is lint clean', async () => {
    const network = q.design.network.name;
    expect(q.files.some((f) => f.content.includes('first_timestep_i (first_timestep)'))).toBe(false);
    expect(file(q, `rtl/${network}_top.v`)).not.toContain('first_timestep');
    const lint = await lintRtl(writeFiles(q.files), `rtl/${network}.f`, `${network}_top`);
    expect(lint.messages).toEqual([]);
  }, 120_000);
});
