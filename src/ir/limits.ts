// Numeric limits of the language, apart from the parser so the CLI's option checks load them without it.

/** Limits on network numbers (docs/language.md "Operations"). */
export const NETWORK_LIMITS = {
  channels: { min: 1, max: 65536 },
  spatial: { min: 1, max: 8192 },
  kernel: { min: 1, max: 64 },
  stride: { min: 1, max: 64 },
  pad: { min: 0, max: 63 },
  features: { min: 1, max: 16_777_216 },
  bits: { min: 1, max: 32 },
  requant: { min: 0, max: 48 },
  repeat: { min: 1, max: 1024 },
  seed: { min: 0, max: 4_294_967_295 },
  /** Weights of one layer. */
  layerWeights: 100_000_000,
  /** Nodes of a whole network and block instantiations, after expansion. */
  nodes: 20_000,
  instances: 20_000,
  /** Blocks calling blocks, this deep at most. */
  blockDepth: 64,
} as const;

/** Limits on mapping directives (docs/language.md "Mapping"). */
export const DIRECTIVE_LIMITS = {
  replicas: { min: 1, max: 4096 },
  method: { min: 1, max: 2 },
  dw: { min: 1, max: 4096 },
} as const;
