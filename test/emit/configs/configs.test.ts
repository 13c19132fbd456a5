// Simulator configurations: every emitted JSON validates against its schema, output is byte-identical across runs,
// the NeuroSim layer table of ResNet-32 matches the mapping line by line, and the trace formats follow NeuroSim's
// own trace writer (Inference_pytorch/utee/hook.py of DNN+NeuroSim).
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../../src/ir/load.js';
import type { IrDesign } from '../../../src/ir/types.js';
import { mapDesign } from '../../../src/mapping/index.js';
import { validateJson } from '../../../src/support/schema.js';
import { simulatorConfigs, simulatorWarnings, type ConfigFile } from '../../../src/emit/configs/index.js';
import { createProgram } from '../../../src/pipeline/program.js';
import {
  inputTraceLines,
  neurosimSetup,
  neurosimVectorCount,
  twosComplementBits,
  weightLines,
  type NetworkRow,
} from '../../../src/emit/configs/neurosim.js';

function load(file: string): IrDesign {
  const { design, diagnostics } = loadDesign(file);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return design;
}

function byPath(files: ConfigFile[], path: string): ConfigFile {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(', ')}`);
  return f;
}

function validateAll(files: ConfigFile[]): number {
  let n = 0;
  for (const f of files.filter((x) => x.path.startsWith('configs/crosssim/'))) {
    validateJson(f.path.endsWith('/index.json') ? 'crosssim-index' : 'crosssim', JSON.parse(f.content));
    n++;
  }
  return n;
}

describe('LeNet (64x64 tiles, row splits): files, schemas, determinism', () => {
  const design = load('examples/lenet.imc');
  const mapping = mapDesign(design);
  const files = simulatorConfigs(createProgram(design, { mapping }));

  it('writes one CrossSim file per layer plus the index, all valid, and the NeuroSim files', () => {
    expect(validateAll(files)).toBe(mapping.layers.length + 1);
    const paths = files.map((f) => f.path);
    expect(paths).toContain('configs/neurosim/NetWork.csv');
    expect(paths).toContain('configs/neurosim/run.txt');
    expect(paths.filter((p) => /configs\/neurosim\/weight_/.test(p))).toHaveLength(mapping.layers.length);
    expect(paths.filter((p) => /configs\/neurosim\/input_/.test(p))).toHaveLength(mapping.layers.length);
    for (const p of paths) expect(p).toMatch(/^configs\/(crosssim|neurosim)\/[A-Za-z0-9_.-]+$/);
  });

  it('is byte-identical across runs', () => {
    const again = simulatorConfigs(createProgram(load('examples/lenet.imc')));
    expect(again.map((f) => [f.path, f.content])).toEqual(files.map((f) => [f.path, f.content]));
  });

  it('the CrossSim index lists every core of every layer with its rectangle of the kernel matrix', () => {
    const index = JSON.parse(byPath(files, 'configs/crosssim/index.json').content);
    expect(index.crosssimVersion).toBe('3.2');
    const cores = index.layers.flatMap((l: { tiles: Array<{ core: string }> }) => l.tiles.map((t) => t.core));
    expect(cores.sort()).toEqual(mapping.cores.map((c) => c.id).sort());
    const f1 = index.layers.find((l: { layer: string }) => l.layer === 'f1.fc');
    expect(f1.kernelRows).toBe(128);
    expect(f1.tiles).toHaveLength(2); // 128 rows on 64-row tiles: a row split with partial sums
  });

  it('a target without a device block gives ideal CrossSim devices (single device per weight: offset core)', () => {
    const p = JSON.parse(byPath(files, 'configs/crosssim/01_c1.json').content);
    expect(p.core.style).toBe(3);
    expect(p.xbar.device.read_noise.enable).toBe(false);
    expect(p.xbar.array.parasitics.enable).toBe(false);
    expect(p.core.mapping.weights).toMatchObject({ min: -7, max: 7 });
    // CrossSim's units: one accumulator unit is 1 / (wmax (2^a - 1)) = 1/105 of its array output; the 12-bit range
    // grows by the offset current 0.5 * sum(x) over 25 rows (25 * 105 more steps): 13 bits at imcc's step.
    const adc = p.xbar.adc.mvm;
    expect(adc.bits).toBe(13);
    expect((adc.calibrated_range[1] - adc.calibrated_range[0]) / (2 ** 13 - 1)).toBeCloseTo(1 / 105, 9);
    expect(adc.calibrated_range[0]).toBeCloseTo(-2048 / 105 - 0.5 * 25 * (16 / 15), 6);
  });

  it('weight and input files have the shapes NeuroSim reads', () => {
    // c2: 5x5 kernel on 4 channels of a 12x12 map, 8 outputs: 100 rows, 8 columns; (12-5+1)^2 = 64 vectors x 4 bits.
    const w = byPath(files, 'configs/neurosim/weight_02_c2.csv').content.trimEnd().split('\n');
    expect(w).toHaveLength(100);
    expect(w[0].split(',')).toHaveLength(8);
    const x = byPath(files, 'configs/neurosim/input_02_c2.csv').content.trimEnd().split('\n');
    expect(x).toHaveLength(100);
    expect(x[0].split(',')).toHaveLength(64 * 4);
    expect(new Set(x.flatMap((l) => l.split(',')))).toEqual(new Set(['0', '1']));
  });
});

describe('ResNet-32 on dazzi2021: NetWork.csv checked line by line against the mapping', () => {
  const design = load('examples/resnet32.imc');
  const mapping = mapDesign(design);
  const files = simulatorConfigs(createProgram(design, { mapping }), { neurosimTraces: false });
  const lines = byPath(files, 'configs/neurosim/NetWork.csv').content.split('\n');

  it('has 34 lines, no header, one per mapped weight layer in mapping order', () => {
    expect(lines[lines.length - 1]).toBe('');
    expect(lines).toHaveLength(35);
    expect(mapping.layers).toHaveLength(34);
  });

  it('each line is the layer input H, W, C, kernel H, W, output C, pooling flag, stride from the mapping', () => {
    const nodes = new Map(design.network.nodes.map((n) => [n.name, n]));
    mapping.layers.forEach((l, i) => {
      const v = lines[i].split(',').map(Number);
      expect(v).toHaveLength(8);
      const m = l.matrix;
      const pooled = l.fused.some((f) => ['maxpool', 'avgpool', 'gap'].includes(nodes.get(f)!.op.kind)) ? 1 : 0;
      if (l.kind === 'fc') {
        const n = l.inputShape.channels * l.inputShape.height * l.inputShape.width;
        expect(v).toEqual([1, 1, n, 1, 1, m.kernelCols, pooled, 1]);
      } else {
        expect(v).toEqual([l.inputShape.height, l.inputShape.width, l.inputShape.channels, m.kernelHeight, m.kernelWidth, m.kernelCols, pooled, m.stride]);
        expect(m.kernelRows).toBe(v[2] * v[3] * v[4]);
      }
    });
  });

  it('matches the ResNet-32 of the paper (channels 16/28/56, stride-2 stage entries, 1x1 RS shortcuts, fc 56 -> 10)', () => {
    const expected = [
      '32,32,3,3,3,16,0,1',
      ...Array(10).fill('32,32,16,3,3,16,0,1'),
      '32,32,16,3,3,28,0,2',
      '16,16,28,3,3,28,0,1',
      '32,32,16,1,1,28,0,2',
      ...Array(8).fill('16,16,28,3,3,28,0,1'),
      '16,16,28,3,3,56,0,2',
      '8,8,56,3,3,56,0,1',
      '16,16,28,1,1,56,0,2',
      ...Array(7).fill('8,8,56,3,3,56,0,1'),
      '8,8,56,3,3,56,1,1', // the global average pool runs in the last conv's neuron core
      '1,1,56,1,1,10,0,1',
    ];
    expect(lines.slice(0, 34)).toEqual(expected);
  });

  it('the CrossSim files carry the target device: PCM 0.1-25 uS, 16 levels, 2 % / 1 % noise, 500 Ohm, 1 Ohm wires', () => {
    expect(validateAll(files)).toBe(35);
    const p = JSON.parse(byPath(files, 'configs/crosssim/34_logits.json').content);
    expect(p.core.style).toBe(1); // differential pair: balanced core
    expect(p.core.rows_max).toBe(256);
    expect(p.xbar.device).toMatchObject({
      cell_bits: 4,
      Vread: 0.2,
      read_noise: { enable: true, model: 'NormalIndependentDevice', magnitude: 0.01 },
      programming_error: { enable: true, model: 'NormalProportionalDevice', magnitude: 0.02 },
    });
    expect(p.xbar.device.Rmin).toBeCloseTo(40000, 6);
    expect(p.xbar.device.Rmax).toBeCloseTo(1e7, 3);
    expect(p.xbar.array.parasitics).toMatchObject({ enable: true, Rp_row: 1, Rp_col: 1, Rp_row_terminal: 500, Rp_col_terminal: 500 });
    // 24-bit ADC, shift auto: lossless for 56 rows, so the range is the 24-bit code range in CrossSim's units, one
    // accumulator unit = 2 Grange / (wmax (2^a - 1)) with Grange = 1 - gMin/gMax = 0.996.
    const unit = (2 * 0.996) / (127 * 255);
    expect(p.xbar.adc.mvm.bits).toBe(24);
    expect(p.xbar.adc.mvm.calibrated_range[0]).toBeCloseTo(-(2 ** 23) * unit, 6);
    expect(p.xbar.adc.mvm.calibrated_range[1]).toBeCloseTo((2 ** 23 - 1) * unit, 6);
    // NeuroSim: 8-bit weights on 4-bit cells are 2 cells; the widest layer (56 outputs) gets a PE of 2^ceil(log2(112))
    // = 128 >= 2 x numRowSubArray, so 64-row subarrays; one read of 64 rows of 4-bit cells has 64 x 15 + 1 = 961
    // levels: levelOutput 1024, not 2^24.
    const run = byPath(files, 'configs/neurosim/run.txt').content;
    expect(run).toContain('main NetWork.csv 8 8 64 64 weight_01_stem_conv.csv input_01_stem_conv.csv');
    expect(run).toContain('numRowSubArray = 64;');
    expect(run).toContain('cellBit = 4;');
    expect(run).toContain('levelOutput = 1024;');
    expect(run).toContain('novelMapping = true;');
    const script = byPath(files, 'configs/neurosim/neurosim.sh').content;
    expect(script).toContain("sed -i -E 's/^([[:space:]]*levelOutput[[:space:]]*=)[^;]*;/\\1 1024;/'");
    const warnings = simulatorWarnings(design, mapping);
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([
      ['IMC160', 'warning'],
      ['IMC161', 'warning'],
    ]);
    expect(warnings[0].message).toContain('subarrays of 64x64 instead of the target\'s 256-row crossbars');
    expect(warnings[1].message).toContain('differential pairs');
  });
});

describe('trace formats (hook.py conventions)', () => {
  it('inputs are two\'s complement, sign bit first', () => {
    expect(twosComplementBits(5, 4)).toEqual(['0', '1', '0', '1']);
    expect(twosComplementBits(-3, 4)).toEqual(['1', '1', '0', '1']);
    expect(twosComplementBits(-8, 4)).toEqual(['1', '0', '0', '0']);
  });

  it('NeuroSim reads (H-K+1)/S*(W-K+1)/S vectors, computed in double and truncated once', () => {
    const row = (h: number, k: number, s: number): NetworkRow => ({
      layer: 'x', inputHeight: h, inputWidth: h, inputChannels: 1, kernelHeight: k, kernelWidth: k, outputChannels: 1, pooling: 0, stride: s,
    });
    expect(neurosimVectorCount(row(32, 3, 1))).toBe(900);
    expect(neurosimVectorCount(row(32, 3, 2))).toBe(225);
    expect(neurosimVectorCount(row(32, 1, 2))).toBe(256);
    expect(neurosimVectorCount(row(1, 1, 1))).toBe(1);
    // Not whole: (13 - 3 + 1) / 2 = 5.5 in double, 5.5 * 11 / 2 = 30.25, truncated once to 30 (C int: 27).
    expect(neurosimVectorCount(row(13, 3, 2))).toBe(30);
  });

  it('a 2-channel 3x3 input with a 2x2 kernel: rows c*4 + ky*2 + kx, vectors row-major, 3-bit values', () => {
    const r: NetworkRow = { layer: 'x', inputHeight: 3, inputWidth: 3, inputChannels: 2, kernelHeight: 2, kernelWidth: 2, outputChannels: 1, pooling: 0, stride: 1 };
    const data = Float64Array.from([0, 1, 2, 3, -1, -2, -3, -4, 3, /* channel 1 */ 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const lines = inputTraceLines(r, { shape: { channels: 2, height: 3, width: 3 }, data }, 3);
    expect(lines).toHaveLength(8);
    // Row 0 = channel 0, (ky, kx) = (0, 0): the top-left pixel of each of the 4 patches: 0, 1, 3, -1.
    expect(lines[0]).toBe(['0,0,0', '0,0,1', '0,1,1', '1,1,1'].join(','));
    // Row 3 = channel 0, (1, 1): 3, -1... the bottom-right pixels: -1, -2, -4, 3 -> 111, 110, 100, 011.
    expect(lines[3]).toBe(['1,1,1', '1,1,0', '1,0,0', '0,1,1'].join(','));
    expect(lines[4]).toBe(Array(4).fill('0,0,1').join(','));
  });

  it('weights: rows (c, ky, kx), columns output channels, fraction of 2^(wb-1) printed like %10.5f', () => {
    const r: NetworkRow = { layer: 'x', inputHeight: 2, inputWidth: 2, inputChannels: 1, kernelHeight: 1, kernelWidth: 2, outputChannels: 2, pooling: 0, stride: 1 };
    // OIHW: o0 = [7, -8], o1 = [1, 0]
    expect(weightLines(r, [7, -8, 1, 0], 4)).toEqual(['   0.87500,   0.12500', '  -1.00000,   0.00000']);
  });
});

describe('NeuroSim traces are as wide as NeuroSim reads', () => {
  // NeuroSim reads numInVector x numBitInput columns per trace line, numBitInput being the run's one (the widest).
  for (const file of ['test/emit/configs/fixtures/odd-stride.imc', 'test/emit/configs/fixtures/mixed-bits.imc']) {
    it(file, () => {
      const design = load(file);
      const mapping = mapDesign(design);
      const files = simulatorConfigs(createProgram(design, { mapping }));
      const table = byPath(files, 'configs/neurosim/NetWork.csv').content.trimEnd().split('\n');
      const bits = file.includes('mixed') ? 8 : 4;
      expect(byPath(files, 'configs/neurosim/run.txt').content).toContain(`main NetWork.csv 4 ${bits} `);
      const traces = files.filter((f) => /configs\/neurosim\/input_/.test(f.path));
      expect(traces).toHaveLength(table.length);
      traces.forEach((t, i) => {
        const [h, w, c, kh, kw, , , s] = table[i].split(',').map(Number);
        const row: NetworkRow = { layer: '', inputHeight: h, inputWidth: w, inputChannels: c, kernelHeight: kh, kernelWidth: kw, outputChannels: 1, pooling: 0, stride: s };
        const lines = t.content.trimEnd().split('\n');
        expect(lines, t.path).toHaveLength(c * kh * kw);
        for (const l of lines) expect(l.split(',').length, t.path).toBe(neurosimVectorCount(row) * bits);
      });
      if (file.includes('odd')) {
        // c1: 13x13 input, 3x3 kernel, stride 2: 5.5 * 11 / 2 = 30.25 -> 30 vectors (C int: 27; output 6x6 = 36).
        expect(table[0]).toBe('13,13,2,3,3,6,0,2');
        expect(byPath(files, 'configs/neurosim/input_01_c1_conv.csv').content.split('\n')[0].split(',')).toHaveLength(30 * 4);
      }
    });
  }
});

describe('NeuroSim setup', () => {
  const row = (cout: number, k = 3, cin = 16): NetworkRow => ({ layer: 'x', inputHeight: 8, inputWidth: 8, inputChannels: cin, kernelHeight: k, kernelWidth: k, outputChannels: cout, pooling: 0, stride: 1 });
  const target = { rows: 256, cols: 256, adcBits: 8, levels: 16, differential: false };

  it('picks the largest power-of-two subarray whose PE (2^ceil(log2(Cout x cells))) is at least twice as tall', () => {
    // 8-bit weights on 4-bit cells: 2 cells; Cout 100 -> 256-column PE -> 128-row subarrays.
    const s = neurosimSetup([row(100), row(100)], target, [8, 8], [8, 8]);
    expect(s).toMatchObject({ numRowSubArray: 128, numRowParallel: 128, cellBit: 4, novelMapping: true, subArrayReduced: true });
    // One read of 128 rows of 4-bit cells is lossless with 128 x 15 + 1 -> 2048 levels; the target's 8-bit ADC is smaller.
    expect(s.levelOutput).toBe(256);
    expect(neurosimSetup([row(100), row(100)], { ...target, adcBits: 16 }, [8, 8], [8, 8]).levelOutput).toBe(2048);
  });

  it('says so when no subarray fits the hierarchy', () => {
    const s = neurosimSetup([row(1, 1, 1)], { ...target, levels: 2 }, [1], [4]);
    expect(s.unexpressed.join('\n')).toContain("NeuroSim will stop with 'SubArray Size is too large'");
  });
});
