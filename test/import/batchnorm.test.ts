// BatchNormalization folding (src/import/graph.ts, in floats before quantization): ResNet-18 with its 20 batch norms
// kept as ONNX nodes imports to the same float network as the same model with the batch norms folded into the convs
// in the file (test/import/resnet18.ts folds them there, as an export with BN folded presents them).
import { describe, expect, it } from 'vitest';
import { readOnnx } from '../../src/import/onnx.js';
import { importGraph } from '../../src/import/graph.js';
import { runFloat } from '../../src/import/float.js';
import { mulberry32 } from '../../src/ir/weights.js';
import { resnet18Onnx } from './resnet18.js';

const SIZE = 32;

describe('ResNet-18 with batch norms kept vs folded in the file', () => {
  const kept = importGraph(readOnnx('kept.onnx', resnet18Onnx(SIZE)));
  const folded = importGraph(readOnnx('folded.onnx', resnet18Onnx(SIZE, 18, { foldBatchNorm: true })));

  it('the kept model has 20 BatchNormalization nodes, the folded one none; both import to 21 weight layers each with its requant', () => {
    const kinds = (g: typeof kept): string[] => g.layers.map((l) => l.op.kind);
    expect(kinds(kept)).toEqual(kinds(folded));
    expect(kinds(kept).filter((k) => k === 'conv')).toHaveLength(20);
    expect(kinds(kept).filter((k) => k === 'requant')).toHaveLength(21);
    expect(kept.layers.filter((l) => l.origin.some((o) => o.startsWith('BatchNormalization')))).toHaveLength(20);
    expect(folded.layers.filter((l) => l.origin.some((o) => o.startsWith('BatchNormalization')))).toHaveLength(0);
  });

  it('folding in the importer gives the logits of the folded model on random inputs (to float32 rounding)', () => {
    const next = mulberry32(7);
    let worst = 0;
    let scale = 0;
    for (let image = 0; image < 3; image++) {
      const x = Float64Array.from({ length: 3 * SIZE * SIZE }, () => next() / 2 ** 32 - 0.5);
      const a = runFloat(kept, x).get(kept.output)!;
      const b = runFloat(folded, x).get(folded.output)!;
      expect(a).toHaveLength(10);
      for (let k = 0; k < 10; k++) {
        worst = Math.max(worst, Math.abs(a[k] - b[k]));
        scale = Math.max(scale, Math.abs(a[k]));
      }
      // Same prediction, and the logits are not trivially zero.
      expect(a.indexOf(Math.max(...a))).toBe(b.indexOf(Math.max(...b)));
    }
    expect(scale).toBeGreaterThan(0.1);
    // The folded file stores W*g/sqrt(v+eps) rounded to float32 (relative error 6e-8 per weight) through 18 layers.
    expect(worst / scale).toBeLessThan(1e-4);
  });
});
