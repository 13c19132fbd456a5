// The CrossSim and NeuroSim exports of a threshold (binary) network (issue 17 item 1): layers reading a threshold's
// 0/1 get CrossSim inputs [0, 1] through an unsigned 1-bit DAC, and NeuroSim input traces of 0/1; what NeuroSim
// cannot express (no comparator neuron) is a note and an IMC161 warning. With the real simulators present
// (IMCC_SIMS), CrossSim reproduces the exact integer products of every layer within half an ADC step per array,
// and NeuroSim runs the network to completion.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorConfigs, simulatorWarnings } from '../../../src/emit/configs/index.js';
import { runNeuroSim } from '../../../src/verify/neurosim.js';
import { CROSSSIM_DIR, NEUROSIM_DIR, simulatorPresent } from './sims.js';
import { baseBuild, NEUROSIM_CACHE } from './neurosimBuild.js';
import { fixtureProgram, runCrossSimLayers, writeConfigFiles, type CrossSimLayersResult } from './crossSimLayers.js';

const FIXTURE = 'test/emit/configs/fixtures/binary.imc';

const p = fixtureProgram(FIXTURE);
const files = simulatorConfigs(p);
const text = (path: string): string => files.find((f) => f.path === path)!.content;
const json = (path: string) => JSON.parse(text(path));

describe('simulator exports of a threshold network', () => {
  it('CrossSim: the layers reading 0/1 have inputs [0, 1] and an unsigned 1-bit DAC; the first layer stays signed', () => {
    const c1 = json('configs/crosssim/01_c1.json');
    expect(c1.core.mapping.inputs.mvm).toMatchObject({ min: -8, max: 7 });
    expect(c1.xbar.dac.mvm).toMatchObject({ bits: 4, signed: true });
    for (const file of ['02_c2.json', '03_logits.json']) {
      const params = json(`configs/crosssim/${file}`);
      expect(params.core.mapping.inputs.mvm, file).toMatchObject({ min: 0, max: 1 });
      expect(params.core.mapping.inputs.vmm, file).toMatchObject({ min: 0, max: 1 });
      expect(params.xbar.dac.mvm, file).toMatchObject({ bits: 1, signed: false });
    }
    const index = json('configs/crosssim/index.json');
    expect(index.layers.map((l: { inputsSigned: boolean }) => l.inputsSigned)).toEqual([true, false, false]);
  });

  it('CrossSim: one accumulator unit of a 0/1 layer is Grange / wmax (inputs scaled by 1, not 2 / (2^a - 1))', () => {
    // 1 uS to 10 uS: Grange = 1 - 0.1 = 0.9; 4-bit weights: wmax = 7. Signed 4-bit inputs: 2 * 0.9 / (7 * 15).
    const [c1, c2] = json('configs/crosssim/index.json').layers;
    expect(c2.adcUnit).toBeCloseTo(0.9 / 7, 12);
    expect(c1.adcUnit).toBeCloseTo((2 * 0.9) / (7 * 15), 12);
  });

  it('NeuroSim: the 0/1 inputs are written as numBitInput-bit values 0 and 1', () => {
    // numBitInput is the widest layer input: the first layer's 4-bit image, so 4 columns per vector.
    const bits = 4;
    const values = new Set<string>();
    for (const line of text('configs/neurosim/input_02_c2.csv').trim().split('\n')) {
      const columns = line.split(',');
      for (let v = 0; v < columns.length; v += bits) values.add(columns.slice(v, v + bits).join(''));
    }
    expect([...values].sort()).toEqual(['0000', '0001']);
  });

  it('NeuroSim: no comparator neuron, said in run.txt and as an IMC161 warning naming the thresholds', () => {
    expect(text('configs/neurosim/run.txt')).toContain("threshold (binary) activations ('t1', 't2')");
    const warnings = simulatorWarnings(p.design, p.mapping).filter((w) => w.code === 'IMC161');
    expect(warnings.map((w) => w.message).join('\n')).toContain("NeuroSim cannot express threshold (binary) activations ('t1', 't2')");
  });
});

const crossSim = simulatorPresent('CrossSim', CROSSSIM_DIR);

describe.skipIf(!crossSim)('CrossSim 3.2 runs the threshold network', () => {
  let work = '';
  let result: CrossSimLayersResult;
  const index = json('configs/crosssim/index.json');

  beforeAll(async () => {
    ({ work, result } = await runCrossSimLayers(p, files, 'imcc-crosssim-binary-'));
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loads and validates every layer, and reproduces the exact products within half an ADC step per array', () => {
    expect(result.loaded).toBe(3);
    expect(result.layers.map((l) => l.layer)).toEqual(['c1', 'c2', 'logits']);
    for (const l of result.layers) {
      const entry = index.layers.find((e: { layer: string }) => e.layer === l.layer);
      const arrays = new Set(entry.tiles.map((t: { rowPart: number }) => t.rowPart)).size;
      expect(l.idealMaxError, l.layer).toBeLessThanOrEqual((arrays * 2 ** entry.adcShift) / 2 + 1e-6);
    }
  });
});

const neuroSim = simulatorPresent('NeuroSim', NEUROSIM_DIR);

describe.skipIf(!neuroSim)('NeuroSim V1.4 runs the threshold network', () => {
  it('runs to completion and reports every layer', async () => {
    const work = mkdtempSync(join(tmpdir(), 'imcc-neurosim-binary-'));
    try {
      writeConfigFiles(files.filter((f) => f.path.startsWith('configs/neurosim/')), work);
      const base = await baseBuild();
      const settings = /^settings='(.*)'$/m.exec(readFileSync(join(work, 'configs/neurosim/neurosim.sh'), 'utf8'))![1];
      const build = join(NEUROSIM_CACHE, `param-${createHash('sha256').update(base).update(settings).digest('hex').slice(0, 16)}`);
      const { report } = await runNeuroSim(join(work, 'configs/neurosim'), base, build);
      expect(report.completed).toBe(true);
      expect(report.layers).toBe(p.mapping.layers.length);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 1_200_000);
});
