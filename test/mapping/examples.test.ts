import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../../src/ir/load.js';
import { DiagnosticError, formatDiagnostic } from '../../src/diagnostics/index.js';
import { registerMap } from '../../src/cli/commands/map.js';
import { mapDesign } from '../../src/mapping/index.js';
import { validateMappingJson } from '../../src/mapping/json.js';

function load(path: string) {
  const r = loadDesign(path);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.design!;
}

/** Runs `imcc map ...args` on a bare program; returns stdout, or the DiagnosticError it threw. */
async function runMap(args: string[]): Promise<{ out: string; error?: DiagnosticError }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerMap(program, () => undefined);
  try {
    await program.parseAsync(['map', ...args], { from: 'user' });
    return { out };
  } catch (err) {
    if (err instanceof DiagnosticError) return { out, error: err };
    throw err;
  } finally {
    spy.mockRestore();
  }
}

describe('Table 2: examples/resnet32.imc', () => {
  // docs/paper-facts.md: Table 2 misprints two rows. Layer 12 has Cin = 16 (144 rows, Table 2 prints 252) and layer 22 has
  // Cin = 28 (252 rows, Table 2 prints 504). With the corrected shapes only layers 23..31 (504 rows) split in two on
  // 256x256 tiles: 34 weight layers + 9 extra halves = 43 cores, as the paper reports.
  const design = load('examples/resnet32.imc');
  const mapping = mapDesign(design);
  const weightLayers = mapping.layers.filter((l) => !design.network.nodes.find((n) => n.name === l.layer && n.op.kind === 'conv' && n.op.shortcut));
  const paperNumber = (k: number) => weightLayers[k - 1]; // layers 1..31 in network order, then FC

  it('maps to 43 cores on 256x256 tiles', () => {
    expect(design.target.crossbar.rows).toBe(256);
    expect(design.target.crossbar.cols).toBe(256);
    expect(mapping.layers.length).toBe(34);
    expect(mapping.cores.length).toBe(43);
  });

  it('layers 23..31 (504 rows) are the ones split in two; layers 12 (144 rows) and 22 (252 rows) fit one tile', () => {
    expect(paperNumber(12).matrix.kernelRows).toBe(144);
    expect(paperNumber(12).cores.length).toBe(1);
    expect(paperNumber(22).matrix.kernelRows).toBe(252);
    expect(paperNumber(22).cores.length).toBe(1);
    for (let k = 23; k <= 31; k++) {
      expect(paperNumber(k).matrix.kernelRows).toBe(504);
      expect(paperNumber(k).cores.length).toBe(2);
      expect(paperNumber(k).rowParts).toBe(2);
    }
    expect(mapping.layers.filter((l) => l.cores.length > 1).map((l) => l.layer)).toEqual(
      Array.from({ length: 9 }, (_, i) => paperNumber(23 + i).layer),
    );
    const rs = mapping.layers.filter((l) => !weightLayers.includes(l));
    expect(rs.map((l) => [l.matrix.kernelRows, l.matrix.kernelCols])).toEqual([[16, 28], [28, 56]]);
    expect(paperNumber(32).kind).toBe('fc');
    expect([paperNumber(32).matrix.kernelRows, paperNumber(32).matrix.kernelCols]).toEqual([56, 10]);
  });

  it('imcc map --json prints the validated mapping; the text shows the table and the grid', async () => {
    const { out } = await runMap(['examples/resnet32.imc', '--json']);
    const json = JSON.parse(out);
    expect(() => validateMappingJson(json)).not.toThrow();
    expect(json.cores).toBe(43);
    expect(json.grid).toEqual({ rows: 8, cols: 8 });
    expect(json.layers.filter((l: { tiles: number }) => l.tiles === 2).length).toBe(9);
    const text = (await runMap(['examples/resnet32.imc'])).out;
    expect(text).toContain('totals: 34 weight layers on 43 cores (256x256 tiles, 8x8 grid, 21 free)');
    expect(text).toMatch(/\| 24a \|/);
  });

  it('section 3.1.4: examples/resnet32-speedup.imc maps stage 1 with 4 replicas on single tiles', () => {
    const speed = mapDesign(load('examples/resnet32-speedup.imc'));
    const stage1 = speed.layers.filter((l) => l.layer.startsWith('stage1.'));
    expect(stage1.length).toBe(10);
    for (const l of stage1) {
      expect(l.matrix.replicas.length).toBe(4);
      expect(l.matrix.rowSources.length).toBe(256);
      expect(l.cores.length).toBe(1);
    }
  });
});

describe('positioned mapping diagnostics from .imc sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imcc-map-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'targets'));
  const net = readFileSync('examples/resnet32.imc', 'utf8');
  const tgt = readFileSync('examples/targets/dazzi2021.imc', 'utf8');

  it('IMC050 at the target grid line when the grid is too small, saying how many cores are needed', async () => {
    writeFileSync(join(dir, 'targets', 'dazzi2021.imc'), tgt.replace('grid 8x8', 'grid 6x7'));
    writeFileSync(join(dir, 'net.imc'), net);
    const { error } = await runMap([join(dir, 'net.imc')]);
    expect(error).toBeDefined();
    const d = error!.diagnostics[0];
    expect(d.code).toBe('IMC050');
    expect(d.message).toContain('needs 43 cores');
    const text = formatDiagnostic(d, error!.sources);
    expect(text).toContain('error IMC050');
    expect(text.split('\n')[1]).toContain('grid 6x7');
  });

  it('maps 2x2 and 3x2 blocks on a 7-row plane, their last block rows half idle (IMC056 before)', async () => {
    const { out, error } = await runMap(['test/verify/fixtures/edge-rows.imc']);
    expect(error).toBeUndefined();
    expect(out).toContain('c2');
    const layers = mapDesign(load('test/verify/fixtures/edge-rows.imc')).layers;
    expect(layers.map((l) => [l.layer, l.matrix.replicas.length, l.matrix.dW, l.outputShape.height])).toEqual([
      ['c1', 4, 2, 7],
      ['c2', 6, 2, 7],
      ['c3', 1, 1, 7],
      ['c4', 4, 2, 7],
    ]);
  });
});
