// The checked intermediate representation: what every phase after the language reads.
// Produced by `src/ir/check.ts` from the AST; kept small on purpose. All sizes are positive integers,
// all names unique, nodes in topological order, shapes already inferred and checked.
import type { SourceSpan } from '../diagnostics/index.js';
import type { Padding } from './padding.js';

export type { Padding } from './padding.js';

/** A feature-map volume: channels x height x width. A flattened vector is channels=N, height=width=1. */
export interface Shape {
  channels: number;
  height: number;
  width: number;
}

export type LayoutName = 'IWAP' | 'KLIP' | 'PLIP';
export type LayoutChoice = LayoutName | 'auto';

export interface InputOp {
  kind: 'input';
}
/** Convolution. `shortcut` marks the 1x1 resampling convolutions of residual shortcuts (the paper's RS layers). */
export interface ConvOp {
  kind: 'conv';
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  /** Zero padding per side (`pad N`, or `pad_top` ... `pad_right` for the sides that differ). */
  padding: Padding;
  shortcut: boolean;
}
export interface FcOp {
  kind: 'fc';
  outFeatures: number;
}
export interface PoolOp {
  kind: 'maxpool' | 'avgpool';
  size: number;
  stride: number;
  padding: Padding;
}
export interface GlobalAvgPoolOp {
  kind: 'gap';
}
export interface BatchNormOp {
  kind: 'batchnorm';
}
export interface ReluOp {
  kind: 'relu';
}
/**
 * Step activation (docs/arithmetic.md step 4): `q >= level ? 1 : 0` on the requantized signed integer `q`.
 * Its node is 1 bit wide and, unlike every other activation, unsigned: 0 or 1.
 */
export interface ThresholdOp {
  kind: 'threshold';
  level: number;
}
/** Residual add: inputs[0] is the main path, inputs[1] the shortcut. Both have the same shape. */
export interface AddOp {
  kind: 'add';
}
export interface FlattenOp {
  kind: 'flatten';
}
export type Op =
  | InputOp
  | ConvOp
  | FcOp
  | PoolOp
  | GlobalAvgPoolOp
  | BatchNormOp
  | ReluOp
  | ThresholdOp
  | AddOp
  | FlattenOp;
export type OpKind = Op['kind'];

/** Weight layers are the ones mapped onto crossbar tiles. */
export type WeightOp = ConvOp | FcOp;
export function isWeightOp(op: Op): op is WeightOp {
  return op.kind === 'conv' || op.kind === 'fc';
}

/** A volume as diagnostics print it: channels x height x width. */
export function shapeText(s: Shape): string {
  return `${s.channels}x${s.height}x${s.width}`;
}

/** How a weight layer is mapped, resolved from the directives (per layer, per group, or the default). */
export interface MappingDirective {
  /** Output pixels computed per timestep (kernel replicas in the collective kernel matrix). */
  replicas: number;
  /** 1: replicas along one direction (dW = 1); 2: two directions with width dW. */
  method: 1 | 2;
  dW: number;
  layout: LayoutChoice;
  /** Where the directive that set these values was written (default directive if none). */
  span: SourceSpan;
}

/** Requantization of a weight layer's result back to activation bits (see docs/arithmetic.md). */
export interface Requant {
  /** Right shift (round half up) applied after batch-norm scale and bias. */
  shift: number;
  /** True when the shift came from the documented default rule rather than the source. */
  auto: boolean;
}

export interface IrNode {
  /** Unique. Nodes made by a block instance are named `<instance>.<layer>`. */
  name: string;
  op: Op;
  /** Producer node names, in operand order. Empty only for the input. */
  inputs: string[];
  /** Output shape. */
  shape: Shape;
  /** Bit width of the activations this node outputs (signed two's complement). */
  activationBits: number;
  /** Weight layers only: signed weight bits. */
  weightBits?: number;
  /** Weight layers only. */
  requant?: Requant;
  /** Weight layers only. */
  mapping?: MappingDirective;
  span: SourceSpan;
}

export interface WeightSource {
  kind: 'seed' | 'file';
  /** Seed of the documented generator (src/ir/weights.ts); used for kind 'seed'. */
  seed: number;
  /** Path relative to the source file, for kind 'file'. */
  file?: string;
  span: SourceSpan;
}

