// The taps a pool window reads from its line buffer, shared by the overlapping pool in the neuron core
// (templates/rtl/neuron.v.hbs) and the pooled-pixel queue (templates/rtl/pool_queue.v.hbs): tap i_j is i rows above
// and j columns left of the window's last pixel, in the column slot j back from the current one in a ring of
// pool.width slots; it joins the window value (every tap but 0_0) when it lies inside the window's real rows and
// columns.
import { ulit, unsignedBits } from './literals.js';

export interface PoolTapSignals {
  /** Name prefix of the generated wires (`line` or `queue`). */
  prefix: string;
  /** The current column slot, the current row, and the window's real rows and columns above and left of it. */
  slot: string;
  row: string;
  rowSpan: string;
  colSpan: string;
}

export interface PoolTaps {
  slots: Array<{ name: string; expr: string }>;
  taps: Array<{ name: string; slot: string; row: string; joins: boolean; extend: string; valid: string; combine: string }>;
}

/** A line-buffer entry sign-extended to the pool's accumulator width (Verilog; unchanged when the widths agree). */
export function extendToPool(value: string, widths: { poolBits: number; lineBits: number }): string {
  return widths.poolBits === widths.lineBits ? value : `{ {(POOL_BITS-LINE_BITS){${value}[LINE_BITS-1]}}, ${value} }`;
}

export function poolWindowTaps(
  pool: { kind: 'max' | 'avg'; height: number; width: number },
  signals: PoolTapSignals,
  cw: number,
  widths: { poolBits: number; lineBits: number },
): PoolTaps {
  const { prefix } = signals;
  const slotBits = unsignedBits(Math.max(1, pool.width - 1));
  const slots = Array.from({ length: pool.width }, (_, j) => ({
    name: `${prefix}_slot_${j}`,
    expr: j === 0 ? signals.slot : `(${signals.slot} >= ${ulit(slotBits, j)}) ? ${signals.slot} - ${ulit(slotBits, j)} : ${signals.slot} + ${ulit(slotBits, pool.width - j)}`,
  }));
  const taps: PoolTaps['taps'] = [];
  for (let j = 0; j < pool.width; j++) {
    for (let i = 0; i < pool.height; i++) {
      const name = `${prefix}_tap_${i}_${j}`;
      const conditions = [i > 0 ? `(${ulit(cw, i)} <= ${signals.rowSpan})` : '', j > 0 ? `(${ulit(cw, j)} <= ${signals.colSpan})` : ''].filter((c) => c !== '');
      taps.push({
        name,
        slot: `${prefix}_slot_${j}`,
        row: i === 0 ? signals.row : `(${signals.row} - ${ulit(cw, i)})`,
        joins: i > 0 || j > 0,
        extend: extendToPool(`${name}_raw`, widths),
        valid: conditions.join(' && '),
        combine: pool.kind === 'max' ? `(${name} > window_value) ? ${name} : window_value` : `window_value + ${name}`,
      });
    }
  }
  return { slots, taps };
}
