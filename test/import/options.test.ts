// The option and data checks of imcc import and imcc evaluate, one code per rule: the --target file (IMC087), bit
// widths and --percentile (IMC129, IMC098), -o (IMC111), calibration data (IMC256, IMC123, IMC088), --labels (IMC105)
// and what --onnx needs (IMC088, IMC106, IMC107). Called directly: each check comes before the import's or the
// evaluation's costly part, or runs on two images.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { ToolError } from '../../src/diagnostics/index.js';
import { importModel, readCalibration, type ImportOptions } from '../../src/import/index.js';
import { evaluateDesign } from '../../src/import/evaluate.js';
import { importGraph } from '../../src/import/graph.js';
import { readOnnx } from '../../src/import/onnx.js';
import { formatNpy, parseNpy } from '../../src/support/npy.js';
import { formatNpz, parseNpz } from '../../src/support/npz.js';

const MODEL = 'models/digits/model.onnx';
const CALIB = 'models/digits/calib_x.npy';
const TEST_X = 'models/digits/test_x.npy';
const TEST_Y = 'models/digits/test_y.npy';
const TARGET = 'examples/targets/digits-tile.imc';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'imcc-options-'));

/** The ToolError `run` throws: its code and message. */
function failure(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof ToolError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no ToolError');
}

async function asyncFailure(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ToolError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no ToolError');
}

function npy(dir: string, name: string, dtype: 'f4' | 'i1' | 'i8', shape: number[], values: ArrayLike<number>): string {
  const file = join(dir, name);
  writeFileSync(file, formatNpy({ dtype, shape, data: Float64Array.from(values) }));
  return file;
}

describe('imcc import options', () => {
  const dir = scratch();
  const options = (extra: Partial<ImportOptions>): ImportOptions => ({ model: MODEL, target: TARGET, output: join(dir, 'digits.imc'), calibrate: CALIB, ...extra });

  it('IMC087: a --target file that does not declare exactly one target', () => {
    const two = join(dir, 'two.imc');
    const text = readFileSync(TARGET, 'utf8');
    writeFileSync(two, text + '\n' + text.replace('target digits_tile', 'target digits_tile_2'));
    expect(failure(() => importModel(options({ target: two })))).toEqual({ code: 'IMC087', message: `--target ${two} declares 2 targets; give a file with exactly one` });
  });

  it('IMC129: a bit width or percentile out of its range; IMC098: --percentile for a target without integrate-and-fire neurons', () => {
    expect(failure(() => importModel(options({ weightBits: 17 })))).toEqual({ code: 'IMC129', message: '--weight-bits 17: expected a whole number from 2 to 16' });
    expect(failure(() => importModel(options({ activationBits: 1 })))).toEqual({ code: 'IMC129', message: '--activation-bits 1: expected a whole number from 2 to 16' });
    expect(failure(() => importModel(options({ percentile: 99 })))).toEqual({
      code: 'IMC098',
      message: "--percentile normalizes integrate-and-fire neurons; target digits_tile has no 'model if' neuron core",
    });
  });

  it('IMC111: -o in a directory that does not exist, found before calibration', () => {
    const output = join(dir, 'nowhere', 'digits');
    expect(failure(() => importModel(options({ output, calibrate: join(dir, 'not-read.npy') })))).toEqual({
      code: 'IMC111',
      message: `cannot write ${output}: its directory ${join(dir, 'nowhere')} does not exist`,
    });
  });

  it('calibration data: not .npy (IMC256), another shape (IMC123), integers (IMC088); one C x H x W image is one image', () => {
    const graph = importGraph(readOnnx(MODEL, readFileSync(MODEL)));
    const text = join(dir, 'calib.txt');
    writeFileSync(text, 'not numpy');
    expect(failure(() => readCalibration(text, graph))).toEqual({ code: 'IMC256', message: `${text}: not a .npy file (it does not begin with the magic bytes 0x93 NUMPY)` });
    const flat = npy(dir, 'flat.npy', 'f4', [4, 256], new Float64Array(1024));
    expect(failure(() => readCalibration(flat, graph))).toEqual({
      code: 'IMC123',
      message: `${flat}: shape (4, 256) does not fit the network input: expected N x 1 x 16 x 16 or 1 x 16 x 16`,
    });
    const ints = npy(dir, 'ints.npy', 'i1', [2, 1, 16, 16], new Int8Array(512));
    expect(failure(() => readCalibration(ints, graph))).toEqual({ code: 'IMC088', message: `--calibrate needs float images (the model's own input); ${ints} holds i1 values` });
    const first = parseNpy(readFileSync(CALIB)).data.slice(0, 256);
    const one = npy(dir, 'one.npy', 'f4', [1, 16, 16], first);
    const images = readCalibration(one, graph);
    expect(images).toHaveLength(1);
    expect(Array.from(images[0])).toEqual(Array.from(Float64Array.from(Float32Array.from(first))));
  });
});

