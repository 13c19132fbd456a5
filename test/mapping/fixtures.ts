// Hand-built IrDesign objects for the mapping tests, independent of the language front end.
import type { SourceSpan } from '../../src/diagnostics/index.js';
import type { IrDesign, IrNode, IrTarget, MappingDirective, Op, Shape } from '../../src/ir/types.js';
import { uniformPadding } from '../../src/ir/padding.js';

export const FIXTURE_FILE = 'fixture.imc';

export function span(line: number, column = 1, length = 1): SourceSpan {
  return { file: FIXTURE_FILE, line, column, length };
}

export function directive(replicas: number, dW: number, line: number): MappingDirective {
  return { replicas, method: dW === 1 ? 1 : 2, dW, layout: 'auto', span: span(line) };
}

/** Builds nodes in order, inferring shapes the way the checker does (floor((H + 2P - F) / S) + 1). */
export class NetBuilder {
  readonly nodes: IrNode[] = [];
  private line = 10;
  private shapes = new Map<string, Shape>();

  input(name: string, shape: Shape): string {
    return this.push({ name, op: { kind: 'input' }, inputs: [], shape, activationBits: 8, span: span(this.line++) });
  }

  conv(
    name: string,
    input: string,
    outChannels: number,
    kernel: number,
    stride = 1,
    padding = Math.floor(kernel / 2),
    opts: { shortcut?: boolean; mapping?: MappingDirective } = {},
  ): string {
    const s = this.shapes.get(input)!;
    const shape = {
      channels: outChannels,
      height: Math.floor((s.height + 2 * padding - kernel) / stride) + 1,
      width: Math.floor((s.width + 2 * padding - kernel) / stride) + 1,
    };
    const op: Op = { kind: 'conv', outChannels, kernelHeight: kernel, kernelWidth: kernel, stride, padding: uniformPadding(padding), shortcut: opts.shortcut ?? false };
    return this.weight(name, op, [input], shape, opts.mapping);
  }

  fc(name: string, input: string, outFeatures: number, mapping?: MappingDirective): string {
    return this.weight(name, { kind: 'fc', outFeatures }, [input], { channels: outFeatures, height: 1, width: 1 }, mapping);
  }

  unary(name: string, kind: 'batchnorm' | 'relu' | 'flatten' | 'gap', input: string): string {
    const s = this.shapes.get(input)!;
    const shape =
      kind === 'gap'
        ? { channels: s.channels, height: 1, width: 1 }
        : kind === 'flatten'
          ? { channels: s.channels * s.height * s.width, height: 1, width: 1 }
          : s;
    return this.push({ name, op: { kind } as Op, inputs: [input], shape, activationBits: 8, span: span(this.line++) });
  }

  pool(name: string, kind: 'maxpool' | 'avgpool', input: string, size: number): string {
    const s = this.shapes.get(input)!;
    const shape = { channels: s.channels, height: Math.floor(s.height / size), width: Math.floor(s.width / size) };
    return this.push({ name, op: { kind, size, stride: size, padding: uniformPadding(0) }, inputs: [input], shape, activationBits: 8, span: span(this.line++) });
  }

  add(name: string, main: string, shortcut: string): string {
    return this.push({ name, op: { kind: 'add' }, inputs: [main, shortcut], shape: this.shapes.get(main)!, activationBits: 8, span: span(this.line++) });
  }

  private weight(name: string, op: Op, inputs: string[], shape: Shape, mapping?: MappingDirective): string {
    const m = mapping ?? { ...directive(1, 1, 3), span: span(3) };
    return this.push({
      name,
      op,
      inputs,
      shape,
      activationBits: 8,
      weightBits: 4,
      requant: { shift: 8, auto: true },
      mapping: m,
      span: span(this.line++),
    });
  }

  private push(node: IrNode): string {
    this.nodes.push(node);
    this.shapes.set(node.name, node.shape);
    return node.name;
  }
}

export function target(opts: { rows?: number; cols?: number; gridRows?: number; gridCols?: number } = {}): IrTarget {
  return {
    name: 'fixture_target',
    crossbar: {
      rows: opts.rows ?? 256,
      cols: opts.cols ?? 256,
      weightBits: 4,
      devicesPerWeight: 2,
      adcBits: 8,
      adcShift: 'auto',
      dacBits: 8,
      span: span(2),
    },
    inputMemory: { wordBits: 128, depth: 512, layout: 'auto', span: span(4) },
    controller: { clockHz: 1e9, timestepNs: 100, span: span(5) },
    neuronCore: { ops: ['psum', 'batchnorm', 'relu', 'residual', 'pool'], span: span(6) },
    grid: { rows: opts.gridRows ?? 8, cols: opts.gridCols ?? 6, span: span(7, 3, 4) },
    link: { bandwidthGbps: 4.5, span: span(8) },
    span: span(1),
  };
}

export function design(b: NetBuilder, output: string, t: IrTarget = target()): IrDesign {
  return {
    network: { name: 'fixture', nodes: b.nodes, output, weights: { kind: 'seed', seed: 1, span: span(9) }, span: span(9) },
    target: t,
    sources: [FIXTURE_FILE],
  };
}

/**
 * ResNet-32 as the paper ran it (channels 16/28/56; Table 2 with its two misprints corrected): conv1, three stages
 * of five residual blocks, 1x1 resampling shortcuts RS1 / RS2 at the start of stages 2 and 3, GAP, FC.
 * `mappingFor(layerNumber)` sets per-layer directives (layer numbers as in Table 2: 1..31, FC is 32).
 */
export function resnet32(mappingFor: (layer: number) => MappingDirective | undefined = () => undefined, t: IrTarget = target()): IrDesign {
  const b = new NetBuilder();
  let x = b.input('image', { channels: 3, height: 32, width: 32 });
  let n = 1;
  x = b.unary('relu1', 'relu', b.unary('bn1', 'batchnorm', b.conv('conv1', x, 16, 3, 1, 1, { mapping: mappingFor(n++) })));
  const stages: Array<{ channels: number; name: string }> = [
    { channels: 16, name: 's1' },
    { channels: 28, name: 's2' },
    { channels: 56, name: 's3' },
  ];
  stages.forEach((stage, si) => {
    for (let block = 0; block < 5; block++) {
      const p = `${stage.name}b${block}`;
      const stride = si > 0 && block === 0 ? 2 : 1;
      const a = b.unary(`${p}.relu_a`, 'relu', b.unary(`${p}.bn_a`, 'batchnorm', b.conv(`${p}.conv_a`, x, stage.channels, 3, stride, 1, { mapping: mappingFor(n++) })));
      let shortcut = x;
      if (stride === 2) {
        shortcut = b.unary(`${p}.bn_rs`, 'batchnorm', b.conv(`${p}.rs`, x, stage.channels, 1, 2, 0, { shortcut: true }));
      }
      const c = b.unary(`${p}.bn_b`, 'batchnorm', b.conv(`${p}.conv_b`, a, stage.channels, 3, 1, 1, { mapping: mappingFor(n++) }));
      x = b.unary(`${p}.relu_b`, 'relu', b.add(`${p}.add`, c, shortcut));
    }
  });
  const out = b.fc('fc', b.unary('flatten', 'flatten', b.unary('gap', 'gap', x)), 10, mappingFor(n));
  return design(b, out, t);
}
