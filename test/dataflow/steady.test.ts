// The simulator extends a long batch once the pipeline repeats itself (docs/dataflow.md "Long batches"): every figure
// must equal the image-by-image simulation's (forced here with `activity`, which simulates every image).
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import type { IrDesign } from '../../src/ir/types.js';
import { mapDesign } from '../../src/mapping/index.js';
import { simulateDataflow, type DataflowResult } from '../../src/dataflow/index.js';
import { fixtureMapping, resnet32Design, SPEEDUP_STAGES, tinyDesign } from './fixtures.js';

function withoutActivity(r: DataflowResult): DataflowResult {
  const { activity: _a, outputs: _o, ...rest } = r;
  return rest;
}

function example(file: string): IrDesign {
  const { design, diagnostics } = loadDesign(file);
  if (design === null) throw new Error(`${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return design;
}

// The last one never repeats itself: its slow second layer falls further behind with every image (the model does not
// stall its producer), so it is simulated image by image; the others must repeat themselves early in a long batch.
const networks: Array<[string, () => IrDesign]> = [
  ['examples/lenet.imc', () => example('examples/lenet.imc')],
  ['examples/digits.imc', () => example('examples/digits.imc')],
  ['examples/resnet32.imc', () => example('examples/resnet32.imc')],
  ['examples/resnet32-speedup.imc', () => example('examples/resnet32-speedup.imc')],
  ['examples/resnet32-optimized.imc', () => example('examples/resnet32-optimized.imc')],
  ['ResNet-32 with the 4/2/1 speed-up (replicated, strided, residual)', () => resnet32Design({ stages: SPEEDUP_STAGES })],
  ['a stride-2 conv with 2 replicas, pooled', () => tinyDesign({ height: 12, stride: 2, replicas: 2, pool: true })],
  ['a 4-replica conv feeding a 1-replica conv (a downstream bottleneck)', () => tinyDesign({ height: 16, replicas: 4, second: 1 })],
];

describe('a long batch extended from the repeating images gives the figures of the image-by-image simulation', () => {
  for (const [name, build] of networks) {
    it(name, () => {
      const design = build();
      const mapping = name.startsWith('examples/') ? mapDesign(design) : fixtureMapping(design);
      for (const granularity of ['pixel', 'block'] as const) {
        for (const batch of [1, 2, 5, 40]) {
          const stats = { simulatedImages: 0 };
          const extended = simulateDataflow(design, mapping, { batch, granularity, stats });
          const full = simulateDataflow(design, mapping, { batch, granularity, activity: true });
          expect(withoutActivity(extended), `${granularity}, batch ${batch}`).toEqual(withoutActivity(full));
          // A batch of one is timed as two; a batch of 40 repeats itself long before its end.
          if (batch === 1) expect(stats.simulatedImages).toBe(2);
          if (batch === 40 && name.includes('bottleneck')) expect(stats.simulatedImages).toBe(40);
          else if (batch === 40) expect(stats.simulatedImages).toBeLessThanOrEqual(12);
        }
      }
    });
  }
});
