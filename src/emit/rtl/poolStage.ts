// The pools after a neuron core's first one: each a stage (templates/rtl/pool_stage.v.hbs) over the pixels the pool
// before it emits, chained inside the neuron core. A stage whose windows do not overlap keeps running values of one
// column of windows; one whose windows overlap keeps a line buffer of its last input columns and pools each window
// when its last real pixel arrives.
import { renderTemplate } from '../../support/templates.js';
import { hasPadding, paddingText } from '../../ir/padding.js';
import { ulit, unsignedBits } from './literals.js';
import type { LaterPoolPlan } from './plan.js';
import { poolWindowRows } from './poolWindows.js';
import { poolWindowEnds } from '../../mapping/poolWindows.js';

/** A stream of pooled pixels inside the neuron core: Verilog expressions of its emit flag, position and value. */
export interface PoolStream {
  emit: string;
  y: string;
  x: string;
  /** A signed ACC_BITS-bit wire. */
  value: string;
  /** Signed bits that hold every value of the stream (2 for a threshold's 0/1). */
  bits: number;
}

/** Widths of the neuron core the stages live in. */
export interface StageWidths {
  /** Bits of the coordinate counters (and of ZERO, ONE). */
  cw: number;
  /** Channels (columns) of the core, one per cycle at ch_q of `chBits` bits. */
  cols: number;
  chBits: number;
  accBits: number;
}

/** A rendered stage and the stream it emits. */
export interface PoolStageText {
  text: string;
  out: PoolStream;
}

/** Signals of stage `number` (2 for the core's second pool) start with this. */
function stagePrefix(number: number): string {
  return `pool${number}_`;
}

/** A short description of the stage's pool (the generated comment). */
function describe(stage: LaterPoolPlan): string {
  const p = stage.pool;
  const kind = p.kind === 'max' ? 'max' : 'average';
  const stride = stage.strideY !== p.height || stage.strideX !== p.width ? ` stride ${p.stride}` : '';
  const pad = hasPadding(p.padding) ? ` padded by ${paddingText(p.padding)}` : '';
  const before = [stage.relu ? 'ReLU' : '', stage.threshold !== undefined ? `threshold (>= ${stage.threshold}, 0/1)` : ''].filter((s) => s !== '');
  return `${before.length > 0 ? `${before.join(', ')}, then ` : ''}${kind} pool ${p.height}x${p.width}${stride}${pad}`;
}

/**
 * Renders stage `number` of the chain, reading `input`; `averageExpr(count, sum)` is the rounded average of an
 * ACC_BITS-bit sum (the first pool's expression).
 */
export function poolStageText(
  stage: LaterPoolPlan,
  number: number,
  input: PoolStream,
  widths: StageWidths,
  averageExpr: (count: number, sum: string) => string,
  membraneInstance?: string,
): PoolStageText {
  const { cw, cols, chBits, accBits } = widths;
  const p = stage.pool;
  const prefix = stagePrefix(number);
  const inBits = stage.threshold !== undefined ? 2 : input.bits;
  const count = p.height * p.width;
  const bits = p.kind === 'max' ? inBits : inBits + unsignedBits(count) + 1;
  if (bits + 1 > accBits) throw new Error(`RTL: pool stage ${number} needs ${bits} bits, the datapath has ${accBits}`);
  const extend = (v: string): string => (bits === inBits ? v : `{ {${bits - inBits}{${v}[${inBits - 1}]}}, ${v} }`);
  const accumulate = stage.strideY >= p.height && stage.strideX >= p.width;
  const base = {
    number,
    prefix,
    description: describe(stage),
    inHeight: stage.inHeight,
    inWidth: stage.inWidth,
    inEmit: input.emit,
    inY: input.y,
    inX: input.x,
    inValue: input.value,
    relu: stage.relu,
    // The core's one threshold level (LEVEL): a threshold between two pools is the only one of its core. An
    // integrate-and-fire neuron's spike replaces the compare.
    threshold: stage.threshold !== undefined && !stage.integrateAndFire ? 'LEVEL' : '',
    integrateAndFire: stage.integrateAndFire === true,
    membraneInstance: membraneInstance ?? '',
    inBits,
    bits,
    inExtended: extend(`${prefix}in`),
    cw,
    cols,
    chBits,
    isMax: p.kind === 'max',
    count,
    averageExpr: p.kind === 'avg' ? averageExpr(count, `${prefix}sum`) : '',
    accumulate,
  };
  const fields = accumulate ? { ...base, ...accumulateFields(stage, cw, cols) } : { ...base, ...lineFields(stage, prefix, cw, cols, extend) };
  const text = renderTemplate('rtl/pool_stage.v.hbs', fields).replace(/\n$/, '');
  return { text, out: { emit: `${prefix}emit`, y: `${prefix}py`, x: `${prefix}px`, value: `${prefix}value`, bits: inBits } };
}

