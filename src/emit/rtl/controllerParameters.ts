// Parameters of the static dataflow controller (templates/rtl/imcc_controller.v.hbs) for one core, and the width of
// its signed counters. The controller's text is the same for every core: each core's wrapper only sets these.
import { largestPad, uniformPadding } from '../../ir/padding.js';
import { readExtent, type CoreRtlPlan } from './plan.js';
import { signedBits, unsignedBits } from './literals.js';

/** The controller's parameters in declaration order (all non-negative integers; flags are 0 or 1). */
export interface ControllerParameters {
  CW: number;
  ADDR_BITS: number;
  WORD_BITS: number;
  PIXEL_BITS: number;
  X_BITS: number;
  X_LOW: number;
  SLOTS: number;
  HAS_NEURON: number;
  SPARSE_ROWS: number;
  SPARSE_COLS: number;
  IN_H: number;
  IN_W: number;
  KERNEL_H: number;
  KERNEL_W: number;
  STRIDE: number;
  PAD_TOP: number;
  PAD_LEFT: number;
  OUT_H: number;
  OUT_W: number;
  READ_H: number;
  READ_W: number;
  BLOCK_H: number;
  BLOCK_W: number;
  IN_BLOCK_H: number;
  IN_BLOCK_W: number;
  REGION_ROWS: number;
  DX_FIRST: number;
  DX_LAST: number;
  SLOT_FIRST: number;
  SLOT_DX_FIRST: number;
  COLUMNS: number;
  DELTA_KERNEL: number;
  DELTA_PIX: number;
  /**
   * Ragged blocks (src/emit/rtl/lattice.ts), set only for a core that has them: the blocks come from a table of
   * BLOCKS entries (BLOCK_TABLE 1), the region columns from SHORT_DX on hold SHORT_ROWS slots (rows up to SHORT_DY:
   * a ragged block's short last column); the arriving blocks come from a table of ARRIVAL_BLOCKS entries
   * (ARRIVAL_TABLE 1), whose last column has IN_LAST_H pixels.
   */
  BLOCK_TABLE?: number;
  BLOCKS?: number;
  SHORT_DX?: number;
  SHORT_DY?: number;
  SHORT_ROWS?: number;
  ARRIVAL_TABLE?: number;
  ARRIVAL_BLOCKS?: number;
  IN_LAST_H?: number;
}

/** What the counter width depends on: the geometry parameters plus the memory's size and padding at the far sides. */
export type CounterGeometry = Omit<ControllerParameters, 'CW' | 'ADDR_BITS' | 'X_BITS' | 'X_LOW' | 'SLOTS' | 'HAS_NEURON' | 'SPARSE_ROWS' | 'SPARSE_COLS'> & {
  SLOT_LAST: number;
  /** Words of the input memory. */
  depth: number;
  /** The largest padding on any side (bottom and right padding reach past the image). */
  largestPad: number;
};

/**
 * The largest magnitude any signed counter, intermediate or derived constant of the controller takes (pixels, slots
 * or bit addresses), with a margin: every expression in the controller adds or compares two such values.
 */
