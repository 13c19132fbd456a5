// The mapping: how the checked network sits on crossbar tiles and cores. Produced by `mapDesign` (src/mapping),
// read by memory, dataflow, reference and emit. Geometry conventions used everywhere:
//  - pixels are addressed (y, x) = (row, column) of the (H, W) plane; they arrive column by column, y fastest
//    (the paper's "x" pointer is our y);
//  - a layer's replicas compute a block of output pixels; replica r sits at output offset (oy, ox) from the block's
//    origin; method 1 stacks replicas along y (dW = 1), method 2 fills a block dW wide, y fastest;
//  - a crossbar row receives one channel of one input pixel at offset (dy, dx) from the block's input origin
//    (the input pixel under kernel position (0, 0) of replica 0, before padding is applied).
import type { Shape } from '../ir/types.js';

export interface ReplicaOffset {
  oy: number;
  ox: number;
}

/** What one row of the collective kernel matrix receives. Rows are ordered by (dx, dy, channel), channel fastest. */
export interface RowSource {
  dy: number;
  dx: number;
  channel: number;
}

/** What one column of the collective kernel matrix produces. Columns are ordered replica-major, channel fastest. */
export interface ColumnSink {
  replica: number;
  outChannel: number;
}

export interface CollectiveKernelMatrix {
  /** Unreplicated kernel matrix: Fh*Fw*Cin x Cout (conv), in x out (fc). */
  kernelRows: number;
  kernelCols: number;
  replicas: ReplicaOffset[];
  rowSources: RowSource[];
  columnSinks: ColumnSink[];
  method: 1 | 2;
  dW: number;
  stride: number;
  kernelHeight: number;
  kernelWidth: number;
}

/** One part of a split layer: a rectangle of the collective kernel matrix on one tile. */
export interface TilePart {
  /** Index of the row group (partial sums) and column group (channel groups). */
  rowPart: number;
  colPart: number;
  /** Half-open ranges into the collective matrix's rowSources / columnSinks. */
  rowStart: number;
  rowEnd: number;
  colStart: number;
  colEnd: number;
}

export type CoreRole =
  /** Computes its part and sends partial sums to the accumulating sibling. */
  | 'partial'
  /** Computes its part, adds the siblings' partial sums, runs the neuron core and sends activations on. */
  | 'accumulate'
  /** The whole (column group of a) layer on one core. */
  | 'single';

export interface Core {
  /** `c00`, `c01`, ... in pipeline order. Used in file names and RTL. */
  id: string;
  index: number;
  layer: string;
  part: TilePart;
  role: CoreRole;
  /** Grid position. */
  row: number;
  col: number;
}

export type LinkKind = 'feedforward' | 'partial-sum' | 'residual' | 'shortcut';

export interface Link {
  from: string;
  to: string;
  kind: LinkKind;
  /** Manhattan distance on the grid. */
  hops: number;
  /** Bits per transferred pixel (or partial-sum vector) on this link. */
  bitsPerTransfer: number;
}

export interface LayerMapping {
  /** The weight layer's node name. */
  layer: string;
  kind: 'conv' | 'fc';
  inputShape: Shape;
  outputShape: Shape;
  /** Producer of this layer's input activations (a weight layer, or the network input). */
  source: string;
  matrix: CollectiveKernelMatrix;
  rowParts: number;
  colParts: number;
  /** Core ids, row-part major. */
  cores: string[];
  /** Logical weights used / logical weights available on the layer's tiles (equation 4). */
  utilization: number;
  /** Collective matrix rows / cols (equation 2 for method 1). */
  aspectRatio: number;
  /** Physical devices programmed (logical weights x devices per weight). */
  devices: number;
  /** Non-weight nodes executed by this layer's neuron core(s), in order (batchnorm, relu, add, pools, flatten). */
  fused: string[];
  /** For a fused residual add: the node whose activations arrive as the shortcut operand. */
  residualFrom?: string;
  /** For a fused residual add: the weight layer (or the network input node) whose cores send `residualFrom`. */
  residualLayer?: string;
  /** The node whose activations leave this layer's neuron core(s): the last fused node, or the layer itself. */
  output: string;
}

export interface Mapping {
  grid: { rows: number; cols: number };
  layers: LayerMapping[];
  cores: Core[];
  links: Link[];
}
