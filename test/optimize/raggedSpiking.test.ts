// The ragged search (`imcc optimize --ragged`) offers no ragged block to a layer of integrate-and-fire neurons: the
// RTL plan refuses them (IMC112), and the optimizer never chooses a mapping the RTL refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { searchUnits } from '../../src/optimize/units.js';

function load(text: string) {
  const { design, diagnostics } = loadDesign('main.imc', (file) => {
    if (file === 'main.imc') return text;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return design!;
}

const ragged = (units: ReturnType<typeof searchUnits>) => units.flatMap((u) => u.options).filter((o) => o.replicas % o.dW !== 0);

describe('ragged blocks in the search', () => {
  // test/verify/fixtures/ragged.imc without its mapping, with ReLU neurons and with integrate-and-fire neurons.
  const relu = readFileSync('test/verify/fixtures/ragged.imc', 'utf8').replace(/\n  mapping \{[^}]*\}\n/, '\n');
  const spiking = relu.replace('neuron_core { ops psum, batchnorm, relu }', 'neuron_core {\n    ops psum, batchnorm, integrate_and_fire\n    model if\n    threshold 3\n    steps 4\n  }');
  it('are offered for ReLU neurons, and never for the same network of integrate-and-fire neurons', () => {
    const reluDesign = load(relu);
    expect(reluDesign.target.neuronCore.spiking).toBeFalsy();
    expect(ragged(searchUnits(reluDesign, { ragged: true })).length).toBeGreaterThan(0);
    const spikingDesign = load(spiking);
    expect(spikingDesign.target.neuronCore.spiking).toBeTruthy();
    expect(searchUnits(spikingDesign, { ragged: true }).flatMap((u) => u.options).length).toBeGreaterThan(3);
    expect(ragged(searchUnits(spikingDesign, { ragged: true }))).toEqual([]);
  });
});