/** `mapping { optimize OBJECTIVE [cores N] [strategy S] [ignore_bandwidth] }`: let imcc optimize choose the replication. */
export interface OptimizeDirective {
  objective: 'throughput' | 'latency' | 'balanced';
  /** Core budget; the whole grid when absent. */
  cores?: number;
  strategy: 'pareto' | 'paper' | 'balance' | 'w0h0' | 'uniform';
  ignoreBandwidth: boolean;
  span: SourceSpan;
}

export interface IrNetwork {
  name: string;
  nodes: IrNode[];
  /** A mapping `optimize` directive: every loader replaces the layers' replication with the optimizer's choice. */
  optimize?: OptimizeDirective;
  /** Name of the node whose activations are the network's output. */
  output: string;
  weights: WeightSource;
  span: SourceSpan;
}

/** Non-ideal device and circuit description of a crossbar (all SI units). Every field is optional in the source. */
export interface DeviceModel {
  /** Conductance range of one device, siemens. */
  gMin: number;
  gMax: number;
  /** Programmable conductance levels per device (2^bits). */
  levels: number;
  /** Weight encoding: one device with an offset, or a differential pair (G+ - G-). */
  encoding: 'offset' | 'differential';
  /** Programming error standard deviation, as a fraction of gMax ('independent') or of the target G ('proportional'). */
  programmingError: { sigma: number; model: 'proportional' | 'independent' };
  /** Per-read noise, same conventions. */
  readNoise: { sigma: number; model: 'proportional' | 'independent' };
  /** Ohms. */
  sourceResistance: number;
  neuronResistance: number;
  wireResistanceRow: number;
  wireResistanceCol: number;
  /** Read voltage at full-scale input, volts. */
  readVoltage: number;
  span: SourceSpan;
}

export interface CrossbarTarget {
  rows: number;
  cols: number;
  weightBits: number;
  /** Physical devices per logical weight: 2 for a differential pair. Utilization counts logical weights. */
  devicesPerWeight: number;
  adcBits: number;
  /** Right shift before the ADC's saturation; 'auto' resolves per tile (src/reference/arithmetic.ts). */
  adcShift: number | 'auto';
  /** Input (DAC / pulse-width) bits. */
  dacBits: number;
  device?: DeviceModel;
  span: SourceSpan;
}

export interface InputMemoryTarget {
  wordBits: number;
  depth: number;
  layout: LayoutChoice;
  span: SourceSpan;
}

export interface ControllerTarget {
  clockHz: number;
  timestepNs: number;
  span: SourceSpan;
}

export type NeuronOpName = 'psum' | 'batchnorm' | 'relu' | 'pool' | 'residual' | 'threshold' | 'integrate-and-fire';

/** How an integrate-and-fire neuron resets after a spike: to zero, or by subtracting the threshold. */
export type IfReset = 'zero' | 'subtract';

/**
 * `model if` of a neuron core: every relu becomes an integrate-and-fire neuron with an integer membrane potential,
 * and each image is presented for `steps` timesteps (docs/arithmetic.md "Integrate-and-fire neurons").
 */
export interface IfNeuronModel {
  threshold: number;
  leak: number;
  reset: IfReset;
  steps: number;
  span: SourceSpan;
}

export interface NeuronCoreTarget {
  ops: NeuronOpName[];
  /** Present when the neuron core's model is integrate-and-fire (`model if`); absent for static activations. */
  spiking?: IfNeuronModel;
  span: SourceSpan;
}

export interface IrTarget {
  name: string;
  crossbar: CrossbarTarget;
  inputMemory: InputMemoryTarget;
  controller: ControllerTarget;
  neuronCore: NeuronCoreTarget;
  grid: { rows: number; cols: number; span: SourceSpan };
  link: { bandwidthGbps: number; span: SourceSpan };
  span: SourceSpan;
}

/** A whole checked design: one network on one target. */
export interface IrDesign {
  network: IrNetwork;
  target: IrTarget;
  /** The entry file and every imported file, as given (relative), in import order: recorded in outputs. */
  sources: string[];
}
