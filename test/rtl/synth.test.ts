// Yosys synthesis of a generated RTL set: `synth -top; check -assert`, no latches, the crossbar a black box.
// The example LeNet is synthesized whole (its SRAMs become flip-flops in a generic Yosys flow: a minute or two);
// ResNet-32 up to the gate-mapping stage (a quarter of an hour: the longest test).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare, writeFiles } from './helpers.js';
import { synthesizeRtl } from '../../src/verify/lint.js';

describe('yosys synthesis', () => {
  it('synthesizes the tiny fixture with check -assert and no latches', async () => {
    const p = prepare('test/verify/fixtures/tiny.imc');
    const dir = writeFiles(p.files);
    const synth = await synthesizeRtl(dir, 'rtl/tiny.f', 'tiny_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    expect(synth.cells).toBeGreaterThan(1000);
  }, 300_000);

  it('synthesizes examples/lenet.imc whole with check -assert and no latches', async () => {
    const p = prepare('examples/lenet.imc');
    const dir = writeFiles(p.files);
    const synth = await synthesizeRtl(dir, 'rtl/lenet.f', 'lenet_top');
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
    expect(synth.cells).toBeGreaterThan(1000);
  }, 900_000);

  it('synthesizes examples/resnet32.imc whole up to gate mapping (memories as $mem cells), check -assert, no latches', async () => {
    const p = prepare('examples/resnet32.imc');
    const dir = writeFiles(p.files);
    const synth = await synthesizeRtl(dir, 'rtl/resnet32.f', 'resnet32_top', { coarse: true });
    expect(synth.messages).toEqual([]);
    expect(synth.ok).toBe(true);
  }, 3_600_000);

  it('the check has teeth: a module with a latch fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-latch-'));
    mkdirSync(join(dir, 'rtl'));
    writeFileSync(join(dir, 'rtl/latchy.v'), 'module latchy (input wire en_i, input wire d_i, output reg q_o);\n  always @* if (en_i) q_o = d_i;\nendmodule\n');
    writeFileSync(join(dir, 'rtl/latchy.f'), 'rtl/latchy.v\n');
    const synth = await synthesizeRtl(dir, 'rtl/latchy.f', 'latchy');
    expect(synth.ok).toBe(false);
    expect(synth.messages.join('\n')).toContain('DLATCH');
  }, 60_000);
});
