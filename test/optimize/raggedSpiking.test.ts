// The ragged search (`imcc optimize --ragged`) offers ragged blocks to layers of integrate-and-fire neurons as to
// ReLU neurons: the RTL builds them (each membrane indexed from its block's lattice origin,
// test/verify/raggedSpiking.test.ts), and the optimizer offers exactly the mappings the RTL builds.
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

const settings = (units: ReturnType<typeof searchUnits>) => units.map((u) => ({ layers: u.layers, options: u.options.map((o) => [o.replicas, o.dW, o.cores]) }));
const ragged = (units: ReturnType<typeof searchUnits>) => units.flatMap((u) => u.options).filter((o) => o.replicas % o.dW !== 0);

describe('ragged blocks in the search', () => {
  // test/verify/fixtures/ragged.imc without its mapping, with ReLU neurons and with integrate-and-fire neurons.
  const relu = readFileSync('test/verify/fixtures/ragged.imc', 'utf8').replace(/\n  mapping \{[^}]*\}\n/, '\n');
  const spiking = relu.replace('neuron_core { ops psum, batchnorm, relu }', 'neuron_core {\n    ops psum, batchnorm, integrate_and_fire\n    model if\n    threshold 3\n    steps 4\n  }');
  it('are offered to integrate-and-fire neurons exactly as to ReLU neurons', () => {
    const reluDesign = load(relu);
    expect(reluDesign.target.neuronCore.spiking).toBeFalsy();
    const spikingDesign = load(spiking);
    expect(spikingDesign.target.neuronCore.spiking).toBeTruthy();
    const spikingUnits = searchUnits(spikingDesign, { ragged: true });
    expect(ragged(spikingUnits).length).toBeGreaterThan(0);
    expect(settings(spikingUnits)).toEqual(settings(searchUnits(reluDesign, { ragged: true })));
    // Without --ragged, no ragged block for either.
    expect(ragged(searchUnits(spikingDesign, {}))).toEqual([]);
  });
});
