// The examples load into the IR the later phases rely on: ResNet-32 exactly as Dazzi et al. 2021 ran it
// (docs/paper-facts.md; Table 2 with its two misprints corrected), the speed-up mapping, and the small LeNet.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import type { ConvOp, IrDesign, IrNode } from '../../src/ir/types.js';
import { isWeightOp } from '../../src/ir/types.js';
import { networkSummary } from '../../src/ir/summary.js';
import { defaultRequantShift } from '../../src/ir/weights.js';

function load(file: string): IrDesign {
  const r = loadDesign(file);
  expect(r.diagnostics).toEqual([]);
  expect(r.design).not.toBeNull();
  return r.design!;
}

const weightLayers = (d: IrDesign): IrNode[] => d.network.nodes.filter((n) => isWeightOp(n.op));
const byName = (d: IrDesign): Map<string, IrNode> => new Map(d.network.nodes.map((n) => [n.name, n]));

describe('examples/resnet32.imc (Table 2 of Dazzi et al. 2021)', () => {
  const d = load('examples/resnet32.imc');
  const layers = weightLayers(d);
  const nodes = byName(d);
  const inputOf = (n: IrNode): IrNode => nodes.get(n.inputs[0])!;
  const main = layers.filter((n) => n.op.kind === 'conv' && !(n.op as ConvOp).shortcut);
  const rows = (n: IrNode): number => {
    const op = n.op as ConvOp;
    return op.kernelHeight * op.kernelWidth * inputOf(n).shape.channels;
  };

  it('has 34 weight layers: 31 3x3 convolutions, 2 resampling 1x1 shortcuts, 1 fc', () => {
    expect(layers).toHaveLength(34);
    expect(main).toHaveLength(31);
    expect(main.every((n) => (n.op as ConvOp).kernelHeight === 3 && (n.op as ConvOp).kernelWidth === 3)).toBe(true);
    const rs = layers.filter((n) => n.op.kind === 'conv' && (n.op as ConvOp).shortcut);
    expect(rs.map((n) => n.name)).toEqual(['stage2a.s', 'stage3a.s']);
    expect(layers.filter((n) => n.op.kind === 'fc').map((n) => n.name)).toEqual(['logits']);
    expect(networkSummary(d.network)).toMatchObject({ weightLayers: 34, conv: 31, shortcut: 2, fc: 1, weights: 361_712 });
  });

  it('Table 2 rows and columns per layer (layer 12 has Cin=16: 144 rows; layer 22 has Cin=28: 252 rows)', () => {
    const table = main.map((n) => [rows(n), (n.op as ConvOp).outChannels, n.shape.height, (n.op as ConvOp).stride]);
    expect(table[0]).toEqual([27, 16, 32, 1]); // layer 1
    for (let i = 1; i <= 10; i++) expect(table[i]).toEqual([144, 16, 32, 1]); // layers 2-11
    expect(table[11]).toEqual([144, 28, 16, 2]); // layer 12: 32x32 -> 16x16
    for (let i = 12; i <= 20; i++) expect(table[i]).toEqual([252, 28, 16, 1]); // layers 13-21
    expect(table[21]).toEqual([252, 56, 8, 2]); // layer 22: 16x16 -> 8x8
    for (let i = 22; i <= 30; i++) expect(table[i]).toEqual([504, 56, 8, 1]); // layers 23-31
    const rs1 = nodes.get('stage2a.s')!;
    const rs2 = nodes.get('stage3a.s')!;
    expect([rows(rs1), (rs1.op as ConvOp).outChannels, rs1.shape.height, (rs1.op as ConvOp).stride]).toEqual([16, 28, 16, 2]);
    expect([rows(rs2), (rs2.op as ConvOp).outChannels, rs2.shape.height, (rs2.op as ConvOp).stride]).toEqual([28, 56, 8, 2]);
    const fc = nodes.get('logits')!;
    expect(inputOf(fc).shape).toEqual({ channels: 56, height: 1, width: 1 });
    expect(fc.shape).toEqual({ channels: 10, height: 1, width: 1 });
  });

  it('is in topological order with unique names and a 3x32x32 8-bit input', () => {
    const seen = new Set<string>();
    for (const n of d.network.nodes) {
      for (const i of n.inputs) expect(seen.has(i)).toBe(true);
      expect(seen.has(n.name)).toBe(false);
      seen.add(n.name);
    }
    expect(d.network.nodes[0]).toMatchObject({ name: 'image', op: { kind: 'input' }, shape: { channels: 3, height: 32, width: 32 }, activationBits: 8, inputs: [] });
    expect(d.network.output).toBe('logits');
    expect(d.network.weights).toMatchObject({ kind: 'seed', seed: 2021 });
  });

  it('names instances, nested calls and returned calls by the documented rule', () => {
    for (const name of ['stem', 'stem.batchnorm', 'stem.conv', 'stage1.0.c1', 'stage1.0.b1', 'stage1.0.r1', 'stage1.0.add', 'stage1.0', 'stage1.4', 'stage2a', 'stage2.3', 'logits.gap', 'logits.flatten']) {
      expect(nodes.has(name), name).toBe(true);
    }
    expect(nodes.get('stage1.0')!.op.kind).toBe('relu');
    // Repetition chains instances: stage1.1 reads stage1.0; the residual shortcut of stage1.0 is the stem.
    expect(nodes.get('stage1.1.c1')!.inputs).toEqual(['stage1.0']);
    expect(nodes.get('stage1.0.add')!.inputs).toEqual(['stage1.0.b2', 'stem']);
    expect(nodes.get('stage2a.c1')!.inputs).toEqual(['stage1.4']);
  });

  it('resolves requantization with defaultRequantShift and mapping directives on every weight layer', () => {
    for (const n of layers) {
      expect(n.weightBits).toBe(8);
      expect(n.activationBits).toBe(8);
      const fanIn = n.op.kind === 'fc' ? 56 : rows(n);
      const bn = d.network.nodes.some((m) => m.op.kind === 'batchnorm' && m.inputs[0] === n.name);
      expect(n.requant).toEqual({ shift: defaultRequantShift(fanIn, 8, bn), auto: true });
      expect(n.mapping).toMatchObject({ replicas: 1, method: 1, dW: 1, layout: 'auto' });
      expect(n.span.file).toBe('examples/resnet32.imc');
    }
  });

  it('reads the paper target with units converted', () => {
    expect(d.target).toMatchObject({
      name: 'dazzi2021',
      crossbar: { rows: 256, cols: 256, weightBits: 8, devicesPerWeight: 2, adcBits: 24, adcShift: 'auto', dacBits: 8 },
      inputMemory: { wordBits: 128, depth: 512, layout: 'auto' },
      controller: { clockHz: 500e6, timestepNs: 100 },
      neuronCore: { ops: ['psum', 'batchnorm', 'relu', 'residual', 'pool'] },
      grid: { rows: 8, cols: 8 },
      link: { bandwidthGbps: 4.5 },
    });
    expect(d.target.crossbar.device).toMatchObject({
      gMin: 1e-7,
      gMax: 25e-6,
      levels: 16,
      encoding: 'differential',
      programmingError: { sigma: 0.02, model: 'proportional' },
      readNoise: { sigma: 0.01, model: 'independent' },
      sourceResistance: 500,
      neuronResistance: 500,
      wireResistanceRow: 1,
      wireResistanceCol: 1,
      readVoltage: 0.2,
    });
    expect(d.target.span).toMatchObject({ file: 'examples/targets/dazzi2021.imc' });
    expect(d.sources).toEqual(['examples/resnet32.imc', 'examples/targets/dazzi2021.imc']);
  });
});

