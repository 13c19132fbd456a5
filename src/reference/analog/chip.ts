// A programmed chip: every tile of a mapped network on its own analog devices, programmed on first use and then
// kept, so its programming error is fixed across reads. Shared by `imcc analyze` (one chip per run) and
// `imcc evaluate --analog` (one chip per sample: a fresh programming draw).
import type { IrDesign, IrNode } from '../../ir/types.js';
import { nodeIndex, producerOf } from '../../ir/nodeIndex.js';
import type { Mapping } from '../../mapping/types.js';
import type { TileWeights } from '../mapped.js';
import { idealDevice, programTile, type AnalogDevice, type AnalogTile } from './tile.js';

/**
 * The device model of the design's crossbar. Without a device block: ideal devices with 2^wb - 1 levels, which
 * represent every weight exactly in either encoding (differential: 2 levels per weight unit, offset: 1).
 */
export function designDevice(design: IrDesign): AnalogDevice {
  const crossbar = design.target.crossbar;
  if (crossbar.device) {
    const { span: _span, ...device } = crossbar.device;
    return device;
  }
  return { ...idealDevice(2 ** crossbar.weightBits - 1), encoding: crossbar.devicesPerWeight === 2 ? 'differential' : 'offset' };
}

/** Per weight layer: its weight bits and the bits of the activations its tiles receive. */
export function layerBits(design: IrDesign, mapping: Mapping): Map<string, { weightBits: number; activationBits: number }> {
  const nodes = nodeIndex(design.network);
  const bits = new Map<string, { weightBits: number; activationBits: number }>();
  for (const lm of mapping.layers) {
    const node = nodes.get(lm.layer) as IrNode;
    const producer = producerOf(design.network, node);
    bits.set(lm.layer, { weightBits: node.weightBits ?? design.target.crossbar.weightBits, activationBits: producer.activationBits });
  }
  return bits;
}

/**
 * The analog tile of each core, programmed on first use with the programming error of stream (seed, keyPrefix +
 * core id): the same seed and prefix give the same chip, another prefix an independent one.
 */
export function analogChip(
  bits: Map<string, { weightBits: number; activationBits: number }>,
  device: AnalogDevice,
  seed: number,
  keyPrefix = '',
): (t: TileWeights) => AnalogTile {
  const tiles = new Map<string, AnalogTile>();
  return (t) => {
    let tile = tiles.get(t.core);
    if (!tile) {
      tile = programTile(t.weights, t.rows, t.cols, { device, ...bits.get(t.layer)!, seed, key: keyPrefix + t.core });
      tiles.set(t.core, tile);
    }
    return tile;
  };
}
