// Mapping metrics: tiles, crossbar utilization (equation 4), aspect ratio (equation 2), devices.
import type { CollectiveKernelMatrix, Mapping } from './types.js';
import { mappedWeights } from './kernel.js';

/** Equation 4: u = (N * D_K) / D_A, logical weights of the N replicas over the devices of the layer's tiles. */
export function utilization(m: CollectiveKernelMatrix, tiles: number, tileRows: number, tileCols: number): number {
  return mappedWeights(m) / (tiles * tileRows * tileCols);
}

/** Rows over columns of the collective kernel matrix. */
export function aspectRatio(m: CollectiveKernelMatrix): number {
  return m.rowSources.length / m.columnSinks.length;
}

/** Physical devices programmed: logical weights times devices per weight (2 for a differential pair). */
export function devices(m: CollectiveKernelMatrix, devicesPerWeight: number): number {
  return mappedWeights(m) * devicesPerWeight;
}

export interface MappingTotals {
  cores: number;
  tiles: number;
  /** Logical weights mapped over all layers. */
  weights: number;
  devices: number;
  /** Logical weights over the devices of every used tile (equation 4 over the whole network). */
  utilization: number;
}

export function mappingTotals(mapping: Mapping, tile: { rows: number; cols: number }): MappingTotals {
  let weights = 0;
  let deviceCount = 0;
  for (const layer of mapping.layers) {
    weights += mappedWeights(layer.matrix);
    deviceCount += layer.devices;
  }
  const tiles = mapping.cores.length;
  return {
    cores: mapping.cores.length,
    tiles,
    weights,
    devices: deviceCount,
    utilization: tiles === 0 ? 0 : weights / (tiles * tile.rows * tile.cols),
  };
}
