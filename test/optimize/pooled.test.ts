// The optimizer replicates a layer with a fused pool or global average pool where the RTL implements it (pools whose
// windows end evenly in the blocks, on a ragged block's lattice too, chains of pools as well; any in method-1 columns
// and one pool in method-2 blocks, whose core queues the pooled pixels; column parts holding whole replicas and
// windows, or gathered in one core, which queues where an unsplit layer's would: src/mapping/replicatedPool.ts,
// the rule the RTL plan's IMC112 applies), and the mapping it chooses for ResNet-32 with its pooled last layer
// replicated is one the RTL plan accepts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { optimizeDesign } from '../../src/optimize/index.js';
import { searchUnits } from '../../src/optimize/units.js';
import { createProgram } from '../../src/pipeline/program.js';
import { planRtl } from '../../src/emit/rtl/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'imcc-optimize-pooled-'));

function design(name: string, tile: string, body: string[]): IrDesign {
  const file = join(dir, `${name}.imc`);
  writeFileSync(
    file,
    [
      'target pooled_target {',
      `  crossbar { size ${tile}; weight_bits 4; devices single; adc 32 bits shift auto; dac 4 bits }`,
      '  input_memory { word 64 bits; depth 512; layout auto }',
      '  controller { clock 250MHz; timestep 400ns }',
      '  neuron_core { ops psum, batchnorm, relu, residual, pool }',
      '  grid 8x8',
      '  link 1000Gbps',
      '}',
      `network ${name} on pooled_target {`,
      '  input image: 2x8x8, 4 bits',
      '  weights seed 3',
      '  defaults { activations 4 bits; weights 4 bits }',
      ...body.map((l) => `  ${l}`),
      '}',
    ].join('\n'),
  );
  const r = loadDesign(file);
  if (r.design === null) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.design;
}

/** The (replicas, dW) settings the search offers the unit of `layer`. */
function settings(d: IrDesign, layer: string): string[] {
  return searchUnits(d).find((u) => u.layers.includes(layer))!.options.map((o) => `${o.replicas}/${o.dW}`);
}

