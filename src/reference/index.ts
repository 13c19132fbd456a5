// The reference phase: bit-exact integer models of the network (plain) and of the mapped design (as the hardware
// computes it). The arithmetic both follow lives in ./arithmetic.ts.
export { plainInference, directWeightLayer } from './plain.js';
export {
  referenceInference,
  compileReference,
  runReference,
  type ReferenceResult,
  type ReferenceOptions,
  type LayerResult,
  type CoreColumnOutputs,
  type CompiledReference,
  type TileWeights,
  type TileProduct,
} from './mapped.js';
export { layerParameters, type LayerParameters } from './network.js';
export { parseImageFile, imageFormatFor, type ImageFormat } from './imageFile.js';
export type { InferenceResult, NodeValues } from './evaluate.js';
export type { Tensor } from './ops.js';
export * as arithmetic from './arithmetic.js';
