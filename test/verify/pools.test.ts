// Padded pools in the neuron core (issue 17 item 4, listed under IMC112 in issue 19): the window counters start
// POOL_PAD_TOP and POOL_PAD_LEFT before the plane and a window also ends at the plane's last row or column, so a max pool ignores the
// padding and an average pool counts it as zeros (docs/arithmetic.md). Verified bit-exact against the reference
// model. Two pools in one core: each a static stage (templates/rtl/imcc_pool.v.hbs), the second over the pixels the first emits. Pools whose stride
// differs from their size: test/verify/overlapPools.test.ts; one whose padding makes two windows end at the same row
// queues its pooled pixels (test/verify/queuePools.test.ts), also after another pool of its core.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreModuleFile, lintAndVerifyTests, neuronParametersOf, poolStageParametersOf, prepare } from '../emit/rtl/helpers.js';
import { loadDesign } from '../../src/ir/load.js';
import { createProgram } from '../../src/pipeline/program.js';
import { emitRtl } from '../../src/emit/rtl/index.js';

describe('padded pools (2x2 max pool padded by 1 on 7x7, 3x3 average pool padded by 1 on 4x4)', () => {
  const p = prepare('test/verify/fixtures/padded-pool.imc');
  it('start the window counters at the padding and end windows at the plane\'s edge', () => {
    // The static neuron core's pool: the wrapper sets the padding and the pooled plane.
    expect(neuronParametersOf(p.files, 'padded_pool_c00')).toMatchObject({ POOL: 1, POOL_H: 2, POOL_PAD_TOP: 1, POOL_PAD_LEFT: 1, POOLED_H: 4, POOLED_W: 4 });
    const c00 = coreModuleFile(p.files, 'padded_pool_c00', 'neuron').content;
    expect(c00).toContain('wire window_last = ((wy_q == WINDOW_H - ONE) || (pixel_y == PLANE_H - ONE)) && ((wx_q == WINDOW_W - ONE) || (pixel_x == PLANE_W - ONE));');
    expect(c00).toContain('wy_q <= PAD_TOP;');
  });
  lintAndVerifyTests(p, 300);
});

describe('two pools in one neuron core (max then average, max then global average)', () => {
  const p = prepare('test/verify/fixtures/two-pools.imc');
  it('pools the first pool\'s pixels in a second stage and emits at the second pool\'s windows', () => {
    // Both pools are static stages the wrapper chains; the neuron core emits at the last one's windows.
    expect(neuronParametersOf(p.files, 'two_pools_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 1 });
    const [first, second] = poolStageParametersOf(p.files, 'two_pools_c00');
    expect(first).toMatchObject({ KIND: 1, POOL_H: 2, STRIDE_Y: 2 });
    // The 2x2 average pool's windows over the 4x4 first-pool plane: 2x2 of them.
    expect(second).toMatchObject({ KIND: 2, IN_H: 4, IN_W: 4, POOL_H: 2, STRIDE_Y: 2, POOLED_H: 2, POOLED_W: 2 });
    // The global average pool: one window of the whole plane.
    const [, global] = poolStageParametersOf(p.files, 'two_pools_c01');
    expect(global).toMatchObject({ KIND: 2, POOLED_H: 1, POOLED_W: 1 });
    expect(global.POOL_H).toBe(global.IN_H);
    expect(global.POOL_W).toBe(global.IN_W);
  });
  lintAndVerifyTests(p, 100);
});

describe('an overlapping pool whose padding reaches a whole stride past the plane', () => {
  const load = (text: string) => {
    const { design, diagnostics } = loadDesign('main.imc', (file) => {
      if (file === 'main.imc') return text;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return design!;
  };
  it('queues its pooled pixels as the first pool of its core (test/verify/queuePools.test.ts)', () => {
    const text = readFixture().replace('grid 2x2', 'grid 3x3').replace('p2 = avgpool(c2, size 3, pad 1)', 'p2 = avgpool(c2, size 3, stride 1, pad 1)');
    const files = emitRtl(createProgram(load(text)));
    // The static queue of pooled pixels follows the core's neuron core.
    expect(files.some((f) => f.path === 'rtl/imcc_pool_queue.v')).toBe(true);
    expect(files.some((f) => /\) u_queue \(/.test(f.content))).toBe(true);
  });
  it('in the network\'s output layer, keeps its core unfinished until the queue has drained', () => {
    const text = readFixture()
      .replace('grid 2x2', 'grid 3x3')
      .replace('p2 = avgpool(c2, size 3, pad 1)', 'p2 = avgpool(c2, size 3, stride 1, pad 1)')
      .replace(/ {2}f1 = fc\(flatten\(p2\), out 5\)\n/, '')
      .replace('output f1', 'output p2');
    const files = emitRtl(createProgram(load(text)));
    expect(files.some((f) => f.content.includes('assign finished_o = controller_finished && (arrivals_q == ARRIVALS) && queue_empty;'))).toBe(true);
  });
  it('queues after another pool of its core (test/verify/poolThenQueue.test.ts)', () => {
    const text = readFixture().replace('grid 2x2', 'grid 3x3').replace('p2 = avgpool(c2, size 3, pad 1)', 'p2 = avgpool(maxpool(c2, size 1), size 3, stride 1, pad 1)');
    const files = emitRtl(createProgram(load(text)));
    expect(files.some((f) => /\) u_pool1 \(/.test(f.content) && /\) u_queue \([^;]*\.stream_i\s+\(pool_stream_1\)/.test(f.content))).toBe(true);
  });
  it('queues after a threshold after another pool of its core (the queue compares its input)', () => {
    const text = readFixture()
      .replace('grid 2x2', 'grid 3x3')
      .replace('ops psum, batchnorm, relu, pool', 'ops psum, batchnorm, relu, pool, threshold')
      .replace('p2 = avgpool(c2, size 3, pad 1)', 'p2 = avgpool(threshold(maxpool(c2, size 1), level 1), size 3, stride 1, pad 1)');
    const files = emitRtl(createProgram(load(text)));
    expect(files.some((f) => /\.THRESHOLD_IN\s+\(1\),\s+\.LEVEL_IN_NEGATIVE\s+\(0\),\s+\.LEVEL_IN_MAGNITUDE\s+\(1\)/.test(f.content) && /\) u_queue \(/.test(f.content))).toBe(true);
  });
});

function readFixture(): string {
  return readFileSync('test/verify/fixtures/padded-pool.imc', 'utf8');
}
