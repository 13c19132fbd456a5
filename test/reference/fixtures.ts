// Hand-built IrDesign fixtures and a fast-check generator of small conv / fc / pool / residual networks with random
// mapping directives, for the reference-model tests.
import fc from 'fast-check';
import type { SourceSpan } from '../../src/diagnostics/index.js';
import type { IrDesign, IrNode, IrTarget, MappingDirective, Op, Shape } from '../../src/ir/types.js';
import { isWeightOp } from '../../src/ir/types.js';
import { uniformPadding } from '../../src/ir/padding.js';

export const span: SourceSpan = { file: 'fixture.imc', line: 1, column: 1, length: 1 };

export interface TargetOptions {
  rows?: number;
  cols?: number;
  adcBits?: number;
  adcShift?: number | 'auto';
  weightBits?: number;
  gridRows?: number;
  gridCols?: number;
}

export function fixtureTarget(o: TargetOptions = {}): IrTarget {
  return {
    name: 'fixture',
    crossbar: {
      rows: o.rows ?? 256,
      cols: o.cols ?? 256,
      weightBits: o.weightBits ?? 8,
      devicesPerWeight: 1,
      adcBits: o.adcBits ?? 48,
      adcShift: o.adcShift ?? 'auto',
      dacBits: 8,
      span,
    },
    inputMemory: { wordBits: 128, depth: 512, layout: 'auto', span },
    controller: { clockHz: 500e6, timestepNs: 100, span },
    neuronCore: { ops: ['psum', 'batchnorm', 'relu', 'pool', 'residual'], span },
    grid: { rows: o.gridRows ?? 64, cols: o.gridCols ?? 64, span },
    link: { bandwidthGbps: 1000, span },
    span,
  };
}

export interface WeightOptions {
  replicas?: number;
  dW?: number;
  weightBits?: number;
  /** Requant shift; default 4. */
  shift?: number;
}

/** Builds a network node by node, inferring shapes like the language's checker. */
export class NetBuilder {
  readonly nodes: IrNode[] = [];
  constructor(readonly bits = 8) {}

  private shapeOf(name: string): Shape {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n.shape;
  }

  private push(name: string, op: Op, inputs: string[], shape: Shape, extra: Partial<IrNode> = {}): string {
    this.nodes.push({ name, op, inputs, shape, activationBits: this.bits, span, ...extra });
    return name;
  }

  private weightExtra(o: WeightOptions): Partial<IrNode> {
    const replicas = o.replicas ?? 1;
    const dW = o.dW ?? 1;
    const mapping: MappingDirective = { replicas, dW, method: dW === 1 ? 1 : 2, layout: 'auto', span };
    return { weightBits: o.weightBits ?? 8, requant: { shift: o.shift ?? 4, auto: false }, mapping };
  }

  input(name: string, shape: Shape): string {
    return this.push(name, { kind: 'input' }, [], shape);
  }

  conv(name: string, from: string, out: number, k: number, stride = 1, padding = 0, o: WeightOptions = {}): string {
    const s = this.shapeOf(from);
    const shape = {
      channels: out,
      height: Math.floor((s.height + 2 * padding - k) / stride) + 1,
      width: Math.floor((s.width + 2 * padding - k) / stride) + 1,
    };
    const op: Op = { kind: 'conv', outChannels: out, kernelHeight: k, kernelWidth: k, stride, padding: uniformPadding(padding), shortcut: false };
    return this.push(name, op, [from], shape, this.weightExtra(o));
  }

  fc(name: string, from: string, out: number, o: WeightOptions = {}): string {
    return this.push(name, { kind: 'fc', outFeatures: out }, [from], { channels: out, height: 1, width: 1 }, this.weightExtra(o));
  }

  batchnorm(name: string, from: string): string {
    return this.push(name, { kind: 'batchnorm' }, [from], this.shapeOf(from));
  }

  relu(name: string, from: string): string {
    return this.push(name, { kind: 'relu' }, [from], this.shapeOf(from));
  }

  add(name: string, main: string, shortcut: string): string {
    return this.push(name, { kind: 'add' }, [main, shortcut], this.shapeOf(main));
  }

  pool(name: string, kind: 'maxpool' | 'avgpool', from: string, size: number, stride: number, padding = 0): string {
    const s = this.shapeOf(from);
    const shape = {
      channels: s.channels,
      height: Math.floor((s.height + 2 * padding - size) / stride) + 1,
      width: Math.floor((s.width + 2 * padding - size) / stride) + 1,
    };
    return this.push(name, { kind, size, stride, padding: uniformPadding(padding) }, [from], shape);
  }

  gap(name: string, from: string): string {
    const s = this.shapeOf(from);
    return this.push(name, { kind: 'gap' }, [from], { channels: s.channels, height: 1, width: 1 });
  }

  flatten(name: string, from: string): string {
    const s = this.shapeOf(from);
    return this.push(name, { kind: 'flatten' }, [from], { channels: s.channels * s.height * s.width, height: 1, width: 1 });
  }

  design(output: string, seed = 7, target: IrTarget = fixtureTarget()): IrDesign {
    return {
      network: { name: 'fixture', nodes: this.nodes, output, weights: { kind: 'seed', seed, span }, span },
      target,
      sources: ['fixture.imc'],
    };
  }
}

/** One step of a random network, applied to the current chain end. */
type Step =
  | { kind: 'conv'; out: number; k: number; stride: number; padding: number; bn: boolean; relu: boolean; replicas: number; dW: number; shift: number }
  | { kind: 'residual'; replicas: number; dW: number; shift: number; project: boolean }
  | { kind: 'pool'; pool: 'maxpool' | 'avgpool'; size: number; stride: number; padding: number };

