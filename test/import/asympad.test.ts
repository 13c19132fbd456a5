// Asymmetric pads from ONNX (issue 12): models/asympad (scripts/make-asympad.py) pads its stride-2 conv below and
// to the right, as TensorFlow's SAME does, and its second conv above and to the right. The float interpreter
// reproduces PyTorch's outputs, the imported integer network agrees with it, and its RTL verifies bit-exact in
// Verilator. auto_pad SAME_UPPER / SAME_LOWER become the same explicit pads.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { importModel } from '../../src/import/index.js';
import { evaluateDesign } from '../../src/import/evaluate.js';
import { parseNpy } from '../../src/support/npy.js';
import { formatText } from '../../src/dsl/fmt-file.js';
import { loadDesignForCli } from '../../src/cli/design.js';
import { readInputImage } from '../../src/cli/inputImage.js';
import { compileDesign } from '../../src/pipeline/compile.js';
import { writeOutputDirectory } from '../../src/emit/output.js';
import { verifyOutputDir } from '../../src/verify/index.js';
import { TEST_CACHE } from '../emit/rtl/helpers.js';

const { onnx } = onnxProto;
const MODEL = 'models/asympad/model.onnx';
const TEST_X = 'models/asympad/test_x.npy';

function imported(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-asympad-'));
  mkdirSync(join(dir, 'targets'));
  copyFileSync('examples/targets/digits-tile.imc', join(dir, 'targets', 'digits-tile.imc'));
  importModel({ model: MODEL, target: join(dir, 'targets', 'digits-tile.imc'), output: join(dir, 'asympad.imc'), calibrate: 'models/asympad/calib_x.npy' });
  return join(dir, 'asympad.imc');
}

describe('imcc import of a model with asymmetric pads', () => {
  const design = imported();

  it('keeps ONNX pads [top, left, bottom, right] per side, in the graph and in the written (imcc fmt canonical) .imc', () => {
    const graph = importGraph(readOnnx(MODEL, readFileSync(MODEL)));
    const pads = graph.layers.filter((l) => l.op.kind === 'conv').map((l) => (l.op.kind === 'conv' ? l.op.pad : null));
    expect(pads).toEqual([
      { top: 0, left: 0, bottom: 1, right: 1 },
      { top: 1, left: 0, bottom: 0, right: 1 },
    ]);
    const text = readFileSync(design, 'utf8');
    expect(text).toContain('conv(input, out 4, kernel 3x3, stride 2, pad_bottom 1, pad_right 1,');
    expect(text).toContain('conv(Relu, out 4, kernel 2x2, pad_top 1, pad_right 1,');
    expect(formatText(text, design).formatted).toBe(text);
  });

  it("the float interpreter reproduces PyTorch's outputs (test_logits.npy, the script's ZeroPad2d + Conv)", () => {
    const graph = importGraph(readOnnx(MODEL, readFileSync(MODEL)));
    const x = parseNpy(readFileSync(TEST_X));
    const logits = parseNpy(readFileSync('models/asympad/test_logits.npy'));
    let worst = 0;
    for (let k = 0; k < x.shape[0]; k++) {
      const out = runFloat(graph, x.data.subarray(k * 64, (k + 1) * 64)).get(graph.output)!;
      for (let i = 0; i < 5; i++) worst = Math.max(worst, Math.abs(out[i] - logits.data[k * 5 + i]));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('the integer network agrees with the float model on the 32 test images', async () => {
    // test_y.npy holds the float model's own classes (the network is untrained).
    const r = await evaluateDesign(design, TEST_X, 'models/asympad/test_y.npy', MODEL);
    expect(r.floatTop1).toBe(1);
    expect(r.agreement).toBeGreaterThanOrEqual(30 / 32);
    // Logits span about 0.6; 8-bit quantization stays two orders below that.
    expect(r.meanAbsLogitError).toBeLessThan(0.01);
  });

  it('its RTL verifies bit-exact in Verilator on test image 0', async () => {
    const { design: d, sources } = loadDesignForCli(design);
    const dir = join(mkdtempSync(join(tmpdir(), 'imcc-asympad-rtl-')), 'out');
    writeOutputDirectory(dir, compileDesign({ design: d, sources, version: '0.1.0' }).files);
    const result = await verifyOutputDir(dir, { cacheDir: TEST_CACHE, imageFor: (dd) => readInputImage(dd, TEST_X, 0) });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.comparisons).toBeGreaterThan(400);
  }, 300_000);
});

describe('auto_pad', () => {
  const model = (autoPad: string): Uint8Array =>
    onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          {
            name: '/conv',
            opType: 'Conv',
            input: ['x', 'w'],
            output: ['y'],
            attribute: [
              { name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [2, 2] },
              { name: 'auto_pad', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(autoPad) },
            ],
          },
        ],
        initializer: [{ name: 'w', dims: [1, 1, 3, 3], dataType: 1, floatData: new Array(9).fill(1) }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimValue: 6 }, { dimValue: 5 }] } } } }],
        output: [{ name: 'y' }],
      },
    }).finish();

  // ceil(6 / 2) = 3 rows need 1 row of padding, ceil(5 / 2) = 3 columns need 2; SAME_UPPER puts the odd one last.
  for (const [autoPad, pad] of [
    ['SAME_UPPER', { top: 0, left: 1, bottom: 1, right: 1 }],
    ['SAME_LOWER', { top: 1, left: 1, bottom: 0, right: 1 }],
    ['VALID', { top: 0, left: 0, bottom: 0, right: 0 }],
  ] as const) {
    it(`${autoPad} is the explicit pads ${JSON.stringify(pad)}`, () => {
      const graph = importGraph(readOnnx('t.onnx', model(autoPad)));
      const conv = graph.layers.find((l) => l.op.kind === 'conv')!;
      expect(conv.op.kind === 'conv' && conv.op.pad).toEqual(pad);
      expect(conv.shape).toEqual(autoPad === 'VALID' ? { channels: 1, height: 2, width: 2 } : { channels: 1, height: 3, width: 3 });
    });
  }
});
