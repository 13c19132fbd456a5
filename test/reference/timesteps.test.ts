// ReferenceOptions.recordTimesteps (what the RTL verification of integrate-and-fire cores compares against): each of
// the T timesteps' own result, on the hand-worked network of test/e2e/integrateAndFire.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { runReference } from '../../src/reference/index.js';
import { formatNpz } from '../../src/support/npz.js';

const target = `target t {
  crossbar { size 64x64; weight_bits 8; adc 24 bits shift 0; dac 8 bits }
  input_memory { word 64 bits; depth 256 }
  controller { clock 500MHz; timestep 100ns }
  neuron_core { ops psum, integrate_and_fire, pool; model if; threshold 4; leak 1; reset subtract; steps 4 }
  grid 4x4
  link 1Gbps
}
`;

describe('the reference model, one result per integrate-and-fire timestep', () => {
  // x = [1, 2]; h = [3, 2] every timestep; IF threshold 4, leak 1, reset subtract; o = fc(s) with [[2, 1], [-1, 3]].
  // Spikes: neuron 0 fires at t1 and t3, neuron 1 at t3, so o is [0, 0], [2, -1], [0, 0], [3, 2]; their sum [5, 1].
  const dir = mkdtempSync(join(tmpdir(), 'imcc-timesteps-'));
  const npz = join(dir, 'hand.npz');
  const arr = (shape: number[], values: number[]) => ({ dtype: 'i4' as const, shape, data: Float64Array.from(values) });
  writeFileSync(npz, formatNpz(new Map([['h.weight', arr([2, 2, 1, 1], [1, 1, 0, 1])], ['o.weight', arr([2, 2, 1, 1], [2, 1, -1, 3])]])));
  writeFileSync(join(dir, 't.imc'), target);
  writeFileSync(
    join(dir, 'main.imc'),
    `import "t.imc"\nnetwork n on t {\n  input x: 2x1x1, 8 bits\n  weights file "${npz}"\n  h = fc(x, out 2, requant 0)\n  s = relu(h)\n  o = fc(s, out 2, requant 0)\n  output o\n}\n`,
  );

  it('records the hand-worked timesteps: outputs, spikes and the cores\' columns of each, summing to the result', () => {
    const loaded = loadDesign(join(dir, 'main.imc'));
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const program = createProgram(loaded.design!);
    const r = runReference(program.reference, Int32Array.from([1, 2]), { recordTimesteps: true, recordColumns: true });
    expect(r.timesteps!.map((t) => Array.from(t.output))).toEqual([[0, 0], [2, -1], [0, 0], [3, 2]]);
    expect(r.timesteps!.map((t) => Array.from(t.nodes.get('s')!.data))).toEqual([[0, 0], [1, 0], [0, 0], [1, 1]]);
    expect(Array.from(r.output)).toEqual([5, 1]);
    // Each timestep's layer activations and ADC columns are its own: o's core sees its timestep's spikes.
    const oLayer = (t: number) => Array.from(r.timesteps![t].layers.find((l) => l.layer === 'o')!.activations);
    expect([0, 1, 2, 3].map(oLayer)).toEqual([[0, 0], [2, -1], [0, 0], [3, 2]]);
    const oCore = program.mapping.cores.find((c) => c.layer === 'o')!.id;
    expect(Array.from(r.timesteps![1].cores!.find((c) => c.core === oCore)!.postAdc)).toEqual([2, -1]);
    // Without the option (or without model if) there are none.
    expect(runReference(program.reference, Int32Array.from([1, 2])).timesteps).toBeUndefined();
  });
});
