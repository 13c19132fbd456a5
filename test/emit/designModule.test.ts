import { describe, expect, it } from 'vitest';
import { Project } from 'ts-morph';
import { renderDesignModule, type DesignModuleInput } from '../../src/emit/designModule.js';

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
    { core: 'c00', layout: 'PLIP', wordBits: 128, depth: 512, pixelBits: 24, storedPixels: 96, words: 96, deltaKernel: 3, deltaPix: [0, 1, 2], minimumOccupancyPixels: 66 },
  ],
};

/** Type-checks a generated module together with a consumer that uses its types. */
export function typeCheckDesignModule(text: string): string[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, noEmit: true } });
  project.createSourceFile('/design.ts', text);
  project.createSourceFile(
    '/use.ts',
    `import { cores, layers, memories, design, type CoreInfo } from './design';\n` +
      `const first: CoreInfo | undefined = cores[0];\n` +
      `const n: number = layers.length + memories.length + design.grid.rows + (first ? first.row : 0);\n` +
      `export { n };\n`,
  );
  return project.getPreEmitDiagnostics().map((d) => String(d.getMessageText()));
}

describe('design.ts module (ts-morph)', () => {
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