describe('search space of a layer with a fused pool', () => {
  it('a 2x2 max pool on an 8x8 plane: method-1 columns of 2, 4 and 8 rows and method-2 blocks of even widths', () => {
    const d = design('pool2', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(relu(c1), size 2)', 'output p1']);
    // Blocks of 8x2, 8x4 and 8x8 complete 4x1, 4x2 and 4x4 blocks of pooled pixels.
    expect(settings(d, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
    // As many as the unpooled twin, which also takes more replicas than the plane has rows in method-2 blocks.
    const plain = design('plain', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'output c1']);
    expect(settings(plain, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
  });

  it('a pool whose stride differs from its size, or two pools: the blocks that complete the same count', () => {
    // 3x3 every 2 padded by 1: windows end at rows (columns) 1, 3, 5, 7, evenly in columns of 2, 4 and 8 and in
    // strips of 2, 4 and 8 (method-2 blocks pool overlapping windows by position).
    const strided = design('strided', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 3, stride 2, pad 1)', 'output p1']);
    expect(settings(strided, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
    // 2x2 every 3: windows end at rows (columns) 1, 4, 7; columns and strips of 4 complete one, then two (their core
    // queues the pooled pixels and sends one per timestep); 2x2 blocks one.
    const sparse = design('sparse', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2, stride 3)', 'output p1']);
    expect(settings(sparse, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
    // The global average of the pooled plane ends at the last row: one pixel, in the last block (method-2 blocks pool
    // the chain by position in their stages).
    const two = design('two', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2)', 'g = gap(p1)', 'output g']);
    expect(settings(two, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
  });

  it('a global average pool: any block of whole rows and columns, in column parts too', () => {
    const gap = design('gap', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'g = gap(c1)', 'output g']);
    expect(settings(gap, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
    // 16-column tiles: 8 output channels x 2 replicas fill one; 4 or more replicas need column parts, whose one window
    // the last part gathers.
    const narrow = design('narrow', '256x16', ['c1 = conv(image, out 8, kernel 3x3, pad 1)', 'g = gap(c1)', 'output g']);
    expect(settings(narrow, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
  });
});

describe('column parts of a pooled layer', () => {
  it('are offered where each part holds whole replicas and whole windows, or one core gathers the parts', () => {
    // 16-column tiles, 8 channels: 4 replicas in columns of 4 split in two parts of replicas {0, 1} and {2, 3}, each
    // holding whole 2x2 windows, and 8 replicas in four parts likewise. In method-2 blocks (16/2: 8x2) a window spans
    // both block columns, whose replicas lie in different parts: the last part gathers the block.
    const split = design('split', '256x16', ['c1 = conv(image, out 8, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2)', 'output p1']);
    expect(settings(split, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
  });

  it('are offered gathered where the pool queues: windows that end together in method-1 columns and method-2 blocks', () => {
    // 3x3 windows every pixel padded by 1 end together at the last row and column: 4 and 8 replicas (two and four
    // parts) are gathered in the last core, which queues them as an unsplit layer's core does; so are method-2 blocks
    // (their one pool's core emits every window a pixel ends, one a cycle).
    const together = design('together', '256x16', ['c1 = conv(image, out 8, kernel 3x3, pad 1)', 'p1 = avgpool(c1, size 3, stride 1, pad 1)', 'output p1']);
    expect(settings(together, 'c1')).toEqual(['1/1', '2/1', '4/1', '8/1', '16/2', '32/4', '64/8']);
    const mapped = design('together4', '256x16', [
      'c1 = conv(image, out 8, kernel 3x3, pad 1)',
      'p1 = avgpool(c1, size 3, stride 1, pad 1)',
      'output p1',
      'mapping {',
      '  default replicas 1, method 1, layout auto',
      '  layer c1: replicas 4, method 1',
      '}',
    ]);
    const plan = planRtl(createProgram(mapped));
    expect(plan.cores.map((c) => [c.core.id, c.gathers, c.neuron?.pooledGroup])).toEqual([
      ['c00', false, undefined],
      ['c01', true, { rows: 1, cols: 1 }],
    ]);
  });
});

describe('ragged blocks of a pooled layer (--ragged)', () => {
  it('are offered on any lattice (equal blocks of pooled pixels in order, or queued), and the RTL plan accepts them', () => {
    // 3x3 windows padded by 1 on 8x8: 3 replicas dW 2 end one window per block that ends any, in column order;
    // 2x2 windows: 3 replicas dW 2 end one or two per block (queued); 2x2 windows every pixel: a pixel of the
    // lattice ends two (queued, the core emitting both), also before a global average pool (a stage emitting both).
    const padded = design('ragged3', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 3, pad 1)', 'output p1']);
    const offered = (d: IrDesign) => searchUnits(d, { ragged: true }).find((u) => u.layers.includes('c1'))!.options.map((o) => `${o.replicas}/${o.dW}`);
    expect(offered(padded)).toContain('3/2');
    const pairs = design('ragged2', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2)', 'output p1']);
    expect(offered(pairs)).toContain('3/2');
    const overlapping = design('ragged2s1', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2, stride 1)', 'output p1']);
    expect(offered(overlapping)).toContain('3/2');
    const chain = design('ragged2s1chain', '256x256', ['c1 = conv(image, out 4, kernel 3x3, pad 1)', 'p1 = maxpool(c1, size 2, stride 1)', 'g = gap(p1)', 'output g']);
    expect(offered(chain)).toContain('3/2');
    const mapped = design('ragged3mapped', '256x256', [
      'c1 = conv(image, out 4, kernel 3x3, pad 1)',
      'p1 = maxpool(c1, size 3, pad 1)',
      'output p1',
      'mapping {',
      '  default replicas 1, method 1, layout auto',
      '  layer c1: replicas 3, method 2, dw 2',
      '}',
    ]);
    const plan = planRtl(createProgram(mapped));
    expect(plan.cores.filter((c) => c.neuron?.pool).map((c) => [c.layer.layer, c.neuron!.pooledGroup, c.neuron!.pool!.byPosition])).toEqual([['c1', { rows: 1, cols: 1 }, true]]);
  });
});

describe('LeNet: both convolutions run a 2x2 max pool', () => {
  it('the chosen mapping replicates c1 in 4x4 blocks (2x2 pooled pixels each) and c2 in columns, and the RTL plan accepts it', () => {
    const r = loadDesign('examples/lenet.imc');
    const result = optimizeDesign(r.design!, { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: false, batch: 100, budget: 16 });
    expect([...result.chosen.layers].filter(([, c]) => c.replicas > 1)).toEqual([
      ['c1', { replicas: 16, dW: 4 }],
      ['c2', { replicas: 2, dW: 1 }],
    ]);
    const plan = planRtl(createProgram(result.design));
    expect(plan.cores.filter((c) => c.replicas > 1 && c.neuron?.pool).map((c) => [c.layer.layer, c.neuron!.pooledGroup])).toEqual([
      ['c1', { rows: 2, cols: 2 }],
      ['c2', { rows: 1, cols: 1 }],
    ]);
  });
});

describe('ResNet-32: the last stage, which runs the global average pool, may be replicated', () => {
  it('at 60 cores (bandwidth lifted) the chosen mapping replicates it, and the RTL plan accepts the mapping', () => {
    const r = loadDesign('examples/resnet32.imc');
    const result = optimizeDesign(r.design!, { strategy: 'pareto', objective: 'throughput', ignoreBandwidth: true, batch: 100, budget: 60 });
    expect(result.chosen.layers.get('stage3.3.c2')).toMatchObject({ replicas: 2, dW: 1 });
    const plan = planRtl(createProgram(result.design));
    expect(plan.cores.filter((c) => c.layer.layer === 'stage3.3.c2' && c.neuron?.pool).map((c) => c.neuron!.pooledPixels)).toEqual([1]);
  }, 120_000);
});