export function controllerValueBound(g: CounterGeometry): number {
  const regionH = (g.BLOCK_H - 1) * g.STRIDE + g.KERNEL_H;
  const regionW = (g.BLOCK_W - 1) * g.STRIDE + g.KERNEL_W;
  const spanWords = Math.ceil((g.PIXEL_BITS + g.WORD_BITS - 1) / g.WORD_BITS);
  // Coordinates: window origins run from -pad to the last block's, plus a region, past the image by the far padding;
  // the arrival pointers run to the image plus one arriving block.
  const rows = g.IN_H + g.OUT_H * g.STRIDE + regionH + g.IN_BLOCK_H + 2 * g.largestPad;
  const cols = g.IN_W + g.OUT_W * g.STRIDE + regionW + g.IN_BLOCK_W + 2 * g.largestPad;
  // Bit addresses: a row address (rows x Δkernel, negative in the top padding) plus a column base below twice the
  // ring (before wrap_column) plus the words of one pixel; the memory's own bit addresses.
  const ring = g.COLUMNS * g.DELTA_PIX;
  const address = Math.max(rows * g.DELTA_KERNEL + 2 * (ring + g.DELTA_PIX) + (spanWords + 1) * g.WORD_BITS, g.depth * g.WORD_BITS);
  // Slots: the region's read positions from this core's first slot on.
  const slots = g.SLOT_LAST + g.REGION_ROWS * (regionW + 2) + regionH;
  // Derived constants of the module (products of parameters).
  const constants = [
    g.BLOCK_H * g.STRIDE * g.DELTA_KERNEL,
    g.BLOCK_W * g.STRIDE,
    g.PAD_TOP * g.DELTA_KERNEL,
    g.IN_BLOCK_H * g.DELTA_KERNEL,
    g.IN_BLOCK_H * g.IN_BLOCK_W * g.PIXEL_BITS,
    (g.SLOT_LAST - g.SLOT_FIRST + 1) * g.PIXEL_BITS,
    ring + g.DELTA_PIX,
  ];
  return Math.max(rows, cols, address, slots, ...constants);
}

/** Bits of the controller's signed counters: twice the bound (a sum of two values) and its negative fit. */
export function controllerCounterBits(g: CounterGeometry): number {
  const bound = controllerValueBound(g);
  const bits = signedBits(-2 * bound, 2 * bound);
  if (bits > 32) throw new Error(`RTL: a controller needs ${bits}-bit counters (more than Verilog's 32-bit parameters)`);
  return bits;
}

