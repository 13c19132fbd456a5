// Reference section of npm run bench: images per second of the bit-exact reference model on ResNet-32 (target: at
// least 10), for the plain and the speed-up (replicated) mapping. The design is compiled once (index tables per
// layer); each image then runs every tile of every layer. Wall time and this process's CPU time are both shown:
// on a shared machine the CPU figure is the one that says what the model costs.
// The exact path (src/reference/exactness.ts: a layer whose worst case passes 2^53 computes in BigInt) is measured by
// forcing every layer of LeNet and of ResNet-32 onto it: its CPU images/s beside the number path's, and how many times
// slower it is. Its outputs must equal the number path's (both are exact on these networks), or the bench throws.
import { inputNode } from '../src/ir/nodeIndex.js';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { compileReference, runReference, type CompiledReference } from '../src/reference/index.js';
import type { IrDesign } from '../src/ir/types.js';
import { generateInputImage } from '../src/ir/weights.js';
import { timed, type BenchRow } from './table.js';

const TARGET_IMAGES_PER_SECOND = 10;
const IMAGES = 20;

/** Seeded images 0..count-1 of the design's input. */
function seededImages(design: IrDesign, count: number): Int32Array[] {
  const input = inputNode(design.network);
  return Array.from({ length: count }, (_, i) => generateInputImage(i, input.shape, input.activationBits));
}

/** Wall and CPU images per second of `images` (after one warm-up run: let the JIT see the loops once). */
function rates(compiled: CompiledReference, images: Int32Array[]): { wallPerSecond: number; cpuPerSecond: number } {
  runReference(compiled, images[0]);
  const cpu = process.cpuUsage();
  const wall = timed(() => {
    for (const image of images) runReference(compiled, image);
  });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { wallPerSecond: images.length / (wall.ms / 1000), cpuPerSecond: images.length / cpuSeconds };
}

function load(file: string): IrDesign {
  const { design, diagnostics } = loadDesign(file);
  if (design === null) throw new Error(`bench: ${file} does not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  return design;
}

function measure(file: string): { compileMs: number; wallPerSecond: number; cpuPerSecond: number } {
  const design = load(file);
  const compiled = timed(() => compileReference(design, mapDesign(design)));
  return { compileMs: compiled.ms, ...rates(compiled.value, seededImages(design, IMAGES)) };
}

/** CPU images/s of the number path and of every layer forced to BigInt, over `count` images (outputs compared). */
function measureExact(file: string, count: number): { numberPerSecond: number; bigintPerSecond: number } {
  const design = load(file);
  const compiled = compileReference(design, mapDesign(design));
  const images = seededImages(design, count);
  const expected = images.map((image) => runReference(compiled, image).output);
  const numberPerSecond = rates(compiled, images).cpuPerSecond;
  for (const layer of compiled.layers.values()) layer.arithmetic = { columnSums: 'bigint', neuron: 'bigint' };
  images.forEach((image, i) => {
    const output = runReference(compiled, image).output;
    if (!output.every((v, k) => v === expected[i][k])) throw new Error(`bench: ${file}'s BigInt path differs from its number path on image ${i}`);
  });
  // The comparison above was the BigInt loops' warm-up; count them once more.
  const cpu = process.cpuUsage();
  for (const image of images) runReference(compiled, image);
  const used = process.cpuUsage(cpu);
  return { numberPerSecond, bigintPerSecond: count / ((used.user + used.system) / 1e6) };
}

export async function benchmarks(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [label, file] of [
    ['resnet32', 'examples/resnet32.imc'],
    ['resnet32-speedup', 'examples/resnet32-speedup.imc'],
  ] as const) {
    const m = measure(file);
    const rate = (name: string, value: number): BenchRow => ({
      section: 'reference',
      name: `${label} ${name}`,
      value: `${value.toFixed(1)} images/s`,
      target: `>= ${TARGET_IMAGES_PER_SECOND} images/s`,
      status: value >= TARGET_IMAGES_PER_SECOND ? 'ok' : 'SLOW',
    });
    rows.push(
      { section: 'reference', name: `${label} compile (map + index tables)`, value: `${m.compileMs.toFixed(0)} ms`, target: '-', status: '-' },
      rate(`reference model, wall (${IMAGES} images)`, m.wallPerSecond),
      rate(`reference model, CPU time (${IMAGES} images)`, m.cpuPerSecond),
    );
  }
  // ResNet-32 on BigInt takes about 20 s of CPU per image: one image (after the comparison run).
  for (const [label, file, count] of [
    ['lenet', 'examples/lenet.imc', IMAGES],
    ['resnet32', 'examples/resnet32.imc', 1],
  ] as const) {
    const m = measureExact(file, count);
    const images = `${count} image${count > 1 ? 's' : ''}`;
    rows.push(
      { section: 'reference', name: `${label} number path, CPU time (${images})`, value: `${m.numberPerSecond.toFixed(2)} images/s`, target: '-', status: '-' },
      { section: 'reference', name: `${label} exact path, every layer BigInt, CPU time (${images})`, value: `${m.bigintPerSecond.toFixed(2)} images/s`, target: '-', status: '-' },
      { section: 'reference', name: `${label} exact path cost (number / BigInt images/s)`, value: `${(m.numberPerSecond / m.bigintPerSecond).toFixed(1)}x`, target: '-', status: '-' },
    );
  }
  return rows;
}
