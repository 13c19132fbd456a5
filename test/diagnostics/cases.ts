// One small source per language diagnostic code (IMC001-IMC049), loaded from an in-memory file system.
// codes.test.ts compares the formatted diagnostics with golden.txt.
import { formatDiagnostic } from '../../src/diagnostics/index.js';
import { loadProgram } from '../../src/ir/load.js';

/** A valid target, imported by most cases as "t.imc". */
export const TARGET = `target t {
  crossbar {
    size 64x64
    weight_bits 8
    adc 16 bits
    dac 8 bits
  }
  input_memory { word 64 bits; depth 256 }
  controller { clock 500MHz; timestep 100ns }
  neuron_core { ops psum, batchnorm, relu, residual, pool }
  grid 4x4
  link 1Gbps
}
`;

/** A network on target t with an 8-bit 3x8x8 input named `image`, and the given body lines. */
export function net(body: string): string {
  return `import "t.imc"\nnetwork n on t {\n  input image: 3x8x8, 8 bits\n${body}\n}\n`;
}

/** The smallest valid network body: one weight layer. */
export const OK_BODY = '  a = conv(image, out 2, kernel 1)\n  output a';

export interface DiagnosticCase {
  code: string;
  /** Files by path; the entry is main.imc. */
  files: Record<string, string>;
}

const withTarget = (main: string): Record<string, string> => ({ 'main.imc': main, 't.imc': TARGET });

const deepBlock = `  block deep(x) {\n    return ${'relu('.repeat(20)}x${')'.repeat(20)}\n  }\n  y = deep(image) x 1000\n  output y`;

