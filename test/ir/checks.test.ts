// Semantic checks and IR construction details: naming, blocks, directives, extends, units, limits, and that every
// error of a run is reported together and sorted.
import { describe, expect, it } from 'vitest';
import { loadDesign, loadProgram, importPath } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { TARGET, net } from '../diagnostics/cases.js';

function memory(files: Record<string, string>) {
  return (file: string): string => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
}

/** The smallest valid network body: one weight layer. */
const OK_BODY = '  a = conv(image, out 2, kernel 1)\n  output a';

function design(body: string, target = TARGET): IrDesign {
  const r = loadDesign('main.imc', memory({ 'main.imc': net(body), 't.imc': target }));
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([]);
  return r.design!;
}

function errors(files: Record<string, string>): string[] {
  return loadProgram('main.imc', memory(files)).diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code}`);
}

describe('layer names', () => {
  it('names nested calls <owner>.<op>, numbering repeats, never taking an explicit name', () => {
    const d = design(
      [
        '  block b(x) {',
        '    add = relu(x)',
        '    return relu(add(relu(x), add))',
        '  }',
        '  c = conv(image, out 3, kernel 1)',
        '  y = add(relu(c), relu(relu(c)))',
        '  z = b(relu(y))',
        '  output z',
      ].join('\n'),
    );
    expect(d.network.nodes.map((n) => `${n.name}<-${n.inputs.join(',')}`)).toEqual([
      'image<-',
      'c<-image',
      'y.relu<-c',
      'y.relu3<-c',
      'y.relu2<-y.relu3',
      'y<-y.relu,y.relu2',
      'z.relu<-y',
      'z.add<-z.relu',
      'z.relu2<-z.relu',
      'z.add2<-z.relu2,z.add',
      'z<-z.add2',
    ]);
  });

  it('chains repeated instances name.0 .. name.N-1, passing the other arguments unchanged', () => {
    const d = design('  block b(x, c) {\n    return conv(x, out c, kernel 1)\n  }\n  s = b(image, 5) x 3\n  output s');
    expect(d.network.nodes.map((n) => `${n.name}<-${n.inputs.join(',')}:${n.shape.channels}`)).toEqual(['image<-:3', 's.0<-image:5', 's.1<-s.0:5', 's.2<-s.1:5']);
    expect(d.network.output).toBe('s.2');
  });

  it('binds block arguments by parameter name too, and lets numbers flow into named arguments', () => {
    const d = design('  block b(x, c, k) {\n    y = conv(x, out c, kernel k, pad 1)\n    return y\n  }\n  s = b(image, k 3, c 7)\n  output s');
    expect(d.network.nodes[1]).toMatchObject({ name: 's.y', op: { kind: 'conv', outChannels: 7, kernelHeight: 3, kernelWidth: 3, padding: { top: 1, left: 1, bottom: 1, right: 1 } } });
  });
});

describe('shapes and bits', () => {
  it('infers conv, pool, gap, flatten and fc shapes', () => {
    const d = design('  a = conv(image, out 4, kernel 3x1, stride 2)\n  p = avgpool(a, size 2, stride 1, pad 1)\n  f = fc(flatten(p), out 2)\n  g = gap(p)\n  output f');
    const s = Object.fromEntries(d.network.nodes.map((n) => [n.name, `${n.shape.channels}x${n.shape.height}x${n.shape.width}`]));
    expect(s).toEqual({ image: '3x8x8', a: '4x3x4', p: '4x4x5', 'f.flatten': '80x1x1', f: '2x1x1', g: '4x1x1' });
    // g does not lead to the output: it stays in the IR, with a warning.
    const r = loadProgram('main.imc', memory({ 'main.imc': net('  a = conv(image, out 2, kernel 1)\n  g = gap(a)\n  output a'), 't.imc': TARGET }));
    expect(r.design).not.toBeNull();
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.line}`)).toEqual(['warning IMC037 5']);
  });

  it('takes bits from defaults, per-layer overrides and requant given in the source', () => {
    const d = design('  defaults { activations 6 bits; weights 4 bits }\n  a = conv(image, out 4, kernel 3, requant 7)\n  b = fc(flatten(a), out 2, weight_bits 2, activation_bits 3)\n  output b');
    const [, a, , b] = d.network.nodes;
    expect(a).toMatchObject({ weightBits: 4, activationBits: 6, requant: { shift: 7, auto: false } });
    expect(b).toMatchObject({ weightBits: 2, activationBits: 3, requant: { auto: true } });
  });
});

