import { describe, expect, it } from 'vitest';
import { mapDesign } from '../../src/mapping/index.js';
import { mappingJson, validateMappingJson } from '../../src/mapping/json.js';
import { gridPicture, mappingTable } from '../../src/mapping/render.js';
import { resnet32 } from './fixtures.js';

const design = resnet32();
const mapping = mapDesign(design);

describe('mapping JSON (imcc map --json, mapping.json)', () => {
  const json = mappingJson(mapping, design);

  it('matches schemas/mapping.schema.json and has the documented top-level shape', () => {
    expect(() => validateMappingJson(json)).not.toThrow();
    expect(Object.keys(json)).toEqual(['cores', 'grid', 'tile', 'layers', 'placement', 'links', 'totals']);
    expect(json.cores).toBe(43);
    expect(json.grid).toEqual({ rows: 8, cols: 6 });
    expect(json.placement.length).toBe(43);
  });

  it('Table 2: a split layer lists its two cores, 504x56 used, 2 tiles; placement names part and role', () => {
    const layer = json.layers.find((l) => l.name === 's3b1.conv_b')!;
    expect(layer).toMatchObject({ kind: 'conv', kernelRows: 504, kernelCols: 56, replicas: 1, method: 1, dW: 1, rows: 504, cols: 56, tiles: 2 });
    expect(layer.utilization).toBe(Math.round(((504 * 56) / (2 * 65536)) * 1e6) / 1e6);
    const cores = layer.cores as string[];
    const parts = json.placement.filter((p) => cores.includes(p.core as string));
    expect(parts.map((p) => p.role)).toEqual(['partial', 'accumulate']);
    expect(parts.map((p) => (p.part as { rowStart: number }).rowStart)).toEqual([0, 252]);
    // Row order: 9 pixels (dx-major), each 56 channels.
    expect((layer.rowPixels as number[][]).slice(0, 4)).toEqual([[0, 0], [1, 0], [2, 0], [0, 1]]);
  });

  it('a broken document is refused by the validator', () => {
    expect(() => validateMappingJson({ ...json, cores: -1 })).toThrow(/mapping.schema.json/);
    const bad = { ...json, links: [{ from: 'c00', to: 'c01', kind: 'teleport', hops: 1, bitsPerTransfer: 8 }] };
    expect(() => validateMappingJson(bad)).toThrow(/mapping.schema.json/);
  });

  it('is deterministic text', () => {
    expect(JSON.stringify(mappingJson(mapDesign(resnet32()), resnet32()))).toBe(JSON.stringify(json));
  });
});

describe('imcc map text', () => {
  it('the table shows kernel matrix, replicas, method, dW, used size, tiles and utilization per layer, then totals', () => {
    const text = mappingTable(mapping, design);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s*#\s+layer\s+kind\s+kernel\s+replicas\s+method\s+dW\s+used rows x cols\s+tiles\s+utilization$/);
    const conv1 = lines.find((l) => /\bconv1\b/.test(l))!;
    expect(conv1).toMatch(/conv1\s+conv\s+27x16\s+1\s+1\s+1\s+27x16\s+1\s+0\.66%/);
    const split = lines.find((l) => / s3b1\.conv_b /.test(l))!;
    expect(split).toMatch(/504x56\s+2 \(2x1\)\s+21\.53%/);
    expect(text).toContain('totals: 34 weight layers on 43 cores (256x256 tiles, 8x6 grid, 5 free)');
    expect(text).toContain('links:');
  });

  it('the grid picture shows every core by layer number and part, free cells as dots', () => {
    const pic = gridPicture(mapping);
    const rows = pic.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.length).toBe(8);
    // Snake: row 0 holds cores 0..5 left to right, row 1 cores 6..11 right to left.
    expect(rows[0].split('|').slice(1, -1).map((c) => c.trim())).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(rows[1].split('|').slice(1, -1).map((c) => c.trim())).toEqual(['12', '11', '10', '9', '8', '7']);
    const cells = rows.flatMap((r) => r.split('|').slice(1, -1).map((c) => c.trim()));
    expect(cells.filter((c) => c === '.').length).toBe(5);
    expect(cells.filter((c) => /[ab]$/.test(c)).length).toBe(18);
  });
});