export const CASES: DiagnosticCase[] = [
  { code: 'IMC001', files: withTarget(net('  a = conv(image, out 2, kernel 1) $\n  output a')) },
  { code: 'IMC002', files: withTarget(net('  a = relu(image\n  output a')) },
  { code: 'IMC093', files: withTarget(net(`  a = ${'f('.repeat(64)}image${')'.repeat(64)}\n  output a`)) },
  { code: 'IMC003', files: { 'main.imc': 'import "targets/missing.imc"\n' } },
  { code: 'IMC004', files: { 'main.imc': 'import "a.imc"\n', 'a.imc': 'import "b.imc"\n', 'b.imc': 'import "a.imc"\n' } },
  { code: 'IMC005', files: withTarget(net('  a = relu(imag)\n  output a')) },
  { code: 'IMC006', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  a = relu(a)\n  output a')) },
  { code: 'IMC007', files: withTarget(net('  a = rellu(image)\n  output a')) },
  { code: 'IMC008', files: withTarget(net('  a = add(image)\n  output a')) },
  { code: 'IMC009', files: withTarget(net('  a = conv(image, out 4, kernel 3, strde 2)\n  output a')) },
  { code: 'IMC010', files: withTarget(net('  a = conv(image, out 4)\n  output a')) },
  { code: 'IMC011', files: { 'main.imc': TARGET.replace('  grid 4x4', '  cache 4\n  grid 4x4') } },
  { code: 'IMC012', files: { 'main.imc': TARGET.replace('depth 256', 'depth 256; layout 3') } },
  { code: 'IMC013', files: { 'main.imc': TARGET.replace('timestep 100ns', 'timestep 100MHz') } },
  { code: 'IMC014', files: withTarget(net('  a = conv(image, out 0, kernel 3)\n  output a')) },
  { code: 'IMC015', files: withTarget(net('  a = conv(image, out 2.5, kernel 3)\n  output a')) },
  { code: 'IMC016', files: withTarget(net('  a = conv(image, out 4, kernel 3, pad 1)\n  b = add(a, image)\n  output b')) },
  { code: 'IMC017', files: withTarget(net('  a = conv(image, out 4, kernel 9x9)\n  output a')) },
  { code: 'IMC018', files: withTarget(net('  a = fc(image, out 10)\n  output a')) },
  { code: 'IMC019', files: { 'main.imc': TARGET.replace('  grid 4x4', '  grid 4x4\n  grid 2x2') } },
  { code: 'IMC020', files: { 'main.imc': TARGET.replace('  link 1Gbps\n', '') } },
  { code: 'IMC021', files: withTarget(net(OK_BODY).replace('on t {', 'on tt {')) },
  { code: 'IMC022', files: withTarget(net(OK_BODY) + 'network m on t {\n  input x: 1x4x4, 8 bits\n  output x\n}\n') },
  { code: 'IMC023', files: withTarget(net('  a = conv(image, out 4, kernel 3)\n  output a\n  mapping { layer b: replicas 2 }')) },
  { code: 'IMC024', files: withTarget(net('  a = conv(image, out 4, kernel 3)\n  output a\n  mapping { default replicas 2, method 2, dw 3 }')) },
  { code: 'IMC064', files: withTarget(net('  a = conv(image, out 4, kernel 3)\n  output a\n  mapping { default replicas 5, method 2, dw 4 }')) },
  { code: 'IMC025', files: withTarget(net('  a = relu(image)')) },
  { code: 'IMC026', files: withTarget(net('  a = batchnorm(relu(conv(image, out 2, kernel 1)))\n  output a')) },
  { code: 'IMC027', files: withTarget(net('  a = conv(image, out 4, kernel image)\n  output a')) },
  { code: 'IMC028', files: withTarget(net('  block loop(x) {\n    return loop(x)\n  }\n  a = loop(image)\n  output a')) },
  { code: 'IMC029', files: withTarget(net(deepBlock)) },
  { code: 'IMC030', files: withTarget('import "t.imc"\nnetwork n extends base {\n  mapping { default replicas 1 }\n}\n') },
  { code: 'IMC031', files: withTarget(net('  a = conv(image, out 3, kernel 1, activation_bits 4)\n  b = add(a, image)\n  output b')) },
  { code: 'IMC032', files: withTarget(net('  block b(x) {\n    y = relu(x)\n  }\n  a = b(image)\n  output a')) },
  { code: 'IMC033', files: { 'main.imc': net('  a = gap(conv(image, out 2, kernel 1))\n  output a'), 't.imc': TARGET.replace(', pool', '') } },
  { code: 'IMC034', files: withTarget(net('  a.b = relu(image)\n  output a.b')) },
  { code: 'IMC035', files: withTarget(net('  a = relu(image) x 3\n  output a')) },
  { code: 'IMC038', files: withTarget(net(Array.from({ length: 101 }, (_, i) => `  a${i} = relu(nothing)`).join('\n') + '\n' + OK_BODY)) },
  { code: 'IMC040', files: withTarget(net('  a = relu(image)\n  output a')) },
  { code: 'IMC041', files: withTarget(net(`  ${'l'.repeat(201)} = conv(image, out 2, kernel 1)\n  output ${'l'.repeat(201)}`)) },
  { code: 'IMC046', files: withTarget(net('  a = conv(image, out 4, kernel 3x1, pad_right 1)\n  output a')) },
  { code: 'IMC037', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  b = relu(image)\n  c = relu(b)\n  output a')) },
  { code: 'IMC206', files: withTarget(net('  a = conv(image, out 4, kernel 3)\n  output a\n  mapping { default replicas 2, dw 2 }')) },
  { code: 'IMC207', files: withTarget(net('  a = conv(image, out 4, kernel 3)\n  output a\n  mapping { default replicas 2, method 2 }')) },
  { code: 'IMC208', files: withTarget(net('  block b(x) {\n    return x\n    return x\n  }\n  a = conv(b(image), out 2, kernel 1)\n  output a')) },
  { code: 'IMC209', files: withTarget(net('  block b(x) {\n    return x\n    y = relu(x)\n  }\n  a = conv(b(image), out 2, kernel 1)\n  output a')) },
  { code: 'IMC210', files: withTarget(net('  a = relu(b)\n  b = conv(image, out 2, kernel 1)\n  output a')) },
  { code: 'IMC211', files: withTarget(net(OK_BODY).replace(' on t {', ' {')) },
  { code: 'IMC213', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  b = batchnorm(a)\n  c = add(a, b)\n  output c')) },
  { code: 'IMC214', files: withTarget('import "t.imc"\nnetwork n extends n {\n}\n') },
  { code: 'IMC215', files: { ...withTarget(net(OK_BODY)), 'main.imc': 'import "base.imc"\nnetwork m extends n {\n  b = relu(a)\n}\n', 'base.imc': net(OK_BODY) } },
  { code: 'IMC216', files: withTarget(net('  block b(n) {\n    return conv(image, out 2, kernel 1)\n  }\n  a = b(3) x 2\n  output a')) },
  { code: 'IMC217', files: withTarget(net('  block b(x) {\n    return 3\n  }\n  a = b(image) x 2\n  output a')) },
  { code: 'IMC218', files: withTarget(net('  a = conv(16, out 4, kernel 3)\n  output a')) },
  { code: 'IMC219', files: withTarget(net('  block relu(x) {\n    return x\n  }\n' + OK_BODY)) },
  { code: 'IMC220', files: withTarget(net('  block b(x, x) {\n    return x\n  }\n' + OK_BODY)) },
  { code: 'IMC221', files: withTarget(net('  block b(x, y) {\n    return add(x, y)\n  }\n  a = conv(b(image), out 2, kernel 1)\n  output a')) },
  { code: 'IMC222', files: withTarget(net('  a = conv(image, out 4, kernel 3, out 2)\n  output a')) },
  { code: 'IMC223', files: withTarget('import ""\n' + net(OK_BODY)) },
  { code: 'IMC224', files: withTarget(net('  a = conv(image, out 2, kernel 1) "abc\n  output a')) },
  { code: 'IMC229', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('    dac 8 bits\n', '    dac 8 bits\n    device {\n      conductance 1uS to 20uS\n      resistance 40kOhm to 10MOhm\n    }\n') } },
  { code: 'IMC230', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('    dac 8 bits\n', '    dac 8 bits\n    device {\n      wire_resistance 1Ohm rows, 2Ohm rows\n    }\n') } },
  { code: 'IMC231', files: withTarget(net(OK_BODY).replace('3x8x8', '8x8')) },
  { code: 'IMC232', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  output a a')) },
  { code: 'IMC233', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  output x: a')) },
  { code: 'IMC234', files: withTarget(net(OK_BODY + '\n  mapping default')) },
  { code: 'IMC235', files: withTarget(net('  a = conv(image, out 2, kernel 1)\n  output { a }')) },
  { code: 'IMC236', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('timestep 100ns', 'timestep 100nx') } },
  { code: 'IMC237', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('timestep 100ns', 'timestep 100') } },
  { code: 'IMC238', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('adc 16 bits', 'adc 16') } },
  { code: 'IMC239', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('depth 256', 'depth 256ns') } },
  { code: 'IMC240', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('adc 16 bits', 'adc 16ns') } },
  { code: 'IMC241', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('timestep 100ns', 'timestep 1e999ns') } },
  { code: 'IMC242', files: withTarget(net('  a = conv(image, out 65536, kernel 1)\n  f = flatten(a)\n  b = fc(f, out 2)\n  output b').replace('3x8x8', '3x32x32')) },
  { code: 'IMC243', files: withTarget(net('  a = conv(image, out 65536, kernel 8)\n  output a').replace('3x8x8', '256x8x8')) },
  { code: 'IMC244', files: withTarget(net('  a = conv(image, out 2, kernel 1, pad 1)\n  output a')) },
  { code: 'IMC245', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('    dac 8 bits\n', '    dac 8 bits\n    device {\n      conductance 2uS to 1uS\n    }\n') } },
  { code: 'IMC246', files: { 'main.imc': net(OK_BODY), 't.imc': TARGET.replace('ops psum, batchnorm, relu, residual, pool', 'ops psum, integrate_and_fire, pool; model if; threshold 4') } },
  { code: 'IMC247', files: withTarget(net(OK_BODY + '\n  mapping { layer a: }')) },
  { code: 'IMC248', files: withTarget(net(OK_BODY).replace('input image: 3x8x8', 'input 3x8x8')) },
  { code: 'IMC249', files: withTarget(net('  weights file ""\n' + OK_BODY)) },
];

/** Loads a case from memory (as `imcc check` does) and formats every diagnostic (sorted), as the CLI prints them. */
export function runCase(c: DiagnosticCase): string {
  const read = (file: string): string => {
    const text = c.files[file];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return text;
  };
  const result = loadProgram('main.imc', read);
  return result.diagnostics.map((d) => formatDiagnostic(d, result.sources)).join('\n');
}
