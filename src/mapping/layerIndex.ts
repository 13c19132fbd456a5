// A mapping's layers by name, built once per layer list (later phases look a layer up per core).
import type { LayerMapping, Mapping } from './types.js';

const indexes = new WeakMap<readonly LayerMapping[], ReadonlyMap<string, LayerMapping>>();

/** Layer name -> its mapping (cached on MAPPING's layer array, which is never mutated after mapDesign). */
export function layerIndex(mapping: Mapping): ReadonlyMap<string, LayerMapping> {
  let index = indexes.get(mapping.layers);
  if (index === undefined) {
    index = new Map(mapping.layers.map((l) => [l.layer, l]));
    indexes.set(mapping.layers, index);
  }
  return index;
}

/** The layer whose neuron core sends VALUE: the last node it runs (`output`), or the weight layer itself. */
export function layerSending(mapping: Mapping, value: string): LayerMapping | undefined {
  return mapping.layers.find((l) => (l.output ?? l.layer) === value);
}
