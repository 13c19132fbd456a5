// Integrate-and-fire conversion at import (issue 17 item 2, docs/import.md "Integrate-and-fire conversion"): the
// trained ReLU digits CNN imported onto a `model if` target, normalized by the 99.9th percentile of each relu's
// calibrated activations; its top-1 against the ReLU network's, and how it grows with the timesteps T.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { validateJson } from '../../src/support/schema.js';
import { parseNpy } from '../../src/support/npy.js';
import { parseNpz } from '../../src/support/npz.js';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { calibrate } from '../../src/import/quantize.js';
import { percentile, withBinaryShortcuts } from '../../src/import/spiking.js';
import { readCalibration } from '../../src/import/index.js';
import { evaluateDesign } from '../../src/import/evaluate.js';

const MODEL = 'models/digits/model.onnx';
const CALIB = 'models/digits/calib_x.npy';
const TEST_X = 'models/digits/test_x.npy';
const TEST_Y = 'models/digits/test_y.npy';
const IF_TARGET = 'examples/targets/digits-if-tile.imc';

/** A scratch examples/ layout with the IF target, its `steps` (and optionally threshold) replaced. */
function scratch(steps = 16, threshold = 127): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-if-import-'));
  mkdirSync(join(dir, 'targets'));
  const text = readFileSync(IF_TARGET, 'utf8').replace(/^ {4}steps 16$/m, `    steps ${steps}`).replace(/^ {4}threshold 127$/m, `    threshold ${threshold}`);
  writeFileSync(join(dir, 'targets', 'digits-if-tile.imc'), text);
  return dir;
}

function importArgs(dir: string, extra: string[] = []): string[] {
  return ['import', MODEL, '--target', join(dir, 'targets', 'digits-if-tile.imc'), '-o', join(dir, 'digits-if.imc'), '--calibrate', CALIB, ...extra];
}

