import { describe, expect, it } from 'vitest';
import { renderDesignModule, type DesignModuleInput } from '../../src/emit/designModule.js';
import { typeCheckDesignModule } from '../support/typecheck.js';

const sample: DesignModuleInput = {
  network: 'tiny',
  target: 't',
  source: 'tiny.imc',
  grid: { rows: 1, cols: 2 },
  timestepNs: 100,
  cores: [
    { id: 'c00', layer: 'a', role: 'single', row: 0, col: 0, rowPart: 0, colPart: 0, crossbarRows: [0, 27], crossbarCols: [0, 16] },
  ],
  layers: [
    { name: 'a', kind: 'conv', kernelRows: 27, kernelCols: 16, replicas: 1, method: 1, dW: 1, rows: 27, cols: 16, tiles: 1, utilization: 0.5, cores: ['c00'] },
  ],
  memories: [
    { core: 'c00', layout: 'PLIP', wordBits: 128, depth: 512, pixelBits: 24, storedPixels: 96, words: 96, deltaKernelBits: 384, deltaPixBits: [0, 128, 256], minimumOccupancyPixels: 66 },
  ],
};

describe('design.ts module (template, type-checked by the TypeScript compiler)', () => {
  it('renders deterministically and type-checks with a consumer', () => {
    const a = renderDesignModule(sample);
    expect(renderDesignModule(sample)).toBe(a);
    expect(a).toContain('export const cores: readonly CoreInfo[]');
    expect(typeCheckDesignModule(a)).toEqual([]);
  });

  it('a wrong literal in the module is a type error (the check can fail)', () => {
    const broken = renderDesignModule(sample).replace('"role": "single"', '"role": "boss"');
    expect(typeCheckDesignModule(broken).length).toBeGreaterThan(0);
  });
});
