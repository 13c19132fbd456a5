// The mapping phase: kernel matrices, replication, splitting, placement, links and metrics (section 2.2 and 2.4.4
// of Dazzi et al. 2021). Entry point: mapDesign.
export { mapDesign, layerDirective, receivedShape } from './map.js';
export { layerIndex } from './layerIndex.js';
export {
  collectiveKernelMatrix,
  replicationCost,
  replicaOffsets,
  equation2AspectRatio,
  deviceWeight,
  devicePosition,
  matrixWeights,
  mappedWeights,
  matrixInChannels,
  type ReplicationParams,
  type ReplicationCost,
} from './kernel.js';
export { blockOrigins, blockPixels, isRaggedBlock, pixelBlocks, raggedLayers, type BlockOrigin } from './block.js';
export { splitMatrix, balancedRanges, partRole, partProduct, splitProduct, type SplitPlan } from './split.js';
export { snakePosition, manhattan, coreId } from './placement.js';
export { fuseNetwork, type Fusion, type FusedLayer } from './fusion.js';
export { utilization, aspectRatio, devices, mappingTotals, type MappingTotals } from './metrics.js';
export type * from './types.js';
export { mappingJson, replicationJson, validateMappingJson, validateReplicationJson, round6, type MappingJson, type ReplicationJson } from './json.js';
export { mappingTable, gridPicture, replicationDrawing, percent } from './render.js';
