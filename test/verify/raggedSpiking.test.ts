// Ragged method-2 blocks of integrate-and-fire neurons in RTL (issue 19; IMC112 before). A ragged layer's blocks lie
// on a skewed lattice (src/mapping/block.ts) that the neuron core's own counters do not step: its membranes are
// indexed from the block's lattice origin, which the controller reads from its table and hands to the neuron core
// (LATTICE, `block_origin_o`), and only the in-plane replicas integrate (the off-plane ones are emitted and skipped).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInputImage } from '../../src/ir/weights.js';
import { runReference } from '../../src/reference/index.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { lintAndVerifyTests, neuronParametersOf, prepare, TEST_CACHE, writeFiles } from '../emit/rtl/helpers.js';

const p = prepare('test/verify/fixtures/ragged-spiking.imc');

/** Verifies the design after `edit` rewrote one generated file. */
async function verifyEdited(path: string, edit: (text: string) => string) {
  const dir = writeFiles(p.files);
  const file = join(dir, path);
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
  return verifyRtlDirectory(dir, p.program, { cacheDir: TEST_CACHE });
}

describe('ragged blocks of integrate-and-fire neurons (7 replicas dW 3; 5 replicas dW 2, stride 2; 3 replicas dW 2 as the output)', () => {
  it('maps ragged blocks of spiking layers, each neuron core indexing its membranes from the lattice', () => {
    expect(p.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW])).toEqual([
      ['c1', 7, 3],
      ['c2', 5, 2],
      ['c3', 3, 2],
    ]);
    for (const core of ['ragged_spiking_c00', 'ragged_spiking_c01', 'ragged_spiking_c02']) {
      expect(neuronParametersOf(p.files, core)).toMatchObject({ THRESHOLD: 2, LATTICE: 1 });
    }
    // One potential per pixel of the plane and channel: 8x8x4, 4x4x4, 4x4x4.
    expect(['ragged_spiking_c00', 'ragged_spiking_c01', 'ragged_spiking_c02'].map((c) => neuronParametersOf(p.files, c).IF_ENTRIES)).toEqual([256, 64, 64]);
  });

  it('spikes and stays silent in every spiking layer on the verification image (so the test sees both)', () => {
    const input = p.design.network.nodes.find((n) => n.op.kind === 'input')!;
    const r = runReference(p.program.reference, generateInputImage(1, input.shape, input.activationBits), { recordTimesteps: true });
    for (const name of ['s1', 's2', 's3']) {
      const values = new Set(r.timesteps!.flatMap((t) => Array.from(t.nodes.get(name)!.data)));
      expect([...values].sort(), name).toEqual([0, 1]);
    }
  });

  lintAndVerifyTests(p, 1000);

  it('fails at the first ragged layer when its membranes are indexed on the grid instead of the lattice (fault check)', async () => {
    const result = await verifyEdited('rtl/ragged_spiking_c00.v', (t) => t.replace(/(\.LATTICE\s+\()1\)/, '$10)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ core: 'c00', layer: 'c1' });
  }, 300_000);

  it('fails when off-plane replicas integrate too (fault check)', async () => {
    const result = await verifyEdited('rtl/imcc_neuron.v', (t) => t.replace('.fire_i  (commit && pixel_in_plane)', '.fire_i  (commit)'));
    expect(result.pass).toBe(false);
  }, 300_000);
});

describe('ragged blocks of integrate-and-fire neurons in column parts (ragged-columns.imc with a membrane: parts starting inside replicas)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-ragged-spiking-'));
  const path = join(dir, 'ragged-columns-if.imc');
  writeFileSync(
    path,
    readFileSync('test/verify/fixtures/ragged-columns.imc', 'utf8').replace(
      'neuron_core { ops psum, batchnorm, relu }',
      'neuron_core {\n    ops psum, batchnorm, integrate_and_fire\n    model if\n    threshold 1\n    steps 3\n  }',
    ),
  );
  const q = prepare(path);

  it('splits both ragged spiking layers in two column parts, each indexing membranes from the lattice', () => {
    expect(q.design.target.neuronCore.spiking).toBeTruthy();
    expect(q.mapping.layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.colParts])).toEqual([
      ['c1', 3, 2, 2],
      ['c2', 3, 2, 2],
    ]);
    for (const core of ['ragged_columns_c00', 'ragged_columns_c01']) expect(neuronParametersOf(q.files, core)).toMatchObject({ THRESHOLD: 2, LATTICE: 1 });
    // The second part of c1 starts inside replica 1, at its channel 5 (30 columns of 10 channels in two parts of 15).
    expect(neuronParametersOf(q.files, 'ragged_columns_c01')).toMatchObject({ REP_Y_FIRST: 1, OC_FIRST: 5 });
  });

  lintAndVerifyTests(q, 5000);
});