describe('imcc import onto an integrate-and-fire target', () => {
  it('writes examples/digits-if.imc and digits-if.npz byte for byte, with an identity conv before the residual add', async () => {
    const dir = scratch();
    const r = await runCli(importArgs(dir, ['--json']));
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    validateJson('import', json);
    expect(json.conversion).toEqual({ neuron: 'if', threshold: 127, steps: 16, percentile: 99.9 });
    expect(json.layers.map((l: { layer: string }) => l.layer)).toEqual(['conv1_Conv', 'conv2_Conv', 'conv3_Conv', 'MaxPool_identity', 'fc_Gemm']);
    expect(json.layers.every((l: { sqnrDb: number | null }) => l.sqnrDb === null)).toBe(true);
    const text = readFileSync(join(dir, 'digits-if.imc'), 'utf8');
    expect(text).toBe(readFileSync('examples/digits-if.imc', 'utf8'));
    expect(readFileSync(join(dir, 'digits-if.npz')).equals(readFileSync('examples/digits-if.npz'))).toBe(true);
    // The spikes of MaxPool reach the add through a 1x1 identity conv (an add of 1-bit values is IMC131).
    expect(text).toContain('MaxPool_identity = conv(MaxPool, out 8, kernel 1x1');
    expect(text).toContain('Add = add(bn3_BatchNormalization, MaxPool_identity_requant)');
    const weights = parseNpz(readFileSync('examples/digits-if.npz'));
    const identity = weights.get('MaxPool_identity.weight')!;
    for (let o = 0; o < 8; o++) for (let i = 0; i < 8; i++) expect(identity.data[o * 8 + i]).toBe(o === i ? 127 : 0);
  });

  it('prints that the network was converted, without a per-layer SQNR', async () => {
    const r = await runCli(importArgs(scratch()));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('converted to integrate-and-fire: threshold 127, 16 timesteps, each relu normalized to the 99.9th percentile of its activations');
    expect(r.stdout).toMatch(/^conv3_Conv\s+\d+\s+[\d.]+\s+-$/m);
  });

  it("normalizes each relu's spikes to the 99.9th percentile of its positive calibrated activations, its input to that / theta", () => {
    const graph = withBinaryShortcuts(importGraph(readOnnx(MODEL, readFileSync(MODEL))), true);
    const images = readCalibration(CALIB, graph);
    const scales = calibrate(graph, images, 8, undefined, { threshold: 127, percentile: 99.9 });
    const positives = images.map((image) => runFloat(graph, image).get('Relu_1')!.filter((v) => v > 0));
    const all = Float64Array.from(positives.flatMap((p) => Array.from(p))).sort();
    const lambda = all[Math.ceil(0.999 * all.length) - 1];
    expect(scales.get('Relu_1')).toBe(lambda);
    expect(scales.get('bn2_BatchNormalization')).toBe(lambda / 127);
    // The add's group (bn3, the identity conv's requant, Add) takes Relu_2's input scale.
    expect(scales.get('MaxPool_identity_requant')).toBe(scales.get('Add'));
    expect(scales.get('bn3_BatchNormalization')).toBe(scales.get('Relu_2')! / 127);
  });

  it('percentile: nearest rank over all chunks', () => {
    const chunks = [Float64Array.of(5, 1, 4), Float64Array.of(2, 3)];
    expect(percentile(chunks, 100)).toBe(5);
    expect(percentile(chunks, 80)).toBe(4);
    expect(percentile(chunks, 50)).toBe(3);
    expect(percentile(chunks, 1)).toBe(1);
    expect(percentile([], 99.9)).toBe(0);
  });

  it('top-1 at T = 16 is within 2 points of the ReLU network on the 350 test images (docs/import.md, README table)', async () => {
    const relu = await evaluateDesign('examples/digits.imc', TEST_X, TEST_Y, undefined);
    const spiking = await evaluateDesign('examples/digits-if.imc', TEST_X, TEST_Y, undefined);
    expect(relu.top1 - spiking.top1).toBeLessThanOrEqual(0.02);
    expect((100 * spiking.top1).toFixed(2)).toBe('97.14');
    // The argmax of the summed output matches the labels as often as printed by imcc evaluate.
    expect(spiking.images).toBe(parseNpy(readFileSync(TEST_Y)).shape[0]);
  });

  it('top-1 grows with the timesteps: T = 2, 4, 8 on the 350 test images (docs/import.md)', async () => {
    const top1: string[] = [];
    for (const steps of [2, 4, 8]) {
      const dir = scratch(steps);
      const r = await runCli(importArgs(dir));
      expect(r.code, r.stderr).toBe(0);
      top1.push((100 * (await evaluateDesign(join(dir, 'digits-if.imc'), TEST_X, TEST_Y, undefined)).top1).toFixed(2));
    }
    expect(top1).toEqual(['11.43', '71.14', '94.57']);
  });

  it('IMC134: a threshold above the largest activation; IMC129: --percentile out of range; IMC098: --percentile without a model if target', async () => {
    const high = await runCli(importArgs(scratch(16, 200)));
    expect(high.code).not.toBe(0);
    expect(high.stderr).toContain("error IMC134: target digits_if_tile's threshold 200 is above the largest 8-bit activation 127");
    const zero = await runCli(importArgs(scratch(), ['--percentile', '0']));
    expect(zero.stderr).toContain('error IMC129: --percentile 0: expected a number above 0, at most 100');
    const dir = mkdtempSync(join(tmpdir(), 'imcc-if-import-'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync('examples/targets/digits-tile.imc', join(dir, 'targets', 'digits-tile.imc'));
    const plain = await runCli(['import', MODEL, '--target', join(dir, 'targets', 'digits-tile.imc'), '-o', join(dir, 'd.imc'), '--calibrate', CALIB, '--percentile', '99']);
    expect(plain.stderr).toContain("error IMC098: --percentile normalizes integrate-and-fire neurons; target digits_tile has no 'model if' neuron core");
  });
});
