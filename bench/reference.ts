// Reference section of npm run bench: images per second of the bit-exact reference model on ResNet-32 (target: at
// least 10), for the plain and the speed-up (replicated) mapping. The design is compiled once (index tables per
// layer); each image then runs every tile of every layer. Wall time and this process's CPU time are both shown:
// on a shared machine the CPU figure is the one that says what the model costs.
import { inputNode } from '../src/ir/nodeIndex.js';
import { loadDesign } from '../src/ir/load.js';
import { mapDesign } from '../src/mapping/index.js';
import { compileReference, runReference } from '../src/reference/index.js';
import { generateInputImage } from '../src/ir/weights.js';
import { timed, type BenchRow } from './table.js';

const TARGET_IMAGES_PER_SECOND = 10;
const IMAGES = 20;

function measure(file: string): { compileMs: number; wallPerSecond: number; cpuPerSecond: number } {
  const { design, diagnostics } = loadDesign(file);
  if (design === null) throw new Error(`bench: ${file} does not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = timed(() => compileReference(design, mapDesign(design)));
  const input = inputNode(design.network);
  const images = Array.from({ length: IMAGES }, (_, i) => generateInputImage(i, input.shape, input.activationBits));
  runReference(compiled.value, images[0]); // warm-up: let the JIT see the loops once
  const cpu = process.cpuUsage();
  const wall = timed(() => {
    for (const image of images) runReference(compiled.value, image);
  });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { compileMs: compiled.ms, wallPerSecond: IMAGES / (wall.ms / 1000), cpuPerSecond: IMAGES / cpuSeconds };
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
  return rows;
}
