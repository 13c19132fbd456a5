// Pools whose windows end together (issue 19, IMC112 before): with padding >= stride several windows end at the same
// conv-output pixel, so a walk pools them from the line buffer into a ring of pooled pixels that leave one per
// timestep in column-major order (templates/rtl/imcc_pool_queue.v.hbs), and the dataflow model emits them one per timestep
// too (src/dataflow/simulate.ts, serialEmission). Verified bit-exact, with the consumer's timing, in Verilator.
import { describe, expect, it } from 'vitest';
import { neuronParametersOf, poolQueueParametersOf, prepare, TEST_CACHE, verifyEdited, writeFiles } from '../emit/rtl/helpers.js';
import { lintRtl } from '../../src/verify/lint.js';
import { verifyRtlDirectory } from '../../src/verify/index.js';
import { poolQueueSlots } from '../../src/emit/rtl/poolWindows.js';
import { poolWindowsAll } from '../../src/mapping/poolWindows.js';

describe('windows that end together', () => {
  it('are all listed, the clamped ones ending at the plane\'s last row', () => {
    // 3x3 stride 1 padded by 1 on 5 rows: windows 3 and 4 both end at row 4.
    expect(poolWindowsAll(5, 3, 1, 1).map((w) => [w.index, w.end, w.span])).toEqual([
      [0, 1, 1],
      [1, 2, 2],
      [2, 3, 2],
      [3, 4, 2],
      [4, 4, 1],
    ]);
  });
  it('need a queue of a power-of-two slots that no pixel overwrites before it leaves', () => {
    const pad = { top: 1, bottom: 1, left: 1, right: 1 };
    // 3x3/1 on 6x5: windows of pooled columns 3 and 4 both end at conv column 4; when conv pixel (5, 4) completes
    // pooled pixels 22, 23, 28 and 29 (column-major), pixel 22 is the next to leave: 8 pixels, 22..29, in the ring.
    expect(poolQueueSlots(6, 5, 3, 1, pad)).toBe(8);
    // One row and one column end together on a 2x2 plane with 2x2/1 windows padded by 1: still a queue.
    expect(poolQueueSlots(2, 2, 2, 1, pad)).toBeGreaterThanOrEqual(2);
  });
});

describe('queued pools (3x3/1 max padded by 1 on 6x5, then a ReLU; 2x2/1 average padded by 1 on 6x5)', () => {
  const p = prepare('test/verify/fixtures/queue-pool.imc');
  it('walks the windows ending at a conv pixel into a ring of pooled pixels', () => {
    // The static queue after the static neuron core: 6x6 windows of 3x3 every 1 padded by 1 over the 6x5 plane, a
    // ring of 8 pixels of 4 channels.
    expect(neuronParametersOf(p.files, 'queue_pool_c00')).toMatchObject({ POOL: 0, POOL_CHAIN: 0, RELU_AFTER_POOL: 0 });
    expect(poolQueueParametersOf(p.files, 'queue_pool_c00')).toMatchObject({ KIND: 1, IN_H: 6, IN_W: 5, POOL_H: 3, STRIDE: 1, PAD_TOP: 1, POOLED_H: 6, POOLED_W: 5, SLOTS: 8, COLS: 4, OUT_BITS: 4, RELU_AFTER_POOL: 1 });
    const queue = p.files.find((f) => f.path === 'rtl/imcc_pool_queue.v')!.content;
    // At the plane's last row every window still open ends (rows 4 and 5 of the 3x3/1 windows end at conv row 5).
    expect(queue).toContain('wire [CW-1:0] row_hi = (in_y == LAST_ROW) ? LAST_PY : row_lo;');
    expect(queue).toContain('assign done_o = (neuron_done_i && !walk_busy_q && !walk_start) || walk_done_q;');
    const wrapper = p.files.find((f) => f.path === 'rtl/queue_pool_c00.v')!.content;
    expect(wrapper).toMatch(/\.done_o\s+\(neuron_done\)/);
  });
  it('is lint clean', async () => {
    const lint = await lintRtl(writeFiles(p.files), 'rtl/queue_pool.f', 'queue_pool_top');
    expect(lint.messages).toEqual([]);
  }, 120_000);
  it('verifies bit-exact on two images, every queued pixel emitted once, with non-zero and saturated activations', async () => {
    const result = await verifyRtlDirectory(writeFiles(p.files), p.program, { cacheDir: TEST_CACHE, images: 2 });
    expect(result.firstMismatch).toBeNull();
    expect(result.pass).toBe(true);
    const pooling = result.coverage.filter((c) => (c.layer === 'c1' || c.layer === 'c2') && c.activations > 0);
    expect(pooling.map((c) => c.activations / result.images.length)).toEqual([4 * 6 * 5, 4 * 7 * 6]);
    for (const c of pooling) {
      expect(c.nonZero).toBeGreaterThan(0);
      expect(c.saturated).toBeGreaterThan(0);
    }
  }, 300_000);
  it('fails at c00 when the window walk drops the row above the window\'s last (a queued pixel cannot hide an error)', async () => {
    // The walk reads its windows from the shared line-buffer taps.
    const result = await verifyEdited(p, 'imcc_pool_taps.v', (t) => t.replaceAll('(row_span_i >= ROW_BACK)', '(row_span_i > ROW_BACK)'));
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ kind: 'activation', core: 'c00', layer: 'c1' });
  }, 300_000);
});