describe('examples/resnet32-speedup.imc (section 3.1.4: 4/2/1 pixels per timestep)', () => {
  const base = load('examples/resnet32.imc');
  const d = load('examples/resnet32-speedup.imc');

  it('is the same network with the same weight seed', () => {
    const strip = (n: IrNode) => ({ name: n.name, op: n.op, inputs: n.inputs, shape: n.shape, requant: n.requant, weightBits: n.weightBits });
    expect(d.network.nodes.map(strip)).toEqual(base.network.nodes.map(strip));
    expect(d.network.weights.seed).toBe(base.network.weights.seed);
    expect(d.network.name).toBe('resnet32_speedup');
    expect(d.sources).toEqual(['examples/resnet32-speedup.imc', 'examples/resnet32.imc', 'examples/targets/dazzi2021.imc']);
  });

  it('maps stem and stage 1 at 4, stage 2 (incl. layer 12 and RS1) at 2, stage 3 (incl. RS2) and the fc at 1', () => {
    const replicas = (n: IrNode) => n.mapping!.replicas;
    for (const n of weightLayers(d)) {
      const expected = n.name.startsWith('stem') || n.name.startsWith('stage1.') ? 4 : n.name.startsWith('stage2') ? 2 : 1;
      expect(replicas(n), n.name).toBe(expected);
    }
    const nodes = byName(d);
    expect(nodes.get('stage1.3.c2')!.mapping).toMatchObject({ replicas: 4, method: 2, dW: 2 });
    expect(nodes.get('stem.conv')!.mapping).toMatchObject({ replicas: 4, method: 2, dW: 2 });
    expect(nodes.get('stage2a.s')!.mapping).toMatchObject({ replicas: 2, method: 1 });
    expect(nodes.get('stage3a.s')!.mapping).toMatchObject({ replicas: 1, method: 1 });
    expect(nodes.get('stage2a.c1')!.mapping!.span.file).toBe('examples/resnet32-speedup.imc');
  });
});

describe('examples/lenet.imc', () => {
  const d = load('examples/lenet.imc');
  it('is a small LeNet-like CNN on a 64x64-tile target', () => {
    expect(d.network.nodes.map((n) => `${n.name}:${n.op.kind}:${n.shape.channels}x${n.shape.height}x${n.shape.width}`)).toEqual([
      'image:input:1x28x28',
      'c1:conv:4x24x24',
      'r1:relu:4x24x24',
      'p1:maxpool:4x12x12',
      'c2:conv:8x8x8',
      'r2:relu:8x8x8',
      'p2:maxpool:8x4x4',
      'f1.flatten:flatten:128x1x1',
      'f1.fc:fc:16x1x1',
      'f1:relu:16x1x1',
      'logits:fc:10x1x1',
    ]);
    expect(networkSummary(d.network).weights).toBe(3108);
    expect(d.target.crossbar).toMatchObject({ rows: 64, cols: 64, weightBits: 4, devicesPerWeight: 1 });
    expect(d.target.crossbar.device).toBeUndefined();
    expect(weightLayers(d).every((n) => n.weightBits === 4 && n.activationBits === 4)).toBe(true);
  });
});

describe('examples/targets/dazzi2021.imc', () => {
  it('is a target file, not a design (IMC212 from loadDesign)', () => {
    const r = loadDesign('examples/targets/dazzi2021.imc');
    expect(r.design).toBeNull();
    expect(r.diagnostics.map((x) => x.code)).toEqual(['IMC212']);
  });
});
