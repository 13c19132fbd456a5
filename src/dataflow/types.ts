// What the dataflow simulation reports. All times are in timesteps, counted from the timestep in which the first
// image's first pixel enters the first core (timestep 0). See docs/dataflow.md "Dataflow timing model".
import type { Diagnostic } from '../diagnostics/index.js';
import type { LinkKind } from '../mapping/types.js';
import type { Granularity } from './geometry.js';

export interface SimulateOptions {
  /** Images sent through the pipeline back to back (>= 1). */
  batch: number;
  /** Keep every core's per-timestep activity (for `--trace`); off by default, it grows with the batch. */
  activity?: boolean;
  /** 'pixel' (default, the paper's model) or 'block' (one crossbar operation per timestep); docs/dataflow.md. */
  granularity?: Granularity;
  /**
   * Receives how many images were simulated one by one: once the pipeline repeats itself exactly, the rest of the
   * batch is extended by the repeating shift (docs/dataflow.md "Long batches"); with `activity` every image is.
   */
  stats?: { simulatedImages: number };
  /**
   * Image-independent geometry (block plans, each core's needed inputs) kept across calls. Only for variants of one
   * design that differ in their mapping directives (the optimizer's candidates): entries are keyed by layer, replica
   * block and tile rows, not by the layer's shapes.
   */
  geometryCache?: GeometryCache;
}

/** See SimulateOptions.geometryCache; create with `new Map()`. */
export type GeometryCache = Map<string, unknown>;

/** One weight layer's activity for the first image (Figure 10: the pixels it computes against the timestep). */
export interface LayerTiming {
  name: string;
  cores: string[];
  /** First and last timestep in which one of the layer's crossbars computes (first image). */
  firstTimestep: number;
  lastTimestep: number;
  /** Timesteps in which at least one of the layer's crossbars computes (first image). */
  busyTimesteps: number;
  /** Output pixels the layer's crossbars compute per image, and how many per timestep at most (its replicas). */
  outputPixels: number;
  replicas: number;
  /** Most input pixels one of its cores held at once (arrived, still to be read), over the batch. */
  inputBufferPixels: number;
  /**
   * Input pixels its memory stores: H x F columns (section 2.4.2; F widened to the replicas' input window), or H x the
   * most ringColumns of its cores when it adds a residual shortcut (the memory plan keeps those for its wait).
   */
  inputMemoryPixels: number;
  /**
   * Per core (in `cores`' order), the input columns its ring must keep so that no pixel is overwritten before its
   * last read, by this run's timing of the first image: more than the memory phase's when the core waits for a
   * residual shortcut while its producer sends on (planMemories' `ringColumns`).
   */
  ringColumns: number[];
}

/** A fused residual add: how many shortcut pixels wait in the adding core because they arrive before the main path. */
export interface ResidualBuffer {
  layer: string;
  /** The layer (or the network input) that sends the shortcut operand. */
  from: string;
  /** Most shortcut pixels held at the end of any timestep (over the whole batch). */
  pixels: number;
  bits: number;
  /**
   * The most shortcut pixels of one image the add waited for: an add right after the accumulation stalls the layer's
   * cores until the block's shortcut pixels are present (as the RTL's controllers wait for the shortcut FIFO), an add
   * after the layer's pools the unit completing the pooled pixel.
   */
  lateShortcutPixels: number;
}

/** Equation 7 for one link: the most data it carries in one timestep, as a bandwidth. */
export interface LinkLoad {
  from: string;
  to: string;
  kind: LinkKind;
  /** Most pixels (or partial-sum vectors) sent over the link in one timestep. */
  transfersPerTimestep: number;
  bitsPerTransfer: number;
  gbps: number;
}

/**
 * Per-core activity, for the trace: the timesteps in which the core's crossbar computes and how many pixels, as runs
 * (src/dataflow/activity.ts): run i is lengths[i] consecutive timesteps from starts[i], each computing pixels[i] pixels.
 */
export interface CoreActivity {
  core: string;
  layer: string;
  starts: TimestepArray;
  lengths: TimestepArray;
  pixels: Int32Array;
}

/** Timesteps: Int32Array from the simulator; Float64Array once stretched by integrate-and-fire steps (may pass 2^31). */
export type TimestepArray = Int32Array | Float64Array;

export interface DataflowResult {
  batch: number;
  granularity: Granularity;
  timestepNs: number;
  /** Network input pixels entering the first core per timestep (the first layer's rate, docs/dataflow.md). */
  inputPixelsPerTimestep: number;
  /** From the first image's first pixel entering to the timestep in which its output is computed, inclusive. */
  latencyTimesteps: number;
  /**
   * Steady-state timesteps per image: the largest gap between two consecutive images entering or two consecutive
   * outputs (over the batch, and to the image after it; a batch of one is timed as two), so that a slower core
   * downstream of the first sets it.
   */
  intervalTimesteps: number;
  /** From the first image entering to the last image's output, inclusive. */
  batchTimesteps: number;
  throughputImagesPerSecond: number;
  /** Equation 7: the largest bandwidth an activation link (not a partial-sum link) needs; what the target offers. */
  linkBandwidthGbps: number;
  targetLinkBandwidthGbps: number;
  layers: LayerTiming[];
  residualBuffers: ResidualBuffer[];
  links: LinkLoad[];
  /** Timestep in which each image's first pixel enters, and in which its output is computed. */
  imageStarts: number[];
  imageOutputs: number[];
  /** Warnings: links over the target's bandwidth (IMC090), input memories too small (IMC092). */
  diagnostics: Diagnostic[];
  activity?: CoreActivity[];
  /** With `activity`: per layer, the timestep each output pixel of the first image leaves its neuron core. */
  outputs?: Array<{ layer: string; timesteps: TimestepArray }>;
}
