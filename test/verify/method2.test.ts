// Method 2 of the kernel replication (Dazzi et al. 2021 section 2.2.1) in RTL: 2x2 blocks of output pixels per
// computation, sent on as blocks (the next core's pixels arrive two columns at a time), a method-2 layer split in row
// parts adding a shortcut that comes in the same blocks, method-1 layers fed by 2x2 blocks, and a replicated 1x1
// stride-2 shortcut whose region has a row no replica reads; verified bit-exact against the reference model and the
// schedules.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRtl } from '../../src/emit/rtl/plan.js';
import { controllerParametersOf, coreModuleFile, lintAndVerifyTests, neuronParametersOf, prepare } from '../emit/rtl/helpers.js';

describe('replicated layers in RTL (method 2)', () => {
  const p = prepare('test/verify/fixtures/method2.imc');
  const file = (path: string): string => p.files.find((f) => f.path === path)!.content;

  it('maps the fixture with 2x2 blocks (c1, c2), columns of 2 (c3, s, c4), split in row parts', () => {
    const layers = p.mapping.layers;
    expect(layers.map((l) => l.layer)).toEqual(['c1', 'c2', 'c3', 's', 'c4', 'f1']);
    expect(layers.map((l) => l.matrix.dW)).toEqual([2, 2, 1, 1, 1, 1]);
    expect(layers.map((l) => l.matrix.replicas.length)).toEqual([4, 4, 2, 2, 2, 1]);
    expect(layers.map((l) => l.rowParts)).toEqual([2, 2, 2, 1, 2, 2]);
    // c2 adds c1's shortcut; c4 adds s's (the add of the two batch norms).
    expect(layers.map((l) => l.residualLayer ?? '-')).toEqual(['-', 'c1', '-', '-', 's', '-']);
  });

  it('walks a 2x2 block\'s 4x4 region and writes the arriving 2x2 blocks column by column', () => {
    expect(controllerParametersOf(p.files, 'method2_c02')).toMatchObject({ BLOCK_H: 2, BLOCK_W: 2, IN_BLOCK_W: 2 });
    expect(coreModuleFile(p.files, 'method2_c02', 'controller').content).toContain('REGION_W = (BLOCK_W - ONE) * STRIDE + KERNEL_W;');
    // A 2-column block arriving into a ring of columns the region also reads: the memory keeps one column more than
    // the region's 4 (the block's second column arrives with the first).
    expect(controllerParametersOf(p.files, 'method2_c02').COLUMNS).toBe(5);
    // c3 (method 1) is fed by c2's 2x2 blocks.
    expect(controllerParametersOf(p.files, 'method2_c04')).toMatchObject({ IN_BLOCK_H: 2, IN_BLOCK_W: 2, BLOCK_W: 1 });
  });

  it('skips the region row of the 1x1 stride-2 shortcut that no replica reads', () => {
    const s = `method2_${p.mapping.cores.find((c) => c.layer === 's')!.id}`;
    // Region rows 0 and 2 of 3 (replica 1's pixel is two rows below replica 0's): 2 crossbar row groups.
    expect(controllerParametersOf(p.files, s)).toMatchObject({ REGION_ROWS: 2, SPARSE_ROWS: 1 });
    expect(coreModuleFile(p.files, s, 'controller').content).toContain('assign row_read = (dy_phase_q < KERNEL_H);');
    // The neuron core of c1 walks its replicas y fastest over the 2x2 block.
    expect(neuronParametersOf(p.files, 'method2_c01')).toMatchObject({ REPLICATED: 1, BLOCK_H: 2, BLOCK_W: 2 });
    expect(coreModuleFile(p.files, 'method2_c01', 'neuron').content).toContain('rep_x_d = rep_x_q + ONE;');
  });

  // Every activation, every ADC column and every address of the 11 cores is compared.
  lintAndVerifyTests(p, 3000);

  it('plans a residual add whose shortcut comes in another pixel order (columns of 4 into 2x2 blocks) with a table of slots (IMC112 before)', () => {
    const source = readFileSync('test/verify/fixtures/method2.imc', 'utf8').replace('layer c1: replicas 4, method 2, dw 2', 'layer c1: replicas 4, method 1');
    const path = join(mkdtempSync(join(tmpdir(), 'imcc-m2-')), 'order.imc');
    writeFileSync(path, source);
    const plan = planRtl(prepare(path).program);
    const adding = plan.cores.filter((c) => c.neuron?.residual?.from === 'c1');
    expect(adding.length).toBeGreaterThan(0);
    for (const core of adding) {
      const { slots, depth } = core.neuron!.residual!;
      // The 2x2 block at the origin reads (0,0) (1,0) (0,1) (1,1): arrival indices 0, 1, 8, 9 of c1's 8-row columns.
      expect(slots!.slice(0, 4)).toEqual([0, 1, 8, 9].map((i) => i % depth));
    }
  });
});
