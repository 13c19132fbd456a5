// design.ts: a typed TypeScript module describing a compiled design (core table, layer table, memory layouts), so host
// code and testbenches import addresses and layer tables with types instead of parsing JSON. Rendered from
// templates/design/design.ts.hbs (the interfaces are fixed text, the tables JSON literals); test/emit/designModule.test.ts
// type-checks the result with the TypeScript compiler.
import { renderTemplate } from '../support/templates.js';

export interface DesignModuleCore {
  id: string;
  layer: string;
  role: string;
  row: number;
  col: number;
  rowPart: number;
  colPart: number;
  crossbarRows: [number, number];
  crossbarCols: [number, number];
}

export interface DesignModuleLayer {
  name: string;
  kind: string;
  kernelRows: number;
  kernelCols: number;
  replicas: number;
  method: number;
  dW: number;
  rows: number;
  cols: number;
  tiles: number;
  utilization: number;
  cores: string[];
}

export interface DesignModuleMemory {
  core: string;
  layout: string;
  wordBits: number;
  depth: number;
  pixelBits: number;
  storedPixels: number;
  words: number;
  deltaKernelBits: number;
  deltaPixBits: number[];
  minimumOccupancyPixels: number;
}

export interface DesignModuleInput {
  network: string;
  target: string;
  source: string;
  grid: { rows: number; cols: number };
  timestepNs: number;
  cores: DesignModuleCore[];
  layers: DesignModuleLayer[];
  memories: DesignModuleMemory[];
}

/** Renders the module text. Deterministic: same input, same bytes. */
export function renderDesignModule(input: DesignModuleInput): string {
  const literal = (value: unknown): string => JSON.stringify(value, null, 2);
  return renderTemplate('design/design.ts.hbs', {
    source: input.source,
    design: literal({ network: input.network, target: input.target, grid: input.grid, timestepNs: input.timestepNs }),
    cores: literal(input.cores),
    layers: literal(input.layers),
    memories: literal(input.memories),
  });
}
