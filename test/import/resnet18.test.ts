// Scale: torchvision's ResNet-18 (10 classes, 3x64x64 input, batch norms kept; seeded weights built by ./resnet18.ts)
// imports onto a 16x16 grid of 256x256 tiles, maps, simulates and runs `imcc infer` and `imcc evaluate`; on the
// paper's 8x8 grid the import says how many cores it needs and which grid would hold them.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resnet18Onnx } from './resnet18.js';
import { formatNpy } from '../../src/support/npy.js';
import { importModel, type ImportResult } from '../../src/import/index.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow } from '../../src/dataflow/index.js';
import { validateJson } from '../../src/support/schema.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'imcc-resnet18-'));
const model = join(dir, 'resnet18.onnx');
const calib = join(dir, 'calib.npy');
const labels = join(dir, 'labels.npy');
let imported: ImportResult;

beforeAll(() => {
  mkdirSync(join(dir, 'targets'));
  copyFileSync('examples/targets/dazzi2021.imc', join(dir, 'targets', 'dazzi2021.imc'));
  const big = readFileSync('examples/targets/dazzi2021.imc', 'utf8').replace('target dazzi2021', 'target big').replace('grid 8x8', 'grid 16x16').replace('depth 512', 'depth 65536');
  writeFileSync(join(dir, 'targets', 'big.imc'), big);
  writeFileSync(model, resnet18Onnx());
  const size = 3 * 64 * 64;
  const data = Float64Array.from({ length: 2 * size }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  writeFileSync(calib, formatNpy({ dtype: 'f4', shape: [2, 3, 64, 64], data }));
  writeFileSync(labels, formatNpy({ dtype: 'i8', shape: [2], data: Float64Array.of(3, 7) }));
  imported = importModel({ model, target: join(dir, 'targets', 'big.imc'), output: join(dir, 'resnet18.imc'), calibrate: calib });
});

describe('ResNet-18 import at scale', () => {
  it('imports its 21 weight layers (20 convs, 1 fc) with every batch norm folded', () => {
    expect(imported.layers).toHaveLength(21);
    expect(imported.layers.filter((l) => l.layer.includes('downsample'))).toHaveLength(3);
    for (const l of imported.layers) expect(l.sqnrDb).toBeGreaterThan(20);
    const text = readFileSync(join(dir, 'resnet18.imc'), 'utf8');
    expect(text).toContain('conv1_Conv = conv(input, out 64, kernel 7x7, stride 2, pad 3, requant ');
    expect(text).toContain('maxpool_MaxPool = maxpool(stem_Relu, size 3, stride 2, pad 1)');
  });

  it('maps onto 195 cores and simulates', () => {
    const { design } = loadDesign(join(dir, 'resnet18.imc'));
    const mapping = mapDesign(design!);
    expect(mapping.cores).toHaveLength(195);
    expect(simulateDataflow(design!, mapping, { batch: 1 }).latencyTimesteps).toBeGreaterThan(0);
  });

  it('imcc infer and imcc evaluate --onnx run on real .npy images', async () => {
    const infer = await runCli(['infer', join(dir, 'resnet18.imc'), '--input', calib, '--index', '1', '--json']);
    expect(infer.code, infer.stderr).toBe(0);
    expect(JSON.parse(infer.stdout).output).toHaveLength(10);
    const evaluate = await runCli(['evaluate', join(dir, 'resnet18.imc'), '--data', calib, '--labels', labels, '--onnx', model, '--json']);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const json = JSON.parse(evaluate.stdout);
    validateJson('evaluate', json);
    expect(json.images).toBe(2);
  });

  it("on the paper's 8x8 grid: IMC128 with the cores it needs and a grid that holds them", async () => {
    const r = await runCli(['import', model, '--target', join(dir, 'targets', 'dazzi2021.imc'), '-o', join(dir, 'small.imc'), '--calibrate', calib]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('imcc: error IMC128: the imported network does not map onto target dazzi2021: IMC050 the network needs 195 cores');
    expect(r.stderr).toContain('(a 14x14 grid would hold its 195 cores)');
  });
});