export interface RandomNetSpec {
  channels: number;
  height: number;
  width: number;
  bits: number;
  weightBits: number;
  steps: Step[];
  head: 'none' | 'gap-fc' | 'flatten-fc' | 'fc';
  classes: number;
  fcShift: number;
  seed: number;
  tileRows: number;
  tileCols: number;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('conv' as const),
    out: fc.integer({ min: 1, max: 10 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.integer({ min: 0, max: 1 }),
    bn: fc.boolean(),
    relu: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 4 }),
    dW: fc.integer({ min: 1, max: 2 }),
    shift: fc.integer({ min: 0, max: 12 }),
  }) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant('residual' as const),
    replicas: fc.integer({ min: 1, max: 4 }),
    dW: fc.integer({ min: 1, max: 2 }),
    shift: fc.integer({ min: 0, max: 12 }),
    project: fc.boolean(),
  }) },
  { weight: 1, arbitrary: fc.record({
    kind: fc.constant('pool' as const),
    pool: fc.constantFrom('maxpool' as const, 'avgpool' as const),
    size: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.integer({ min: 0, max: 1 }),
  }) },
);

export const randomNetSpec: fc.Arbitrary<RandomNetSpec> = fc.record({
  channels: fc.integer({ min: 1, max: 3 }),
  height: fc.integer({ min: 3, max: 8 }),
  width: fc.integer({ min: 3, max: 8 }),
  bits: fc.integer({ min: 3, max: 8 }),
  weightBits: fc.integer({ min: 2, max: 8 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 4 }),
  head: fc.constantFrom('none' as const, 'gap-fc' as const, 'flatten-fc' as const, 'fc' as const),
  classes: fc.integer({ min: 1, max: 10 }),
  fcShift: fc.integer({ min: 0, max: 10 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  tileRows: fc.integer({ min: 3, max: 40 }),
  tileCols: fc.integer({ min: 2, max: 24 }),
});

function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/** Fits a mapping directive to a layer's output: a full h x dW block that tiles the output plane evenly. */
function fitDirective(replicas: number, dW: number, out: Shape): { replicas: number; dW: number } {
  const w = largestDivisorAtMost(out.width, dW);
  const h = largestDivisorAtMost(out.height, Math.ceil(replicas / w));
  return { replicas: h * w, dW: w };
}

function outSize(size: number, k: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/**
 * Builds the network a spec describes. Steps that would not fit the current plane are skipped, and a network whose
 * first step is a pool gets a 1x1 conv first (a pool must follow a weight layer to run in its neuron core).
 */
export function buildRandomNet(spec: RandomNetSpec, adc: { adcBits?: number; adcShift?: number | 'auto' } = {}): IrDesign {
  const b = new NetBuilder(spec.bits);
  const wb = spec.weightBits;
  let cur = b.input('image', { channels: spec.channels, height: spec.height, width: spec.width });
  let hasWeight = false;
  let n = 0;
  const shapeOf = (name: string): Shape => b.nodes.find((x) => x.name === name)!.shape;
  const conv = (from: string, out: number, k: number, stride: number, padding: number, replicas: number, dW: number, shift: number): string => {
    const s = shapeOf(from);
    const o = { channels: out, height: outSize(s.height, k, stride, padding), width: outSize(s.width, k, stride, padding) };
    const d = fitDirective(replicas, dW, o);
    hasWeight = true;
    return b.conv(`l${n++}`, from, out, k, stride, padding, { ...d, weightBits: wb, shift });
  };
  for (const step of spec.steps) {
    const s = shapeOf(cur);
    if (step.kind === 'conv') {
      if (s.height + 2 * step.padding < step.k || s.width + 2 * step.padding < step.k) continue;
      cur = conv(cur, step.out, step.k, step.stride, step.padding, step.replicas, step.dW, step.shift);
      if (step.bn) cur = b.batchnorm(`bn${n++}`, cur);
      if (step.relu) cur = b.relu(`relu${n++}`, cur);
    } else if (step.kind === 'residual') {
      if (!hasWeight) cur = conv(cur, s.channels, 1, 1, 0, 1, 1, step.shift);
      const x = cur;
      let main = conv(x, s.channels, 3, 1, 1, step.replicas, step.dW, step.shift);
      main = b.batchnorm(`bn${n++}`, main);
      let shortcut = x;
      if (step.project) {
        shortcut = conv(x, s.channels, 1, 1, 0, 1, 1, step.shift);
        shortcut = b.batchnorm(`bn${n++}`, shortcut);
      }
      cur = b.relu(`relu${n++}`, b.add(`add${n++}`, main, shortcut));
    } else {
      if (s.height + 2 * step.padding < step.size || s.width + 2 * step.padding < step.size) continue;
      if (step.padding >= step.size) continue;
      if (!hasWeight) cur = conv(cur, s.channels, 1, 1, 0, 1, 1, 2);
      cur = b.pool(`pool${n++}`, step.pool, cur, step.size, step.stride, step.padding);
    }
  }
  if (!hasWeight || spec.head !== 'none') {
    if (!hasWeight && (spec.head === 'gap-fc' || spec.head === 'flatten-fc')) cur = conv(cur, spec.channels, 1, 1, 0, 1, 1, 2);
    if (spec.head === 'gap-fc') cur = b.gap(`gap${n++}`, cur);
    if (spec.head === 'flatten-fc') cur = b.flatten(`flat${n++}`, cur);
    cur = b.fc(`fc${n++}`, cur, spec.classes, { weightBits: wb, shift: spec.fcShift });
  }
  const target = fixtureTarget({ rows: spec.tileRows, cols: spec.tileCols, weightBits: wb, ...adc });
  return b.design(cur, spec.seed, target);
}

export function weightLayers(design: IrDesign): IrNode[] {
  return design.network.nodes.filter((n) => isWeightOp(n.op));
}
