// The static controller's parameters and its counter width: every value the controller's counters and expressions
// take over a whole image (walked here as templates/rtl/imcc_controller.v.hbs walks it) fits CW signed bits with room
// for the sum of two, on every core of several networks; and the width grows with the geometry instead of overflowing.
import { describe, expect, it } from 'vitest';
import { prepare } from './helpers.js';
import { planRtl } from '../../../src/emit/rtl/plan.js';
import { controllerCounterBits, controllerParameters, type ControllerParameters, type CounterGeometry } from '../../../src/emit/rtl/controllerParameters.js';

/** Every counter value and intermediate of one image's writes and reads, as the controller computes them. */
function walkValues(g: ControllerParameters): number[] {
  const values: number[] = [];
  const regionH = (g.BLOCK_H - 1) * g.STRIDE + g.KERNEL_H;
  const regionW = (g.BLOCK_W - 1) * g.STRIDE + g.KERNEL_W;
  const ring = g.COLUMNS * g.DELTA_PIX;
  const wrap = (base: number): number => (base >= ring ? base - ring : base);
  const mod = (a: number, n: number): number => ((a % n) + n) % n;
  const spanWords = Math.ceil((g.PIXEL_BITS + g.WORD_BITS - 1) / g.WORD_BITS);
  // store_data: blocks arrive column by column, y fastest.
  let wCol0 = 0;
  for (let rxX = 0; rxX < g.IN_W; rxX += g.IN_BLOCK_W) {
    for (let rxY = 0; rxY < g.IN_H; rxY += g.IN_BLOCK_H) {
      let wCol = wCol0;
      for (let dx = 0; dx < g.IN_BLOCK_W; dx++) {
        for (let dy = 0; dy < g.IN_BLOCK_H; dy++) {
          const addr = rxY * g.DELTA_KERNEL + dy * g.DELTA_KERNEL + wCol;
          for (let w = 0; w <= spanWords; w++) values.push(addr + w * g.WORD_BITS, (w + 1) * g.WORD_BITS);
        }
        values.push(wCol + g.DELTA_PIX);
        wCol = wrap(wCol + g.DELTA_PIX);
      }
      values.push(rxY + g.IN_BLOCK_H, rxX + g.IN_BLOCK_W, wCol0 + mod(g.IN_BLOCK_W, g.COLUMNS) * g.DELTA_PIX);
    }
    wCol0 = wrap(wCol0 + mod(g.IN_BLOCK_W, g.COLUMNS) * g.DELTA_PIX);
  }
  // read_data: output blocks oy fastest, each region row by row.
  let col0 = mod(-g.PAD_LEFT, g.COLUMNS) * g.DELTA_PIX;
  for (let ox = 0; ox < g.OUT_W; ox += g.BLOCK_W) {
    const ix0 = ox * g.STRIDE - g.PAD_LEFT;
    for (let oy = 0; oy < g.OUT_H; oy += g.BLOCK_H) {
      const iy0 = oy * g.STRIDE - g.PAD_TOP;
      const row0 = iy0 * g.DELTA_KERNEL;
      values.push(iy0, ix0, row0, iy0 + regionH - 1, ix0 + regionW - 1, oy + g.BLOCK_H, ox + g.BLOCK_W);
      for (let dy = 0; dy < regionH; dy++) {
        let rCol = wrap(col0 + mod(g.DX_FIRST, g.COLUMNS) * g.DELTA_PIX);
        for (let dx = g.DX_FIRST; dx <= g.DX_LAST; dx++) {
          const rAddr = row0 + dy * g.DELTA_KERNEL + rCol;
          values.push(iy0 + dy, ix0 + dx, rAddr, rAddr + spanWords * g.WORD_BITS, rCol + g.DELTA_PIX);
          rCol = wrap(rCol + g.DELTA_PIX);
        }
      }
      values.push(row0 + g.BLOCK_H * g.STRIDE * g.DELTA_KERNEL, iy0 + g.BLOCK_H * g.STRIDE);
    }
    values.push(ix0 + g.BLOCK_W * g.STRIDE, col0 + mod(g.BLOCK_W * g.STRIDE, g.COLUMNS) * g.DELTA_PIX);
    col0 = wrap(col0 + mod(g.BLOCK_W * g.STRIDE, g.COLUMNS) * g.DELTA_PIX);
  }
  // Slots: from this core's column's first slot, one region's read positions (sparse rows and columns read fewer).
  values.push(g.SLOT_DX_FIRST + g.REGION_ROWS * (g.DX_LAST - g.DX_FIRST + 2) + regionH, g.SLOT_FIRST - g.SLOT_DX_FIRST - regionH);
  return values;
}

describe('controller parameters and counter width', () => {
  for (const fixture of [
    'examples/lenet.imc',
    'test/verify/fixtures/tiny.imc',
    'test/verify/fixtures/conv1.imc',
    'test/verify/fixtures/word12.imc',
    'test/verify/fixtures/method2-sparse.imc',
    'test/verify/fixtures/replicated-columns.imc',
    'examples/resnet32-speedup.imc',
  ]) {
    it(`${fixture}: every core's counters hold the sum of any two of their values`, () => {
      const p = prepare(fixture);
      const plan = planRtl(p.program);
      for (const core of plan.cores) {
        const g = controllerParameters(core);
        const largest = Math.max(...walkValues(g).map(Math.abs));
        expect(2 * largest, core.core.id).toBeLessThanOrEqual(2 ** (g.CW - 1) - 1);
        // Every parameter is a non-negative value of its CW-bit signed parameter.
        for (const [name, value] of Object.entries(g)) {
          expect(Number.isSafeInteger(value) && value >= 0 && value < 2 ** (g.CW - 1), `${core.core.id} ${name}`).toBe(true);
        }
        // The counters are wider than the word address and the slot index they hold.
        expect(g.CW).toBeGreaterThan(g.ADDR_BITS);
        expect(2 ** (g.CW - 1)).toBeGreaterThan(g.SLOTS);
      }
    });
  }

  it('widens with the image and the memory, and refuses more than 32 bits', () => {
    const small: CounterGeometry = {
      WORD_BITS: 16, PIXEL_BITS: 8, IN_H: 8, IN_W: 8, KERNEL_H: 3, KERNEL_W: 3, STRIDE: 1, PAD_TOP: 1, PAD_LEFT: 1,
      OUT_H: 8, OUT_W: 8, READ_H: 8, READ_W: 8, BLOCK_H: 1, BLOCK_W: 1, IN_BLOCK_H: 1, IN_BLOCK_W: 1, REGION_ROWS: 3, DX_FIRST: 0, DX_LAST: 2,
      SLOT_FIRST: 0, SLOT_LAST: 8, SLOT_DX_FIRST: 0, COLUMNS: 3, DELTA_KERNEL: 8, DELTA_PIX: 64, depth: 12, largestPad: 1,
    };
    const bits = controllerCounterBits(small);
    expect(controllerCounterBits({ ...small, IN_H: 1024, OUT_H: 1024 })).toBeGreaterThan(bits);
    expect(controllerCounterBits({ ...small, depth: 1 << 16 })).toBeGreaterThan(bits);
    expect(() => controllerCounterBits({ ...small, depth: 2 ** 30 })).toThrow(/32/);
  });
});