describe('weights', () => {
  it('records a seed (default 0); a weights file must exist (IMC120 at the statement; test/import has the file cases)', () => {
    expect(design(OK_BODY).network.weights).toMatchObject({ kind: 'seed', seed: 0 });
    expect(design('  weights seed 4294967295\n' + OK_BODY).network.weights).toMatchObject({ kind: 'seed', seed: 4294967295 });
    expect(errors({ 'main.imc': net('  weights file "w/resnet32.npz"\n' + OK_BODY), 't.imc': TARGET })).toEqual(['main.imc:4:3 IMC120']);
    const bad = errors({ 'main.imc': net('  weights seed 4294967296\n' + OK_BODY), 't.imc': TARGET });
    expect(bad).toEqual(['main.imc:4:16 IMC014']);
  });
});

describe('mapping directives', () => {
  const body = (mapping: string) => `  a = conv(image, out 4, kernel 3, pad 1)\n  s = conv(a, out 4, kernel 1)\n  t = conv(s, out 4, kernel 1)\n  output t\n  mapping {\n${mapping}\n  }`;
  const directives = (d: IrDesign) => Object.fromEntries(d.network.nodes.filter((n) => n.mapping).map((n) => [n.name, `${n.mapping!.replicas}/${n.mapping!.method}/${n.mapping!.dW}/${n.mapping!.layout}`]));

  it('applies default < layers "glob" < layer NAME, setting by setting', () => {
    const d = design(body('    layer a: replicas 4, method 2, dw 2\n    layers "?": layout KLIP, replicas 2\n    default replicas 1, method 1, layout IWAP'));
    expect(directives(d)).toEqual({ a: '4/2/2/KLIP', s: '2/1/1/KLIP', t: '2/1/1/KLIP' });
  });

  it('accepts a ragged block: replicas not a multiple of dw (7 replicas, dw 3: the last column holds one)', () => {
    expect(directives(design(body('    layer a: replicas 7, method 2, dw 3')))).toMatchObject({ a: '7/2/3/auto' });
  });

  it('uses built-in defaults (1 replica, method 1, layout auto) without a mapping block', () => {
    expect(directives(design('  a = conv(image, out 4, kernel 3)\n  output a'))).toEqual({ a: '1/1/1/auto' });
  });

  it('rejects method 1 with dw, fewer replicas than dw, an empty last column, and unknown settings', () => {
    const errs = (m: string) => errors({ 'main.imc': net(body(m)), 't.imc': TARGET });
    expect(errs('    layer a: replicas 2, dw 2')).toEqual(['main.imc:9:26 IMC206']);
    expect(errs('    layer a: replicas 2, method 2, dw 3')).toEqual(['main.imc:9:36 IMC024']);
    // 5 replicas in columns of 2 fill 3 columns, not 4.
    expect(errs('    layer a: replicas 5, method 2, dw 4')).toEqual(['main.imc:9:36 IMC064']);
    expect(errs('    layer a: replica 3')).toEqual(['main.imc:9:14 IMC012']);
  });
});

