import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { compileReference, plainInference, runReference } from '../../src/reference/index.js';
import { generateInputImage } from '../../src/ir/weights.js';
import type { IrDesign } from '../../src/ir/types.js';
import { firstDifference } from './compare.js';

function load(path: string): IrDesign {
  const { design, diagnostics } = loadDesign(path);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return design;
}

function seededImage(design: IrDesign, seed: number): Int32Array {
  const input = design.network.nodes.find((n) => n.op.kind === 'input')!;
  return generateInputImage(seed, input.shape, input.activationBits);
}

describe('reference model on the examples', () => {
  it('replication never changes the result: resnet32.imc and resnet32-speedup.imc give identical outputs per seed', () => {
    const plain = load('examples/resnet32.imc');
    const fast = load('examples/resnet32-speedup.imc');
    const plainMapping = mapDesign(plain);
    const fastMapping = mapDesign(fast);
    // The speed-up example really is replicated (4/2/1 pixels per timestep in the three stages).
    expect(Math.max(...fastMapping.layers.map((l) => l.matrix.replicas.length))).toBe(4);
    expect(plainMapping.layers.every((l) => l.matrix.replicas.length === 1)).toBe(true);
    const a = compileReference(plain, plainMapping);
    const b = compileReference(fast, fastMapping);
    for (const seed of [0, 1]) {
      const image = seededImage(plain, seed);
      const ra = runReference(a, image);
      const rb = runReference(b, image);
      expect(Array.from(rb.output)).toEqual(Array.from(ra.output));
      expect(rb.argmax).toBe(ra.argmax);
      expect(rb.layers.map((l) => l.layer)).toEqual(ra.layers.map((l) => l.layer));
      ra.layers.forEach((l, i) => expect(firstDifference(rb.layers[i].activations, l.activations), l.layer).toBe(-1));
    }
  });

  it('ResNet-32 on dazzi2021: the 24-bit auto ADC is lossless on every layer, so the mapped model equals plainInference', () => {
    const design = load('examples/resnet32.imc');
    const ref = compileReference(design, mapDesign(design));
    const image = seededImage(design, 3);
    const mapped = runReference(ref, image);
    expect(mapped.layers).toHaveLength(34);
    for (const l of mapped.layers) expect(l.adc, l.layer).toMatchObject({ bits: 24, shift: 0, lossless: true });
    const plain = plainInference(design, image);
    expect(Array.from(mapped.output)).toEqual(Array.from(plain.output));
    for (const [name, t] of plain.nodes) expect(firstDifference(mapped.nodes.get(name)!.data, t.data), name).toBe(-1);
  });

  it('LeNet on its 12-bit ADC: split c2 (50-row parts, needBits 13) gets shift 1; with a wide ADC it equals plainInference', () => {
    const design = load('examples/lenet.imc');
    const mapping = mapDesign(design);
    const image = seededImage(design, 4);
    const lossy = runReference(compileReference(design, mapping), image);
    expect(lossy.layers.find((l) => l.layer === 'c2')!.adc).toEqual({ bits: 12, shift: 1, lossless: false });
    expect(lossy.layers.find((l) => l.layer === 'c1')!.adc).toEqual({ bits: 12, shift: 0, lossless: true });
    const wide: IrDesign = { ...design, target: { ...design.target, crossbar: { ...design.target.crossbar, adcBits: 32 } } };
    const exact = runReference(compileReference(wide, mapping), image);
    expect(Array.from(exact.output)).toEqual(Array.from(plainInference(wide, image).output));
  });
});
