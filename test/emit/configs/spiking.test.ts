// The CrossSim and NeuroSim exports of an integrate-and-fire network (issue 17 item 2): the layers reading spikes get
// CrossSim inputs [0, 1] through an unsigned 1-bit DAC and NeuroSim input traces of 0/1; the membranes are outside
// both simulators: CrossSim's index says what a driver keeps (threshold, leak, reset, T), NeuroSim's run notes and
// the IMC163 warning say that it runs one pass where the design runs T. With the real simulators present
// (IMCC_SIMS), CrossSim reproduces the exact integer products of every layer on the spikes within half an ADC step
// per array, and NeuroSim runs the network to completion.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorConfigs, simulatorWarnings } from '../../../src/emit/configs/index.js';
import { runNeuroSim } from '../../../src/verify/neurosim.js';
import { layerOperands } from './layers.js';
import { CROSSSIM_DIR, NEUROSIM_DIR, simulatorPresent } from './sims.js';
import { baseBuild, NEUROSIM_CACHE } from './neurosimBuild.js';
import { fixtureProgram, runCrossSimLayers, writeConfigFiles, type CrossSimLayersResult } from './crossSimLayers.js';

const FIXTURE = 'test/emit/configs/fixtures/spiking.imc';

const p = fixtureProgram(FIXTURE);
const files = simulatorConfigs(p);
const text = (path: string): string => files.find((f) => f.path === path)!.content;
const json = (path: string) => JSON.parse(text(path));

describe('simulator exports of an integrate-and-fire network', () => {
  it('CrossSim: the layers reading spikes have inputs [0, 1] and an unsigned 1-bit DAC; the first layer reads the image signed', () => {
    const c1 = json('configs/crosssim/01_c1.json');
    expect(c1.core.mapping.inputs.mvm).toMatchObject({ min: -8, max: 7 });
    expect(c1.xbar.dac.mvm).toMatchObject({ bits: 4, signed: true });
    for (const file of ['02_c2.json', '03_logits.json']) {
      const params = json(`configs/crosssim/${file}`);
      expect(params.core.mapping.inputs.mvm, file).toMatchObject({ min: 0, max: 1 });
      expect(params.xbar.dac.mvm, file).toMatchObject({ bits: 1, signed: false });
    }
  });

  it('CrossSim: the index names the membrane a driver keeps outside CrossSim, and says how to run the T timesteps', () => {
    const index = json('configs/crosssim/index.json');
    expect(index.integrateAndFire).toEqual({ threshold: 4, leak: 1, reset: 'subtract', steps: 6, neurons: ['s1', 's2'] });
    expect(index.notes.join('\n')).toContain("CrossSim computes the crossbar products only. Run each layer's arrays once per timestep, 6 timesteps per image");
    expect(index.layers.map((l: { inputsSigned: boolean }) => l.inputsSigned)).toEqual([true, false, false]);
  });

  it('NeuroSim: the spikes are written as numBitInput-bit values 0 and 1 (both present)', () => {
    const bits = 4;
    const values = new Set<string>();
    for (const line of text('configs/neurosim/input_02_c2.csv').trim().split('\n')) {
      const columns = line.split(',');
      for (let v = 0; v < columns.length; v += bits) values.add(columns.slice(v, v + bits).join(''));
    }
    expect([...values].sort()).toEqual(['0000', '0001']);
  });

  it('NeuroSim: no membrane and one pass for T timesteps, in run.txt and as an IMC163 warning at the model line', () => {
    expect(text('configs/neurosim/run.txt')).toContain("integrate-and-fire neurons (model if: 's1', 's2'; threshold 4, leak 1, reset subtract)");
    const warnings = simulatorWarnings(p.design, p.mapping).filter((w) => w.code === 'IMC163');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].span.line).toBe(p.design.target.neuronCore.spiking!.span.line);
    expect(warnings[0].message).toContain('multiply its latency and dynamic energy per image by 6');
  });
});

const crossSim = simulatorPresent('CrossSim', CROSSSIM_DIR);

describe.skipIf(!crossSim)('CrossSim 3.2 runs the integrate-and-fire network', () => {
  let work = '';
  let result: CrossSimLayersResult;
  const index = json('configs/crosssim/index.json');

  beforeAll(async () => {
    // The operands are one timestep's (the reference's last): the spikes of the layers before.
    ({ work, result } = await runCrossSimLayers(p, files, 'imcc-crosssim-spiking-'));
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loads and validates every layer, and reproduces the exact products on spikes within half an ADC step per array', () => {
    // The operands hold spikes, so the check is not vacuous: some 1s in each layer after the first.
    for (const op of layerOperands(p.design, p.mapping, 48).slice(1)) expect(op.inputs.flat().some((v) => v === 1), op.layer).toBe(true);
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

describe.skipIf(!neuroSim)('NeuroSim V1.4 runs the integrate-and-fire network', () => {
  it('runs to completion and reports every layer', async () => {
    const work = mkdtempSync(join(tmpdir(), 'imcc-neurosim-spiking-'));
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
