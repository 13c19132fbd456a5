// Hand-built ResNet-32 (the paper's section 3.1, Table 2 with docs/paper-facts.md's corrections: channels 16/28/56, layer 12
// reads 16 channels, layer 22 reads 28) and a small mapping built with the mapping phase's own helpers, so the
// dataflow tests do not depend on the language; mapped by the mapping phase (mapDesign). Also small networks for targeted timing tests.
import type { SourceSpan } from '../../src/diagnostics/index.js';
import type { IrDesign, IrNode, IrTarget, MappingDirective, Op, Shape } from '../../src/ir/types.js';
import { isWeightOp } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import type { Mapping } from '../../src/mapping/types.js';
import { uniformPadding } from '../../src/ir/padding.js';

const FILE = 'fixture.imc';
let nextLine = 1;
function span(): SourceSpan {
  return { file: FILE, line: nextLine++, column: 1, length: 1 };
}

/** Replication per stage: replicas and block width (dW) for the layers of each output-plane size. */
export interface StageReplication {
  replicas: number;
  dW: number;
}

export interface FixtureOptions {
  /** Stage 1 (32x32 outputs), 2 (16x16), 3 (8x8). Default: one replica everywhere (section 3.1.3). */
  stages?: [StageReplication, StageReplication, StageReplication];
  linkBandwidthGbps?: number;
  timestepNs?: number;
}

/** The speed-up of section 3.1.4: 4 / 2 / 1 pixels per timestep; 4 replicas in a 2x2 block fit 256 rows. */
export const SPEEDUP_STAGES: [StageReplication, StageReplication, StageReplication] = [
  { replicas: 4, dW: 2 },
  { replicas: 2, dW: 1 },
  { replicas: 1, dW: 1 },
];

export function fixtureTarget(opts: { linkBandwidthGbps?: number; timestepNs?: number; tileRows?: number } = {}): IrTarget {
  return {
    name: 'dazzi2021',
    crossbar: { rows: opts.tileRows ?? 256, cols: 256, weightBits: 8, devicesPerWeight: 2, adcBits: 24, adcShift: 'auto', dacBits: 8, span: span() },
    inputMemory: { wordBits: 128, depth: 512, layout: 'auto', span: span() },
    controller: { clockHz: 500e6, timestepNs: opts.timestepNs ?? 100, span: span() },
    neuronCore: { ops: ['psum', 'batchnorm', 'relu', 'pool', 'residual'], span: span() },
    grid: { rows: 8, cols: 8, span: span() },
    link: { bandwidthGbps: opts.linkBandwidthGbps ?? 6, span: { file: FILE, line: 900, column: 3, length: 4 } },
    span: span(),
  };
}

class NetworkBuilder {
  readonly nodes: IrNode[] = [];
  private readonly shapes = new Map<string, Shape>();
  constructor(private readonly directive: (name: string, out: Shape) => MappingDirective) {}

  add(name: string, op: Op, inputs: string[], shape: Shape): string {
    const node: IrNode = { name, op, inputs, shape, activationBits: 8, span: span() };
    if (isWeightOp(op)) {
      node.weightBits = 8;
      node.requant = { shift: 6, auto: true };
      node.mapping = this.directive(name, shape);
    }
    this.nodes.push(node);
    this.shapes.set(name, shape);
    return name;
  }
  shape(name: string): Shape {
    return this.shapes.get(name)!;
  }
  input(name: string, shape: Shape): string {
    return this.add(name, { kind: 'input' }, [], shape);
  }
  conv(name: string, from: string, outChannels: number, k: number, stride: number, padding: number, shortcut = false): string {
    const s = this.shape(from);
    const out = {
      channels: outChannels,
      height: Math.floor((s.height + 2 * padding - k) / stride) + 1,
      width: Math.floor((s.width + 2 * padding - k) / stride) + 1,
    };
    return this.add(name, { kind: 'conv', outChannels, kernelHeight: k, kernelWidth: k, stride, padding: uniformPadding(padding), shortcut }, [from], out);
  }
  unary(name: string, kind: 'batchnorm' | 'relu' | 'flatten' | 'gap', from: string): string {
    const s = this.shape(from);
    const out = kind === 'gap' ? { channels: s.channels, height: 1, width: 1 } : kind === 'flatten' ? { channels: s.channels * s.height * s.width, height: 1, width: 1 } : s;
    return this.add(name, { kind } as Op, [from], out);
  }
  pool(name: string, kind: 'maxpool' | 'avgpool', from: string, size: number, stride: number): string {
    const s = this.shape(from);
    const out = { channels: s.channels, height: Math.floor((s.height - size) / stride) + 1, width: Math.floor((s.width - size) / stride) + 1 };
    return this.add(name, { kind, size, stride, padding: uniformPadding(0) }, [from], out);
  }
  addOp(name: string, main: string, shortcut: string): string {
    return this.add(name, { kind: 'add' }, [main, shortcut], this.shape(main));
  }
  fc(name: string, from: string, outFeatures: number): string {
    return this.add(name, { kind: 'fc', outFeatures }, [from], { channels: outFeatures, height: 1, width: 1 });
  }
}

function stageDirective(stages: [StageReplication, StageReplication, StageReplication]) {
  return (_name: string, out: Shape): MappingDirective => {
    const stage = out.height >= 32 ? stages[0] : out.height >= 16 ? stages[1] : out.height >= 8 ? stages[2] : { replicas: 1, dW: 1 };
    return { replicas: stage.replicas, method: stage.dW > 1 ? 2 : 1, dW: stage.dW, layout: 'auto', span: span() };
  };
}

