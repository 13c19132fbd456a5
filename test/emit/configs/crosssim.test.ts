// imcc's CrossSim configurations run through the real CrossSim 3.2 (IMCC_SIMS, default ../shared/sims): every
// config loads and validates; an AnalogCore from each layer's config and its real weights reproduces the exact
// integer products within half an ADC step per array with noise and resistance off; with noise on, its relative
// error (before the ADC, floored per array as analyze measures) agrees with `imcc analyze` (analyzeAnalog) within
// the tolerance stated below. One Python process in all.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorConfigs } from '../../../src/emit/configs/index.js';
import { createProgram } from '../../../src/pipeline/program.js';
import { loadDesign } from '../../../src/ir/load.js';
import type { IrDesign } from '../../../src/ir/types.js';
import { mapDesign } from '../../../src/mapping/index.js';
import { analyzeAnalog } from '../../../src/reference/analog/analyze.js';
import { layerOperands } from './layers.js';
import { CROSSSIM_DIR, PYTHON, REPO_ROOT, simulatorPresent } from './sims.js';

/**
 * |CrossSim - imcc analyze| relative column error, as a fraction of imcc's, plus an absolute floor. imcc analyze
 * programs one chip and reads one image, so its figure is a sample: 0.4 for conv layers (tens to hundreds of column
 * values), 0.7 for fc layers, which read one vector per image (a handful of column values).
 */
const NOISE_TOLERANCE = { conv: 0.4, fc: 0.7, absolute: 0.003 };

interface Network {
  file: string;
  /** Run the layers through AnalogCore (all but ResNet-32, whose configs are only loaded). */
  run: boolean;
}
const NETWORKS: Network[] = [
  { file: 'examples/lenet.imc', run: true },
  { file: 'test/emit/configs/fixtures/residual.imc', run: true },
  { file: 'test/emit/configs/fixtures/odd-stride.imc', run: true },
  { file: 'test/emit/configs/fixtures/mixed-bits.imc', run: true },
  { file: 'examples/resnet32.imc', run: false },
];

interface LayerResult {
  layer: string;
  idealMaxError: number;
  noisyRmsError: number;
  rmsExact: number;
}
interface Expected {
  network: string;
  layer: string;
  adcStepAcc: number;
  arrays: number;
  fc: boolean;
  analyzeRelative: number;
}

function load(file: string): IrDesign {
  const { design, diagnostics } = loadDesign(file);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return design;
}

const present = simulatorPresent('CrossSim', CROSSSIM_DIR);

describe.skipIf(!present)('CrossSim 3.2 runs the exported configurations', () => {
  let work = '';
  const expected: Expected[] = [];
  let result: { loaded: number; layers: LayerResult[] };
  let configCount = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'imcc-crosssim-'));
    const job = { seed: 1, load: [] as string[], layers: [] as object[] };
    for (const net of NETWORKS) {
      const design = load(net.file);
      const mapping = mapDesign(design);
      const dir = join(work, design.network.name);
      const files = simulatorConfigs(createProgram(design, { mapping }), { neurosimTraces: false }).filter((f) => f.path.startsWith('configs/crosssim/'));
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const index = JSON.parse(files.find((f) => f.path.endsWith('index.json'))!.content);
      for (const l of index.layers) job.load.push(join(dir, 'configs/crosssim', l.parameters));
      configCount += index.layers.length;
      if (!net.run) continue;
      // Seed = the weights' seed: analyze's one image is then the network's seeded image, whose activations feed CrossSim.
      const analysis = analyzeAnalog(design, mapping, { samples: 1, seed: design.network.weights.seed, tileSizes: [64] });
      for (const op of layerOperands(design, mapping, 48)) {
        const entry = index.layers.find((l: { layer: string }) => l.layer === op.layer);
        job.layers.push({ layer: `${design.network.name}/${op.layer}`, config: join(dir, 'configs/crosssim', entry.parameters), outputScale: entry.outputScale, rowsPerArray: design.target.crossbar.rows, weights: op.weights, inputs: op.inputs });
        expected.push({
          network: design.network.name,
          layer: `${design.network.name}/${op.layer}`,
          adcStepAcc: 2 ** entry.adcShift,
          fc: op.inputs[0].length === 1,
          arrays: new Set(entry.tiles.map((t: { rowPart: number }) => t.rowPart)).size,
          analyzeRelative: analysis.layers.find((a) => a.layer === op.layer)!.relativeColumnError,
        });
      }
    }
    const jobFile = join(work, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));
    const run = await execa(PYTHON, [join(REPO_ROOT, 'test/emit/configs/crosssim_check.py'), jobFile], {
      env: { PYTHONPATH: CROSSSIM_DIR },
    });
    result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every config of lenet, the residual, odd-stride and mixed-bit networks and ResNet-32 loads and validates', () => {
    expect(result.loaded).toBe(configCount);
    expect(configCount).toBe(4 + 5 + 4 + 3 + 34);
  });

  it('with noise and resistance off, every layer is within half an ADC step per array of the exact product', () => {
    expect(result.layers).toHaveLength(expected.length);
    for (const e of expected) {
      const r = result.layers.find((x) => x.layer === e.layer)!;
      expect(r.idealMaxError, e.layer).toBeLessThanOrEqual((e.arrays * e.adcStepAcc) / 2 + 1e-6);
    }
  });

  it('with noise on, the relative error agrees with imcc analyze', () => {
    const rows: string[] = [];
    const off: string[] = [];
    for (const e of expected) {
      const r = result.layers.find((x) => x.layer === e.layer)!;
      const crosssim = r.noisyRmsError / r.rmsExact;
      const row = `${e.layer}: CrossSim ${(100 * crosssim).toFixed(2)} %, imcc analyze ${(100 * e.analyzeRelative).toFixed(2)} %`;
      rows.push(row);
      if (Math.abs(crosssim - e.analyzeRelative) > (e.fc ? NOISE_TOLERANCE.fc : NOISE_TOLERANCE.conv) * e.analyzeRelative + NOISE_TOLERANCE.absolute) off.push(row);
    }
    console.log(rows.join('\n'));
    expect(off).toEqual([]);
  });
});