describe('targets', () => {
  it('reads device descriptions in resistance form, levels as bits, and one wire resistance for both', () => {
    const t = TARGET.replace('    dac 8 bits\n', '    dac 8 bits\n    device {\n      resistance 40kOhm to 10MOhm\n      bits 4\n      wire_resistance 2Ohm\n    }\n');
    const d = design(OK_BODY, t);
    expect(d.target.crossbar.device).toMatchObject({ gMin: 1e-7, gMax: 2.5e-5, levels: 16, wireResistanceRow: 2, wireResistanceCol: 2, encoding: 'offset', readVoltage: 0.2 });
    expect(d.target.crossbar).toMatchObject({ adcShift: 'auto', devicesPerWeight: 1 });
  });

  it('reads a fixed ADC shift and converts every unit to the IR base unit', () => {
    const t = TARGET.replace('adc 16 bits', 'adc 12 bits shift 3').replace('clock 500MHz', 'clock 1.5GHz').replace('timestep 100ns', 'timestep 0.25us').replace('link 1Gbps', 'link 800Mbps');
    const d = design(OK_BODY, t);
    expect(d.target.crossbar).toMatchObject({ adcBits: 12, adcShift: 3 });
    expect(d.target.controller).toMatchObject({ clockHz: 1.5e9, timestepNs: 250 });
    expect(d.target.link.bandwidthGbps).toBe(0.8);
  });

  it('rejects wrong units, missing units and absurd numbers with positions', () => {
    const t = TARGET.replace('timestep 100ns', 'timestep 100')
      .replace('clock 500MHz', 'clock 1e400Hz')
      .replace('size 64x64', 'size 99999999999999999999x64')
      .replace('link 1Gbps', 'link 1GHz');
    expect(errors({ 'main.imc': t })).toEqual(['main.imc:3:10 IMC014', 'main.imc:9:22 IMC241', 'main.imc:9:40 IMC237', 'main.imc:12:8 IMC013']);
  });
});

describe('files and declarations', () => {
  it('resolves imports against the importing file and loads a shared file once', () => {
    expect(importPath('examples/resnet32.imc', 'targets/dazzi2021.imc')).toBe('examples/targets/dazzi2021.imc');
    expect(importPath('a/b/c.imc', '../d.imc')).toBe('a/d.imc');
    const r = loadProgram(
      'main.imc',
      memory({ 'main.imc': 'import "lib/a.imc"\nimport "lib/b.imc"\n', 'lib/a.imc': 'import "t.imc"\n', 'lib/b.imc': 'import "t.imc"\n', 'lib/t.imc': TARGET }),
    );
    expect(r.diagnostics).toEqual([]);
    expect([...r.sources.keys()]).toEqual(['main.imc', 'lib/a.imc', 'lib/t.imc', 'lib/b.imc']);
  });

  it('extends a network: same layers, own mapping, base target', () => {
    const files = {
      'main.imc': 'import "base.imc"\nnetwork fast extends n {\n  mapping { default replicas 2 }\n}\n',
      'base.imc': net('  a = conv(image, out 4, kernel 3)\n  output a'),
      't.imc': TARGET,
    };
    const r = loadDesign('main.imc', memory(files));
    expect(r.diagnostics).toEqual([]);
    expect(r.design!.network.name).toBe('fast');
    expect(r.design!.target.name).toBe('t');
    expect(r.design!.network.nodes[1].mapping!.replicas).toBe(2);
    const bad = { ...files, 'main.imc': 'import "base.imc"\nnetwork fast extends n {\n  b = relu(a)\n}\n' };
    expect(errors(bad)).toEqual(['main.imc:3:3 IMC215']);
  });
});

describe('one run reports every error, sorted', () => {
  it('reports syntax and semantic errors from several files together, without echoes', () => {
    const files = {
      'main.imc': net('  a = conv(image, out 0, kernel 3)\n  b = relu(a\n  c = relu(nope)\n  d = add(c, image)\n  output d'),
      't.imc': TARGET.replace('timestep 100ns', 'timestep 100MHz'),
    };
    expect(errors(files)).toEqual([
      'main.imc:4:23 IMC014',
      'main.imc:5:13 IMC002',
      'main.imc:6:12 IMC005',
      't.imc:9:39 IMC013',
    ]);
  });

  it('reports an error inside a block once, not once per instance', () => {
    const files = { 'main.imc': net('  block b(x) {\n    return add(x, conv(x, out 5, kernel 1))\n  }\n  s1 = b(image)\n  s2 = b(image)\n  output s1'), 't.imc': TARGET };
    const r = loadProgram('main.imc', memory(files));
    expect(r.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([
      "5:12 IMC016 add: 'image' is 3x8x8 but 's1.conv' is 5x8x8 (a shortcut(...) can match them)",
    ]);
  });

  it('never throws on a missing entry file', () => {
    const r = loadDesign('does/not/exist.imc');
    expect(r.design).toBeNull();
    expect(r.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([
      'does/not/exist.imc:1:1 IMC003 cannot read does/not/exist.imc: no such file',
    ]);
  });
});
