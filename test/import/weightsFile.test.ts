// `weights file "X.npz"`: the reference model runs on the file's tensors, and `imcc check` diagnoses a file that is
// missing, unreadable or does not fit the network, at the `weights` statement (IMC120-IMC122).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { referenceInference } from '../../src/reference/index.js';
import { layerParameters } from '../../src/reference/network.js';
import { generateInputImage } from '../../src/ir/weights.js';
import { formatNpz } from '../../src/support/npz.js';
import type { NpyArray } from '../../src/support/npy.js';
import { zipSync } from 'fflate';

afterEach(() => vi.restoreAllMocks());

const design = (weights: string): string => `
target t {
  crossbar { size 64x64; weight_bits 4; adc 16 bits; dac 4 bits }
  input_memory { word 32 bits; depth 256 }
  controller { clock 250MHz; timestep 100ns }
  neuron_core { ops psum, batchnorm, relu, residual, pool }
  grid 4x4
  link 2Gbps
}
network n on t {
  input image: 2x8x8, 5 bits
  ${weights}
  c1 = relu(batchnorm(conv(image, out 4, kernel 3x3, pad 1)))
  c2 = batchnorm(conv(c1, out 4, kernel 3x3, pad 1))
  r = relu(add(c2, c1))
  logits = fc(flatten(maxpool(r, size 2)), out 3)
  output logits
}
`;

/** The seeded parameters of the `weights seed 3` design, as a weights-file archive. */
function seededArchive(dir: string): Map<string, NpyArray> {
  writeFileSync(join(dir, 'seeded.imc'), design('weights seed 3'));
  const { design: seeded } = loadDesign(join(dir, 'seeded.imc'));
  const arrays = new Map<string, NpyArray>();
  for (const [name, p] of layerParameters(seeded!)) {
    const s = p.shape;
    const shape = name === 'logits' ? [s.outChannels, s.inChannels] : [s.outChannels, s.inChannels, s.kernelHeight, s.kernelWidth];
    arrays.set(`${name}.weight`, { dtype: 'i1', shape, data: Float64Array.from(p.weights) });
    if (p.batchNorm) {
      arrays.set(`${name}.scale`, { dtype: 'i4', shape: [s.outChannels], data: Float64Array.from(p.batchNorm.scale) });
      arrays.set(`${name}.bias`, { dtype: 'i4', shape: [s.outChannels], data: Float64Array.from(p.batchNorm.bias) });
    }
  }
  return arrays;
}

function setup(edit: (a: Map<string, NpyArray>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-weights-'));
  const arrays = seededArchive(dir);
  edit(arrays);
  writeFileSync(join(dir, 'params.npz'), formatNpz(arrays));
  writeFileSync(join(dir, 'file.imc'), design('weights file "params.npz"'));
  return dir;
}

describe('weights file', () => {
  it('the reference model runs on the file: the seeded tensors written to a file give the seeded outputs', () => {
    const dir = setup();
    const seeded = loadDesign(join(dir, 'seeded.imc')).design!;
    const fromFile = loadDesign(join(dir, 'file.imc')).design!;
    for (const seed of [1, 2, 3]) {
      const image = generateInputImage(seed, { channels: 2, height: 8, width: 8 }, 5);
      const a = referenceInference(seeded, mapDesign(seeded), image);
      const b = referenceInference(fromFile, mapDesign(fromFile), image);
      expect(Array.from(b.output)).toEqual(Array.from(a.output));
    }
  });

  it('imcc infer runs on file weights (no IMC104)', async () => {
    const dir = setup();
    const a = await runCli(['infer', join(dir, 'seeded.imc'), '--json']);
    const b = await runCli(['infer', join(dir, 'file.imc'), '--json']);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('the archive is byte-identical for the same arrays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imcc-weights-'));
    const arrays = seededArchive(dir);
    expect(Buffer.from(formatNpz(arrays)).equals(Buffer.from(formatNpz(new Map([...arrays].reverse()))))).toBe(true);
  });

  const cases: { name: string; code: string; message: RegExp; edit?: (a: Map<string, NpyArray>) => void; write?: (dir: string) => void }[] = [
    { name: 'missing file', code: 'IMC120', message: /cannot read the weights file .*params\.npz \(no such file\)/, write: () => {} },
    {
      name: 'truncated archive',
      code: 'IMC120',
      message: /not a readable \.npz/,
      write: (dir) => writeFileSync(join(dir, 'params.npz'), formatNpz(seededArchive(dir)).subarray(0, 100)),
    },
    {
      name: 'not a .npy member',
      code: 'IMC120',
      message: /array 'c1.conv.weight': not a \.npy file/,
      write: (dir) => writeFileSync(join(dir, 'params.npz'), zipSync({ 'c1.conv.weight.npy': new TextEncoder().encode('hello world, not numpy') })),
    },
    { name: 'missing tensor', code: 'IMC121', message: /has no array 'c2\.conv\.scale' \(the neuron core multipliers of its batchnorm, shape \[4\]\)/, edit: (a) => void a.delete('c2.conv.scale') },
    {
      name: 'wrong shape',
      code: 'IMC260',
      message: /'c1\.conv\.weight' has shape \[4, 2, 9\], the network needs \[4, 2, 3, 3\]/,
      edit: (a) => void (a.get('c1.conv.weight')!.shape = [4, 2, 9]),
    },
    {
      name: 'float weights',
      code: 'IMC261',
      message: /'logits\.weight' is f4; the fc layer's weights must be integers/,
      edit: (a) => void (a.get('logits.weight')!.dtype = 'f4'),
    },
    { name: 'extra tensor', code: 'IMC263', message: /arrays the network does not use: c9\.weight/, edit: (a) => void a.set('c9.weight', { dtype: 'i1', shape: [1], data: new Float64Array(1) }) },
    { name: 'a negative input scale', code: 'IMC262', message: /'input\.scale' must hold one positive number/, edit: (a) => void a.set('input.scale', { dtype: 'f4', shape: [1], data: Float64Array.of(-1) }) },
    {
      name: 'weight out of range',
      code: 'IMC122',
      message: /'c1\.conv\.weight'\[5\] = 8 is outside the layer's 4-bit weight range \[-7, 7\]/,
      edit: (a) => void (a.get('c1.conv.weight')!.data[5] = 8),
    },
  ];

  for (const c of cases) {
    it(`imcc check: ${c.name} is ${c.code} at the weights statement`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'imcc-weights-'));
      if (c.write) {
        c.write(dir);
      } else {
        const arrays = seededArchive(dir);
        c.edit?.(arrays);
        writeFileSync(join(dir, 'params.npz'), formatNpz(arrays));
      }
      writeFileSync(join(dir, 'file.imc'), design('weights file "params.npz"'));
      const r = await runCli(['check', join(dir, 'file.imc')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`file.imc:12:3: error ${c.code}: `);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
