// imcc import on the committed trained model (models/digits, scripts/train-digits.py), imcc evaluate's accuracy
// figures, .npy inputs, and the importer's diagnostics for bad models (IMC125-IMC129).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { roundJsonNumbers } from '../../src/support/json.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import onnxProto from 'onnx-proto';
import { runCli } from '../support/cli.js';
import { withDist } from '../support/dist.js';
import { validateJson } from '../../src/support/schema.js';
import { parseNpy, formatNpy } from '../../src/support/npy.js';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { evaluateDesign } from '../../src/import/evaluate.js';
import { formatText } from '../../src/dsl/fmt-file.js';

afterEach(() => vi.restoreAllMocks());

const { onnx } = onnxProto;
const MODEL = 'models/digits/model.onnx';
const CALIB = 'models/digits/calib_x.npy';
const TEST_X = 'models/digits/test_x.npy';
const TEST_Y = 'models/digits/test_y.npy';
const TARGET = 'examples/targets/digits-tile.imc';

/** A scratch directory laid out like examples/ (the target under targets/), so imported files read the same. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-import-'));
  mkdirSync(join(dir, 'targets'));
  copyFileSync(TARGET, join(dir, 'targets', 'digits-tile.imc'));
  return dir;
}

async function importInto(dir: string, model = MODEL, extra: string[] = []): Promise<Awaited<ReturnType<typeof runCli>>> {
  return runCli(['import', model, '--target', join(dir, 'targets', 'digits-tile.imc'), '-o', join(dir, 'digits.imc'), '--calibrate', CALIB, ...extra]);
}

/** The first initializer with several raw values (a weight tensor). */
function bigInitializer(m: onnxProto.onnx.ModelProto): onnxProto.onnx.ITensorProto {
  const t = (m.graph!.initializer ?? []).find((i) => (i.dims ?? []).length > 0 && (i.rawData ?? []).length > 8);
  if (!t) throw new Error('the digits model has no raw weight tensor');
  return t;
}

function mutatedModel(dir: string, edit: (m: onnxProto.onnx.ModelProto) => void): string {
  const m = onnx.ModelProto.decode(readFileSync(MODEL));
  edit(m);
  const file = join(dir, 'bad.onnx');
  writeFileSync(file, onnx.ModelProto.encode(m).finish());
  return file;
}

