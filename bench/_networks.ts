// Generated sources for the size benchmarks and the hostile-input tests: a chain of N small fc layers on a grid
// just large enough for them, and a one-conv network on a square input of a given side.

/** The text of a network of `layers` chained fc layers (4 features each), one core per layer. */
export function longNetworkSource(layers: number): string {
  const side = Math.ceil(Math.sqrt(layers));
  const lines = [
    'target t {',
    '  crossbar { size 64x64; weight_bits 4; devices single; adc 12 bits shift auto; dac 4 bits }',
    '  input_memory { word 32 bits; depth 256; layout auto }',
    '  controller { clock 250MHz; timestep 100ns }',
    '  neuron_core { ops psum, relu, pool }',
    `  grid ${side}x${side}`,
    '  link 2Gbps',
    '}',
    'network long on t {',
    '  input x: 4x1x1, 4 bits',
    '  weights seed 1',
    '  defaults { activations 4 bits; weights 4 bits }',
  ];
  let previous = 'x';
  for (let i = 0; i < layers; i++) {
    lines.push(`  l${i} = fc(${previous}, out 4)`);
    previous = `l${i}`;
  }
  lines.push(`  output ${previous}`, '}', '');
  return lines.join('\n');
}

/** The text of a network with one 3x3 conv on a 1xSIDExSIDE input. */
export function squareInputSource(side: number): string {
  return [
    'target t {',
    '  crossbar { size 64x64; weight_bits 4; devices single; adc 12 bits shift auto; dac 4 bits }',
    '  input_memory { word 32 bits; depth 65536; layout auto }',
    '  controller { clock 250MHz; timestep 100ns }',
    '  neuron_core { ops psum, relu, pool }',
    '  grid 2x2',
    '  link 2Gbps',
    '}',
    'network square on t {',
    `  input x: 1x${side}x${side}, 4 bits`,
    '  weights seed 1',
    '  defaults { activations 4 bits; weights 4 bits }',
    '  c = conv(x, out 4, kernel 3x3)',
    '  output c',
    '}',
    '',
  ].join('\n');
}
