// Method 2 with a stride over the kernel width in RTL (a replicated 1x1 stride-2 shortcut in 2x2 blocks): the region
// column between the replicas' patches, like the row, has no crossbar rows and no memory reads; verified bit-exact.
import { describe, expect, it } from 'vitest';
import { controllerParametersOf, coreModuleFile, lintAndVerifyTests, prepare } from '../emit/rtl/helpers.js';

describe('a method-2 layer whose stride exceeds its kernel width in RTL', () => {
  const p = prepare('test/verify/fixtures/method2-sparse.imc');
  const coreOf = (layer: string): string => `${p.design.network.name}_${p.mapping.cores.find((c) => c.layer === layer)!.id}`;
  const parametersOf = (layer: string): Record<string, number> => controllerParametersOf(p.files, coreOf(layer));

  it('maps the shortcut s with 2x2 blocks: 4 input pixels of its 3x3 region, 16 rows', () => {
    const s = p.mapping.layers.find((l) => l.layer === 's')!;
    expect([s.matrix.replicas.length, s.matrix.dW, s.matrix.stride, s.matrix.kernelWidth]).toEqual([4, 2, 2, 1]);
    expect(s.matrix.rowSources.map((r) => `${r.dy},${r.dx}`).filter((k, i, all) => all.indexOf(k) === i)).toEqual(['0,0', '2,0', '0,2', '2,2']);
  });

  it('walks the 3x3 region and skips its middle column and row', () => {
    // 2 of the region's 3 rows and columns are read; the sparse row and column counters are on.
    expect(parametersOf('s')).toMatchObject({ REGION_ROWS: 2, SPARSE_ROWS: 1, SPARSE_COLS: 1, KERNEL_W: 1, STRIDE: 2 });
    const controller = coreModuleFile(p.files, coreOf('s'), 'controller').content;
    expect(controller).toContain('assign col_read = (dx_phase_q < KERNEL_W);');
    expect(controller).toContain('wire in_slot = row_read && col_read && !(short_col && (dy_q > SHORT_DY));');
    expect(controller).toContain('wire in_part = in_slot && (slot_q >= SLOT_FIRST) && (slot_q <= SLOT_LAST);');
    // A dense region (c2, 3x3 at stride 2) has no column phase.
    expect(parametersOf('c2')).toMatchObject({ SPARSE_ROWS: 0, SPARSE_COLS: 0 });
  });

  // Every activation, ADC column and address of the 5 cores and every output value are compared.
  lintAndVerifyTests(p, 1500);
});