/** ResNet-32 for CIFAR-10 as the paper ran it: 31 3x3 convolutions, two 1x1 resampling shortcuts, GAP, FC. */
export function resnet32Design(opts: FixtureOptions = {}): IrDesign {
  nextLine = 1;
  const b = new NetworkBuilder(stageDirective(opts.stages ?? [{ replicas: 1, dW: 1 }, { replicas: 1, dW: 1 }, { replicas: 1, dW: 1 }]));
  let x = b.input('image', { channels: 3, height: 32, width: 32 });
  x = b.unary('relu1', 'relu', b.unary('bn1', 'batchnorm', b.conv('conv1', x, 16, 3, 1, 1)));
  const channels = [16, 28, 56];
  for (let stage = 0; stage < 3; stage++) {
    for (let block = 0; block < 5; block++) {
      const first = stage > 0 && block === 0;
      const p = `s${stage + 1}b${block + 1}`;
      const c = channels[stage];
      const a = b.unary(`${p}.relu1`, 'relu', b.unary(`${p}.bn1`, 'batchnorm', b.conv(`${p}.conv1`, x, c, 3, first ? 2 : 1, 1)));
      const m = b.unary(`${p}.bn2`, 'batchnorm', b.conv(`${p}.conv2`, a, c, 3, 1, 1));
      const shortcut = first ? b.unary(`${p}.rsbn`, 'batchnorm', b.conv(`${p}.rs`, x, c, 1, 2, 0, true)) : x;
      x = b.unary(`${p}.relu2`, 'relu', b.addOp(`${p}.add`, m, shortcut));
    }
  }
  x = b.unary('flatten', 'flatten', b.unary('gap', 'gap', x));
  x = b.fc('fc', x, 10);
  return {
    network: { name: 'resnet32', nodes: b.nodes, output: x, weights: { kind: 'seed', seed: 1, span: span() }, span: span() },
    target: fixtureTarget(opts),
    sources: [FILE],
  };
}

/** A small network: conv (stride 1, pad 1), conv with a fused 2x2 max pool, flatten, fc. */
export function smallDesign(opts: { replicas?: number; dW?: number; linkBandwidthGbps?: number; height?: number } = {}): IrDesign {
  nextLine = 1;
  const r = opts.replicas ?? 1;
  const dW = opts.dW ?? 1;
  const b = new NetworkBuilder(() => ({ replicas: r, method: dW > 1 ? 2 : 1, dW, layout: 'auto', span: span() }));
  const h = opts.height ?? 8;
  let x = b.input('in', { channels: 2, height: h, width: h });
  x = b.unary('r1', 'relu', b.conv('c1', x, 4, 3, 1, 1));
  x = b.pool('p2', 'maxpool', b.unary('r2', 'relu', b.conv('c2', x, 4, 3, 1, 1)), 2, 2);
  x = b.fc('fc', b.unary('flat', 'flatten', x), 3);
  return {
    network: { name: 'small', nodes: b.nodes, output: x, weights: { kind: 'seed', seed: 1, span: span() }, span: span() },
    target: fixtureTarget({ linkBandwidthGbps: opts.linkBandwidthGbps }),
    sources: [FILE],
  };
}

export interface TinyOptions {
  height?: number;
  inChannels?: number;
  kernel?: number;
  padding?: number;
  stride?: number;
  replicas?: number;
  dW?: number;
  tileRows?: number;
  linkBandwidthGbps?: number;
  /** A 2x2 max pool fused after the convolution. */
  pool?: boolean;
  /** A second 3x3 convolution (padding 1) after the first, with this many replicas (method 1). */
  second?: number;
}

/** input (C x H x H) -> conv (2 channels) [-> 2x2 max pool] -> flatten -> fc (2): small enough to time by hand. */
export function tinyDesign(o: TinyOptions = {}): IrDesign {
  nextLine = 1;
  const r = o.replicas ?? 1;
  const dW = o.dW ?? 1;
  const b = new NetworkBuilder((name, out) =>
    name === 'c2'
      ? { replicas: o.second ?? 1, method: 1, dW: 1, layout: 'auto', span: span() }
      : out.height > 1
        ? { replicas: r, method: dW > 1 ? 2 : 1, dW, layout: 'auto', span: span() }
        : { replicas: 1, method: 1, dW: 1, layout: 'auto', span: span() },
  );
  const h = o.height ?? 4;
  let x = b.input('in', { channels: o.inChannels ?? 1, height: h, width: h });
  x = b.conv('c', x, 2, o.kernel ?? 3, o.stride ?? 1, o.padding ?? 1);
  if (o.pool) x = b.pool('p', 'maxpool', x, 2, 2);
  if (o.second !== undefined) x = b.conv('c2', x, 2, 3, 1, 1);
  x = b.fc('fc', b.unary('flat', 'flatten', x), 2);
  return {
    network: { name: 'tiny', nodes: b.nodes, output: x, weights: { kind: 'seed', seed: 1, span: span() }, span: span() },
    target: fixtureTarget({ linkBandwidthGbps: o.linkBandwidthGbps, tileRows: o.tileRows }),
    sources: [FILE],
  };
}

/** The mapping phase's mapping of a fixture design. */
export function fixtureMapping(design: IrDesign): Mapping {
  return mapDesign(design);
}
