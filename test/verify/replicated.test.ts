// Replicated layers (method 1 of the kernel replication, Dazzi et al. 2021 section 2.2.1) in RTL: blocks of output
// pixels along y per computation, a replicated producer feeding several pixels per timestep, replicated layers split
// in row parts, a strided replicated layer; verified bit-exact against the reference model and the schedules.
import { describe, expect, it } from 'vitest';
import { controllerParametersOf, coreModuleFile, lintAndVerifyTests, neuronParametersOf, prepare } from '../emit/rtl/helpers.js';

describe('replicated layers in RTL (method 1)', () => {
  const p = prepare('test/verify/fixtures/replicated.imc');

  it('maps the fixture with 2, 4, 4 and 2 replicas, split in row parts, with residual adds in replicated cores', () => {
    expect(p.mapping.layers.map((l) => l.matrix.replicas.length)).toEqual([2, 4, 4, 2, 1]);
    expect(p.mapping.layers.map((l) => l.cores.length)).toEqual([1, 3, 3, 2, 2]);
    expect(p.mapping.layers.map((l) => l.residualLayer ?? '-')).toEqual(['-', 'c1', 'c2', '-', '-']);
    // A block of 4 pixels at stride 1 reads a 6 x 3 input region; the controller walks it with REGION_H = 6.
    expect(controllerParametersOf(p.files, 'replicated_c01')).toMatchObject({ BLOCK_H: 4, STRIDE: 1, KERNEL_H: 3 });
    expect(coreModuleFile(p.files, 'replicated_c01', 'controller').content).toContain('REGION_H = (BLOCK_H - ONE) * STRIDE + KERNEL_H;');
    // c2 receives c1's two pixels per timestep; its residual FIFO takes c1's two shortcut pixels at once.
    expect(controllerParametersOf(p.files, 'replicated_c01')).toMatchObject({ IN_BLOCK_H: 2 });
    // Its static neuron core writes both pixels in one cycle (RES_IN write ports of the FIFO's storage).
    expect(neuronParametersOf(p.files, 'replicated_c03')).toMatchObject({ REPLICATED: 1, RES_IN: 2 });
    expect(coreModuleFile(p.files, 'replicated_c03', 'neuron').content).toMatch(/\.WRITES\s+\(RES_IN\)/);
  });

  // Every activation, every ADC column and every address of the 11 cores is compared.
  lintAndVerifyTests(p, 4000);
});
