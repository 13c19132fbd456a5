// A mapping's layers by name and the layer that sends a value (src/mapping/layerIndex.ts), on LeNet: c1 runs relu r1
// and pool p1 in its neuron core, so it sends p1; the classifier sends the network's output.
import { describe, expect, it } from 'vitest';
import { loadDesign } from '../../src/ir/load.js';
import { mapDesign } from '../../src/mapping/index.js';
import { layerIndex, layerSending } from '../../src/mapping/layerIndex.js';

describe('layerIndex', () => {
  const design = loadDesign('examples/lenet.imc').design!;
  const mapping = mapDesign(design);

  it('indexes every mapped layer by its weight layer, once per mapping', () => {
    expect([...layerIndex(mapping).keys()]).toEqual(mapping.layers.map((l) => l.layer));
    expect(layerIndex(mapping)).toBe(layerIndex(mapping));
  });

  it('finds the layer whose neuron core sends a value, and none for a value sent by no core', () => {
    expect(layerIndex(mapping).get('c1')!.fused).toEqual(['r1', 'p1']);
    expect(layerSending(mapping, 'p1')?.layer).toBe('c1');
    expect(layerSending(mapping, 'r1')).toBeUndefined();
    expect(layerSending(mapping, design.network.output)?.layer).toBe('logits');
  });
});