/** Windows that do not overlap: which window holds each input row and column, and the running values' entries. */
function accumulateFields(stage: LaterPoolPlan, cw: number, cols: number): object {
  const p = stage.pool;
  const table = (length: number, size: number, stride: number, before: number, after: number) =>
    poolWindowRows(length, size, stride, before, after).map((r) => ({
      at: ulit(cw, r.at),
      index: ulit(cw, r.index),
      first: r.first ? "1'b1" : "1'b0",
      last: r.last ? "1'b1" : "1'b0",
    }));
  const entries = p.pooledHeight * cols;
  return {
    rowTable: table(stage.inHeight, p.height, stage.strideY, p.padding.top, p.padding.bottom),
    colTable: table(stage.inWidth, p.width, stage.strideX, p.padding.left, p.padding.right),
    entries,
    indexBits: unsignedBits(entries - 1),
  };
}

/**
 * Overlapping windows: the tables of the windows ending at each input row and column, the ring of `width` column
 * slots and the taps a window reads (tap i_j: i rows above, j columns left of the input; valid inside the window's
 * real rows and columns).
 */
function lineFields(stage: LaterPoolPlan, prefix: string, cw: number, cols: number, extend: (v: string) => string): object {
  const p = stage.pool;
  const table = (length: number, size: number, stride: number, before: number, after: number) => {
    const ends = poolWindowEnds(length, size, stride, before, after);
    if (ends.length === 0) throw new Error(`RTL: pool stage windows of ${size} every ${stride} end at the same row`);
    return ends.map((w) => ({ end: ulit(cw, w.end), index: ulit(cw, w.index), span: ulit(cw, w.span) }));
  };
  const slotBits = unsignedBits(Math.max(1, p.width - 1));
  const slotEntries = stage.inHeight * cols;
  const lineEntries = p.width * slotEntries;
  const slots = Array.from({ length: p.width }, (_, j) => ({
    name: `${prefix}slot_${j}`,
    expr: j === 0 ? `${prefix}slot_q` : `(${prefix}slot_q >= ${ulit(slotBits, j)}) ? ${prefix}slot_q - ${ulit(slotBits, j)} : ${prefix}slot_q + ${ulit(slotBits, p.width - j)}`,
  }));
  const taps = [];
  for (let j = 0; j < p.width; j++) {
    for (let i = 0; i < p.height; i++) {
      const name = `${prefix}tap_${i}_${j}`;
      const conditions = [i > 0 ? `(${ulit(cw, i)} <= ${prefix}row_span)` : '', j > 0 ? `(${ulit(cw, j)} <= ${prefix}col_span)` : ''].filter((c) => c !== '');
      taps.push({
        name,
        slot: `${prefix}slot_${j}`,
        row: i === 0 ? `${prefix}in_y` : `(${prefix}in_y - ${ulit(cw, i)})`,
        read: i > 0 || j > 0,
        extend: extend(`${name}_raw`),
        valid: conditions.join(' && '),
        combine: p.kind === 'max' ? `(${name} > ${prefix}window) ? ${name} : ${prefix}window` : `${prefix}window + ${name}`,
      });
    }
  }
  return {
    rowTable: table(stage.inHeight, p.height, stage.strideY, p.padding.top, p.padding.bottom),
    colTable: table(stage.inWidth, p.width, stage.strideX, p.padding.left, p.padding.right),
    width: p.width,
    slotBits,
    slotEntries,
    lineEntries,
    lineIndexBits: unsignedBits(lineEntries - 1),
    slots,
    taps,
    firstTap: `${prefix}tap_0_0`,
    lastRow: ulit(cw, stage.inHeight - 1),
    lastSlot: ulit(slotBits, p.width - 1),
    slotZero: ulit(slotBits, 0),
    slotOne: ulit(slotBits, 1 % 2 ** slotBits),
  };
}