describe('imcc evaluate options', () => {
  const dir = scratch();
  const x = parseNpy(readFileSync(TEST_X));
  const y = parseNpy(readFileSync(TEST_Y));
  // Two test images and their labels: the evaluation before the --onnx comparison runs on these only.
  const twoImages = npy(dir, 'x2.npy', 'f4', [2, 1, 16, 16], x.data.slice(0, 512));
  const twoLabels = npy(dir, 'y2.npy', 'i8', [2], y.data.slice(0, 2));

  it('IMC105: labels that are not one integer per image', async () => {
    expect(await asyncFailure(() => evaluateDesign('examples/digits.imc', twoImages, twoImages, undefined))).toEqual({
      code: 'IMC105',
      message: `--labels ${twoImages}: expected 2 integer labels (shape (2,)), found f4 of shape (2, 1, 16, 16)`,
    });
  });

  it('IMC088: --onnx with integer data, which the float model cannot take', async () => {
    const ints = npy(dir, 'x2-int.npy', 'i1', [2, 1, 16, 16], new Int8Array(512));
    expect(await asyncFailure(() => evaluateDesign('examples/digits.imc', ints, twoLabels, MODEL))).toEqual({
      code: 'IMC088',
      message: `--onnx needs float images (the model's own input); ${ints} holds i1 values`,
    });
  });

  it('IMC106: --onnx for a design whose weights file has no output scale', async () => {
    const design = join(dir, 'design');
    mkdirSync(join(design, 'targets'), { recursive: true });
    copyFileSync('examples/digits.imc', join(design, 'digits.imc'));
    copyFileSync(TARGET, join(design, 'targets', 'digits-tile.imc'));
    const arrays = parseNpz(readFileSync('examples/digits.npz'));
    arrays.delete('output.scale');
    writeFileSync(join(design, 'digits.npz'), formatNpz(arrays));
    expect(await asyncFailure(() => evaluateDesign(join(design, 'digits.imc'), twoImages, twoLabels, MODEL))).toEqual({
      code: 'IMC106',
      message: "--onnx: the design's weights file gives no output.scale to compare its outputs with the float model (import it with imcc import)",
    });
  });

  it('IMC107: --onnx with a model of another number of outputs than the design', async () => {
    const { onnx } = onnxProto;
    // x (1x1x16x16) -> Flatten -> Gemm with 3 outputs: the design has 10.
    const model = onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { name: '/Flatten', opType: 'Flatten', input: ['x'], output: ['f'] },
          { name: '/Gemm', opType: 'Gemm', input: ['f', 'w', 'b'], output: ['y'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
        ],
        initializer: [
          { name: 'w', dims: [3, 256], dataType: 1, floatData: Array.from({ length: 768 }, (_, i) => ((i % 7) - 3) / 10) },
          { name: 'b', dims: [3], dataType: 1, floatData: [0, 0, 0] },
        ],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimValue: 16 }, { dimValue: 16 }] } } } }],
        output: [{ name: 'y' }],
      },
    }).finish();
    const file = join(dir, 'three.onnx');
    writeFileSync(file, model);
    expect(await asyncFailure(() => evaluateDesign('examples/digits.imc', twoImages, twoLabels, file))).toEqual({
      code: 'IMC107',
      message: `--onnx ${file}: the model has 3 outputs, the design 10`,
    });
  });
});