describe('imcc import of the trained digits CNN', () => {
  it('writes examples/digits.imc and digits.npz byte for byte (deterministic, and the example is current)', async () => {
    const dir = scratch();
    const r = await importInto(dir, MODEL, ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    validateJson('import', json);
    expect(json.layers.map((l: { layer: string }) => l.layer)).toEqual(['conv1_Conv', 'conv2_Conv', 'conv3_Conv', 'fc_Gemm']);
    // Every layer keeps at least 20 dB of SQNR against the float model on the calibration images.
    for (const l of json.layers) expect(l.sqnrDb).toBeGreaterThan(20);
    expect(readFileSync(join(dir, 'digits.imc'), 'utf8')).toBe(readFileSync('examples/digits.imc', 'utf8'));
    expect(readFileSync(join(dir, 'digits.npz')).equals(readFileSync('examples/digits.npz'))).toBe(true);
  });

  it('the written design is imcc fmt canonical, keeps the ONNX node names and folds each batch norm', () => {
    const text = readFileSync('examples/digits.imc', 'utf8');
    expect(formatText(text, 'examples/digits.imc').formatted).toBe(text);
    expect(text).toContain('bn1_BatchNormalization = batchnorm(conv1_Conv)');
    expect(text).toContain('// ONNX Conv /conv1/Conv');
    expect(text).toContain('Add = add(bn3_BatchNormalization, MaxPool)');
    expect(text).toContain('weights file "digits.npz"');
  });

  it('the text output prints the per-layer quantization error table', async () => {
    const r = await importInto(scratch());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^layer\s+shift\s+out scale\s+SQNR dB$/m);
    expect(r.stdout).toMatch(/^conv3_Conv\s+\d+\s+[\d.]+\s+\d+\.\d\d$/m);
  });

  it("the float interpreter reproduces PyTorch's logits of the test images (test_logits.npy from the training script)", () => {
    const graph = importGraph(readOnnx(MODEL, readFileSync(MODEL)));
    const x = parseNpy(readFileSync(TEST_X));
    const logits = parseNpy(readFileSync('models/digits/test_logits.npy'));
    const size = 16 * 16;
    let worst = 0;
    for (let k = 0; k < x.shape[0]; k++) {
      const out = runFloat(graph, x.data.subarray(k * size, (k + 1) * size)).get(graph.output)!;
      for (let i = 0; i < 10; i++) worst = Math.max(worst, Math.abs(out[i] - logits.data[k * 10 + i]));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('integer top-1 is within 1.5 points of the float top-1 on the 350 held-out test images', async () => {
    const r = await evaluateDesign('examples/digits.imc', TEST_X, TEST_Y, MODEL);
    validateJson('evaluate', r);
    expect(r.images).toBe(350);
    expect(r.floatTop1).toBeGreaterThan(0.95);
    expect(Math.abs(r.top1 - r.floatTop1!)).toBeLessThanOrEqual(0.015);
    expect(r.agreement).toBeGreaterThan(0.97);
    // The figures of docs/import.md.
    expect({ top1: (100 * r.top1).toFixed(2), float: (100 * r.floatTop1!).toFixed(2), agreement: (100 * r.agreement!).toFixed(2) }).toEqual({
      top1: '98.57',
      float: '98.57',
      agreement: '99.43',
    });
  });

  it('imcc evaluate --json prints the documented fields; infer on image k of the .npy gives the same argmax', async () => {
    const e = await runCli(['evaluate', 'examples/digits.imc', '--data', TEST_X, '--labels', TEST_Y, '--json']);
    expect(e.code, e.stderr).toBe(0);
    const json = JSON.parse(e.stdout);
    validateJson('evaluate', json);
    expect(json.floatTop1).toBeNull();
    const labels = parseNpy(readFileSync(TEST_Y)).data;
    const i = await runCli(['infer', 'examples/digits.imc', '--input', TEST_X, '--index', '3', '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect(JSON.parse(i.stdout).argmax).toBe(labels[3]);
  });
});

describe('imcc evaluate in worker threads (the compiled CLI, as built by npm ci)', () => {
  it('gives the in-process result', async () => {
    const r = await withDist(() => spawnSync(process.execPath, ['bin/imcc.js', 'evaluate', 'examples/digits.imc', '--data', TEST_X, '--labels', TEST_Y, '--onnx', MODEL, '--json'], { encoding: 'utf8' }));
    expect(r.status, r.stderr).toBe(0);
    // The CLI prints JSON numbers by the one rounding rule (docs/cli.md "Numbers").
    expect(JSON.parse(r.stdout)).toEqual(roundJsonNumbers(await evaluateDesign('examples/digits.imc', TEST_X, TEST_Y, MODEL)));
  });
});

describe('.npy inputs', () => {
  it('integer images are used as they are; floats need an input scale (IMC124); a wrong shape is IMC123, not .npy IMC256, a bad --index IMC258/IMC259, a NaN IMC257', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-npy-'));
    const x = parseNpy(readFileSync(TEST_X));
    const q = Float64Array.from(x.data.subarray(0, 256), (v) => Math.min(127, Math.floor(v / (1 / 127) + 0.5)));
    writeFileSync(join(dir, 'q.npy'), formatNpy({ dtype: 'i1', shape: [1, 1, 16, 16], data: q }));
    const fromInts = await runCli(['infer', 'examples/digits.imc', '--input', join(dir, 'q.npy'), '--json']);
    const fromFloats = await runCli(['infer', 'examples/digits.imc', '--input', TEST_X, '--json']);
    expect(fromInts.code).toBe(0);
    expect(fromInts.stdout).toBe(fromFloats.stdout);

    writeFileSync(join(dir, 'f.npy'), formatNpy({ dtype: 'f4', shape: [1, 1, 28, 28], data: new Float64Array(784) }));
    const noScale = await runCli(['infer', 'examples/lenet.imc', '--input', join(dir, 'f.npy')]);
    expect(noScale.code).toBe(1);
    expect(noScale.stderr).toContain('imcc: error IMC124:');
    const wrongShape = await runCli(['infer', 'examples/digits.imc', '--input', join(dir, 'f.npy')]);
    expect(wrongShape.stderr).toContain('error IMC123: ');
    expect(wrongShape.stderr).toContain('expected N x 1 x 16 x 16');
    const beyondIndex = await runCli(['infer', 'examples/digits.imc', '--input', TEST_X, '--index', '350']);
    expect(beyondIndex.stderr).toContain('error IMC258: ');
    expect(beyondIndex.stderr).toContain('holds 350 image(s); --index 350 is beyond them');
    writeFileSync(join(dir, 'one.json'), '[0]');
    const oneImage = await runCli(['infer', 'examples/digits.imc', '--input', join(dir, 'one.json'), '--index', '1']);
    expect(oneImage.stderr).toContain(`imcc: error IMC259: --index 1: ${join(dir, 'one.json')} holds one image`);
    writeFileSync(join(dir, 'bad.npy'), 'not an npy file at all');
    const notNpy = await runCli(['infer', 'examples/digits.imc', '--input', join(dir, 'bad.npy')]);
    expect(notNpy.code).toBe(1);
    expect(notNpy.stderr).toContain(`imcc: error IMC256: ${join(dir, 'bad.npy')}: `);
    const nan = new Float64Array(256);
    nan[3] = NaN;
    writeFileSync(join(dir, 'nan.npy'), formatNpy({ dtype: 'f4', shape: [1, 1, 16, 16], data: nan }));
    const notFinite = await runCli(['infer', 'examples/digits.imc', '--input', join(dir, 'nan.npy')]);
    expect(notFinite.stderr).toContain(`imcc: error IMC257: ${join(dir, 'nan.npy')}: value NaN at index 3 is not a finite number`);
  });
});

describe('imcc import diagnostics (nothing is written)', () => {
  const cases: { name: string; code: string; message: RegExp; model?: (dir: string) => string; extra?: (dir: string) => string[] }[] = [
    {
      name: 'a truncated file',
      code: 'IMC125',
      message: /is not a readable ONNX model/,
      model: (dir) => {
        writeFileSync(join(dir, 'cut.onnx'), readFileSync(MODEL).subarray(0, 4000));
        return join(dir, 'cut.onnx');
      },
    },
    { name: 'a missing model file', code: 'IMC271', message: /cannot read the model .*none\.onnx \(no such file\)/, model: (dir) => join(dir, 'none.onnx') },
    {
      name: 'an empty file',
      code: 'IMC272',
      message: /is not an ONNX model with a graph/,
      model: (dir) => {
        writeFileSync(join(dir, 'empty.onnx'), '');
        return join(dir, 'empty.onnx');
      },
    },
    { name: 'a second graph input', code: 'IMC273', message: /the graph has 2 non-constant inputs/, model: (dir) => mutatedModel(dir, (m) => void m.graph!.input!.push({ ...m.graph!.input![0], name: 'extra' })) },
    { name: 'a float16 initializer', code: 'IMC274', message: /has data type 10, which the importer does not read/, model: (dir) => mutatedModel(dir, (m) => void (bigInitializer(m).dataType = 10)) },
    {
      name: 'a cut initializer',
      code: 'IMC275',
      message: /bytes, its shape needs .*\(truncated file\?\)/,
      model: (dir) => mutatedModel(dir, (m) => void (bigInitializer(m).rawData = bigInitializer(m).rawData!.subarray(0, 4))),
    },
    {
      name: 'an initializer short of values',
      code: 'IMC276',
      message: /holds 1 values, its shape needs/,
      model: (dir) =>
        mutatedModel(dir, (m) => {
          const t = bigInitializer(m);
          t.rawData = new Uint8Array(0);
          t.dataType = 1;
          t.floatData = [1];
        }),
    },
    {
      name: 'a wrong opset',
      code: 'IMC126',
      message: /uses ONNX opset 9; the importer reads opsets 11 to 18/,
      model: (dir) => mutatedModel(dir, (m) => void (m.opsetImport![0].version = 9)),
    },
    {
      name: 'an unsupported operator',
      code: 'IMC127',
      message: /node '\/Relu_1' \(Sigmoid\): this operator is not supported/,
      model: (dir) => mutatedModel(dir, (m) => void (m.graph!.node!.find((n) => n.name === '/Relu_1')!.opType = 'Sigmoid')),
    },
    {
      name: 'a grouped convolution',
      code: 'IMC127',
      message: /node '\/conv2\/Conv' \(Conv\): group 2: grouped and depthwise convolutions/,
      model: (dir) =>
        mutatedModel(dir, (m) => void m.graph!.node!.find((n) => n.name === '/conv2/Conv')!.attribute!.push(onnx.AttributeProto.create({ name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: 2 }))),
    },
    {
      name: 'a network that does not fit the target',
      code: 'IMC128',
      message: /does not map onto target tiny_grid: IMC050 .*\(a 2x2 grid would hold its 4 cores\)/,
      extra: (dir) => {
        const small = readFileSync(TARGET, 'utf8').replace('digits_tile', 'tiny_grid').replace('grid 2x4', 'grid 1x2');
        writeFileSync(join(dir, 'targets', 'small.imc'), small);
        return ['--target', join(dir, 'targets', 'small.imc')];
      },
    },
    { name: 'calibration data of another shape', code: 'IMC123', message: /test_y.npy: shape \(\d+\) does not fit the network input: expected N x 1 x 16 x 16 or 1 x 16 x 16/, extra: () => ['--calibrate', TEST_Y] },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code}, exit 1, no stack trace, no output files`, async () => {
      const dir = scratch();
      const model = c.model ? c.model(dir) : MODEL;
      const r = await runCli(['import', model, '--target', join(dir, 'targets', 'digits-tile.imc'), '-o', join(dir, 'digits.imc'), '--calibrate', CALIB, ...(c.extra?.(dir) ?? [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`imcc: error ${c.code}: `);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'digits.imc'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.startsWith('digits'))).toEqual([]);
    });
  }
});