/** The controller parameters of one core. */
export function controllerParameters(p: CoreRtlPlan): ControllerParameters {
  const m = p.memory;
  const matrix = p.layer.matrix;
  const node = p.node;
  const padding = node.op.kind === 'conv' ? node.op.padding : uniformPadding(0);
  const step = m.columns > 1 ? m.deltaPixBits[1] : m.pixelBits;
  m.deltaPixBits.forEach((d, s) => {
    if (d !== s * step) throw new Error(`RTL: core ${p.core.id}: Δpix is not a multiple of one column step`);
  });
  if (m.wordBits < 2) throw new Error('RTL: word length must be at least 2 bits');
  // The arriving block's column step must wrap at most once (wrap_column subtracts the ring once).
  if (p.inBlock.cols > m.columns) throw new Error(`RTL: core ${p.core.id} keeps ${m.columns} columns, fewer than its producer's ${p.inBlock.cols}-column block`);
  const raggedIn = p.inBlock.ragged?.length;
  if (p.inPixels !== (raggedIn ?? p.inBlock.rows * p.inBlock.cols)) throw new Error(`RTL: core ${p.core.id} receives ${p.inPixels} pixels per block of ${p.inBlock.rows}x${p.inBlock.cols}`);
  // Region columns of this core's first and last slot (slots count only the positions some replica reads).
  const dxFirst = p.slotPositions[p.slotFirst].dx;
  const regionWidth = (p.block.cols - 1) * matrix.stride + matrix.kernelWidth;
  const short = shortColumns(p, regionWidth);
  const geometry = {
    IN_H: p.layer.inputShape.height,
    IN_W: p.layer.inputShape.width,
    KERNEL_H: matrix.kernelHeight,
    KERNEL_W: matrix.kernelWidth,
    STRIDE: matrix.stride,
    PAD_TOP: padding.top,
    PAD_LEFT: padding.left,
    OUT_H: p.layer.outputShape.height,
    OUT_W: p.layer.outputShape.width,
    // The input rows and columns some output pixel's window reaches (an edge block's idle replicas read zeros past them).
    READ_H: readExtent(p.layer, padding).height,
    READ_W: readExtent(p.layer, padding).width,
    BLOCK_H: p.block.rows,
    BLOCK_W: p.block.cols,
    IN_BLOCK_H: p.inBlock.rows,
    IN_BLOCK_W: p.inBlock.cols,
    REGION_ROWS: p.regionRows.length,
    DX_FIRST: dxFirst,
    DX_LAST: p.slotPositions[p.slotLast].dx,
    SLOT_FIRST: p.slotFirst,
    SLOT_DX_FIRST: p.slotPositions.findIndex((q) => q.dx === dxFirst),
    COLUMNS: m.columns,
    DELTA_KERNEL: m.deltaKernelBits,
    DELTA_PIX: step,
  };
  const counters = controllerCounterBits({ ...geometry, SLOT_LAST: p.slotLast, WORD_BITS: m.wordBits, PIXEL_BITS: m.pixelBits, depth: m.depth, largestPad: node.op.kind === 'conv' ? largestPad(node.op.padding) : 0 });
  // The tables' values and counts are counter values too.
  const tables = p.lattice ? [...p.lattice.blocks.flatMap((b) => Object.values(b)), ...(p.lattice.arrivals ?? []).flatMap((a) => Object.values(a)), p.lattice.blocks.length, p.lattice.arrivals?.length ?? 0] : [];
  const tableBound = Math.max(0, ...tables.map((v) => Math.abs(v)));
  const cw = Math.max(counters, signedBits(-2 * tableBound, 2 * tableBound));
  if (cw > 32) throw new Error(`RTL: a controller needs ${cw}-bit counters (more than Verilog's 32-bit parameters)`);
  const lattice = p.lattice
    ? {
        BLOCK_TABLE: 1,
        BLOCKS: p.lattice.blocks.length,
        SHORT_DX: short.dx,
        SHORT_DY: short.dy,
        SHORT_ROWS: short.rows,
        ...(p.lattice.arrivals ? { ARRIVAL_TABLE: 1, ARRIVAL_BLOCKS: p.lattice.arrivals.length, IN_LAST_H: p.inBlock.ragged!.filter((r) => r.ox === p.inBlock.cols - 1).length } : {}),
      }
    : {};
  return {
    CW: cw,
    ADDR_BITS: unsignedBits(m.depth - 1),
    WORD_BITS: m.wordBits,
    PIXEL_BITS: m.pixelBits,
    X_BITS: p.rows * p.inActivationBits,
    X_LOW: p.rowBitOffset,
    SLOTS: p.slotLast - p.slotFirst + 1,
    HAS_NEURON: p.neuron ? 1 : 0,
    SPARSE_ROWS: p.regionRows.length < p.regionHeight ? 1 : 0,
    SPARSE_COLS: p.regionCols.length < regionWidth ? 1 : 0,
    ...geometry,
    ...lattice,
  };
}

/**
 * A ragged block's short columns: the region columns from `dx` on hold `rows` slots, its rows up to `dy` (the patches
 * of its last, partly filled column only); none (dx past the region) for a full block.
 */
function shortColumns(p: CoreRtlPlan, regionWidth: number): { dx: number; dy: number; rows: number } {
  const full = p.regionRows.length;
  const rowsOf = (dx: number): number[] => p.slotPositions.filter((q) => q.dx === dx).map((q) => q.dy);
  const first = p.regionCols.find((dx) => rowsOf(dx).length < full);
  if (first === undefined) return { dx: regionWidth, dy: p.regionRows[full - 1], rows: full };
  const rows = rowsOf(first);
  for (const dx of p.regionCols.filter((c) => c >= first)) {
    const own = rowsOf(dx);
    if (own.length !== rows.length || own.some((dy, i) => dy !== p.regionRows[i])) throw new Error(`RTL: core ${p.core.id}: the short columns of its ragged block differ`);
  }
  return { dx: first, dy: rows[rows.length - 1], rows: rows.length };
}
