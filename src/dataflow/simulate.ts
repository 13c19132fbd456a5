// The timestep simulation of the mapped network (Algorithm 1, sections 2.4 and 3.1.3-3.1.4). Event driven rather
// than ticking: for every crossbar operation we compute the timestep in which it happens, which gives exactly the
// timestep-by-timestep schedule at a cost linear in the number of operations. The timing model (docs/dataflow.md "Dataflow
// timing model"):
//  - the network input enters the first core(s) `inputPixelsPerTimestep` pixels per timestep, column by column;
//  - a core computes an output pixel in the timestep in which the last input pixel its rows need for it is present
//    in its input memory, in order, at most `replicas` per timestep ('pixel' granularity, the paper's model); or, with
//    'block' granularity, one crossbar operation (all replicas) per timestep when all of its inputs are present;
//  - a pixel computed in timestep t is present in the next core's input memory in timestep t + 1;
//  - the accumulating core adds its row parts' partial sums in the timestep they are computed (as the RTL does); the
//    accumulated pixel is final in the later of the parts' computations;
//  - fused ops take no extra timestep; a residual add waits for its shortcut pixel (sent one hop, like any result):
//    right after the accumulation the layer's cores wait to compute the pixel, after a pool the pool's pixel waits;
//    pooling emits a pixel when the last pixel of its window is computed, and an unreplicated core at most one pixel
//    per timestep, in order (pooled pixels completed together leave in the timesteps after, and a later pool of the
//    core reads them as they leave);
//  - images follow each other in order through every core; the next image enters as soon as the input link is free
//    and the first core's input memory (H x span-columns pixels, Algorithm 2's ring of columns) can take its pixels.
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import { simulationSizeDiagnostic } from './limits.js';
import type { IrDesign, IrNode } from '../ir/types.js';
import { inputNode, nodeIndex } from '../ir/nodeIndex.js';
import { layerIndex } from '../mapping/layerIndex.js';
import type { Core, LayerMapping, Mapping } from '../mapping/types.js';
import { inputPixelsPerTimestep } from '../mapping/inputRate.js';
import { accumulatorOf } from '../mapping/split.js';
import { pooledGroupOf } from '../mapping/replicatedPool.js';
import { bandwidthDiagnostics, linkLoads, type LayerLoad } from './links.js';
import { peakOccupancy, peakPerTimestep } from './occupancy.js';
import {
  chainSteps,
  blockPlan,
  convNeededInputs,
  planeSize,
  type BlockPlan,
  type ConvGeometry,
  type Granularity,
  type ChainStep,
  type NeededInputs,
  type Plane,
} from './geometry.js';
import { stretchBySteps } from './spiking.js';
import { ActivityRecorder } from './activity.js';
import type { DataflowResult, GeometryCache, LayerTiming, ResidualBuffer, SimulateOptions } from './types.js';

interface SimCore {
  core: Core;
  needed: NeededInputs;
  /** The last unit that reads each input pixel (-1: none). */
  lastReader: Int32Array;
  /** Input pixels held (arrived, still to be read) at the end of each timestep, as +1 / -1 events by timestep. */
  held: Int32Array;
  /**
   * held[0] is timestep heldBase; the timesteps before it are folded into the pixels held at their end (heldLevel)
   * and the most held in any of them (heldPeak), so the events span one image, not the batch.
   */
  heldBase: number;
  heldLevel: number;
  heldPeak: number;
  /** Timestep of the core's latest computation (over all images so far), units and pixels computed in it. */
  last: number;
  unitsInLast: number;
  pixelsInLast: number;
  /** Most pixels computed in one timestep. */
  peakPixels: number;
  /** This image's computation timesteps, per unit. */
  times: Int32Array;
  /** The last timestep of this image's input-memory occupancy. */
  heldEnd: number;
  activity?: ActivityRecorder;
  recording: boolean;
}

interface SimLayer {
  mapping: LayerMapping;
  node: IrNode;
  input: Plane;
  plan: BlockPlan;
  /** Units computed in order (pixels or blocks, see Granularity), how many per timestep, pixels per unit. */
  units: number;
  unitsPerTimestep: number;
  unitPixels: Int32Array;
  /** Scratch: per unit, the timestep its inputs are all present (computeCore, one core at a time). */
  ready: Int32Array;
  /** The layer's cores by column part: the row parts of one column part compute each unit together. */
  rowPartGroups: SimCore[][];
  /** Scratch: per unit, 1 when some core computed it later for its shortcut pixels than its inputs and order allow. */
  waited: Uint8Array;
  replicas: number;
  cores: SimCore[];
  steps: ChainStep[];
  /**
   * The pool from which on the layer emits at most one pixel per timestep, in order: an unreplicated layer's first
   * (pooled pixels whose windows complete in the same timestep, padding >= stride, leave one after another: the RTL's
   * one output register), a replicated layer's first queued pool (src/mapping/replicatedPool.ts PooledGroup.queued:
   * its windows end together or unevenly in the blocks); undefined for none.
   */
  serialFrom?: string;
  /**
   * Per serialized step (its node, or '' for the layer's output), the timestep its last pixel of the previous image
   * left: a queue sends one pixel per timestep across images too, so the next image's pixels leave after it.
   */
  serialLast: Map<string, number>;
  out: Plane;
  /** Emission timesteps of this image's output pixels (after the fused ops). */
  emitted: Int32Array;
  /**
   * A value of the chain before its last (e.g. the raw value before a ReLU or a pool) that a residual add in another
   * layer reads, and the timesteps its pixels are complete (this image): the core sends it as it computes it.
   */
  tap?: string;
  tapped?: Int32Array;
  /** Most pixels emitted in one timestep (over the batch). */
  emittedPeak: number;
  /** Most pixels of the tapped value complete in one timestep (over the batch): what its shortcut link carries. */
  tappedPeak: number;
  timing?: Omit<LayerTiming, 'inputBufferPixels' | 'inputMemoryPixels' | 'ringColumns'>;
  /** Per core, the ring columns the first image's timing needs (ringColumns). */
  ringColumns?: number[];
  firstOutputs?: Int32Array;
  /**
   * `late`: the most shortcut pixels of one image that arrived after the main path's inputs of their pixel (the add
   * stalled the layer's cores for them), or, for an add after a pool, after the pool's pixel was complete.
   */
  residual?: { arrivals: Int32Array; uses: Int32Array; count: number; late: number };
  /** The last timestep this image's shortcut pixels wait in the residual buffer. */
  residualEnd?: number;
}

/** The figures that accumulate over the batch, per layer, taken when the batch (or enough of it) is simulated. */
type BatchFigures = Map<SimLayer, { emittedPeak: number; tappedPeak: number; corePeakPixels: Map<string, number>; inputBufferPixels: number; residualPixels: number }>;

/** From which image on every image is the previous one shifted by `shift` timesteps; `span`: one image's timesteps. */
interface Steady {
  image: number;
  shift: number;
  span: number;
}

function batchFigures(order: SimLayer[]): BatchFigures {
  return new Map(
    order.map((l) => [
      l,
      {
        emittedPeak: l.emittedPeak,
        tappedPeak: l.tappedPeak,
        corePeakPixels: new Map(l.cores.map((c) => [c.core.id, c.peakPixels])),
        inputBufferPixels: Math.max(...l.cores.map(peakHeld)),
        residualPixels: l.residual === undefined ? 0 : peakOccupancy(l.residual.arrivals.subarray(0, l.residual.count), l.residual.uses.subarray(0, l.residual.count)),
      },
    ]),
  );
}

/**
 * What a core carries from one image to the next: its latest computation timestep and what it computed in it; and what
 * a serialized step carries (the timestep its last pixel left).
 */
function coreStates(order: SimLayer[]): Int32Array {
  const cores = order.flatMap((l) => l.cores);
  const serial = order.flatMap((l) => [...l.serialLast.values()]);
  const state = new Int32Array((cores.length + serial.length) * 3);
  cores.forEach((c, i) => state.set([c.last, c.unitsInLast, c.pixelsInLast], i * 3));
  serial.forEach((t, i) => state.set([t, 0, 0], (cores.length + i) * 3));
  return state;
}

function sameShifted(before: Int32Array, after: Int32Array, shift: number): boolean {
  for (let i = 0; i < before.length; i += 3) {
    if (after[i] - before[i] !== shift || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2]) return false;
  }
  return true;
}

function orderLayers(mapping: Mapping, inputName: string): LayerMapping[] {
  const byName = layerIndex(mapping);
  const done = new Set<string>([inputName]);
  const order: LayerMapping[] = [];
  const pending = [...mapping.layers];
  while (pending.length > 0) {
    const at = pending.findIndex((l) => [l.source, l.residualLayer].every((d) => d === undefined || done.has(d) || !byName.has(d)));
    if (at < 0) throw new Error(`dataflow: the mapped layers form a cycle (${pending.map((l) => l.layer).join(', ')})`);
    const [layer] = pending.splice(at, 1);
    done.add(layer.layer);
    order.push(layer);
  }
  return order;
}

function plusOne(times: Int32Array): Int32Array {
  const out = new Int32Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = times[i] + 1;
  return out;
}

export function simulateDataflow(design: IrDesign, mapping: Mapping, options: SimulateOptions): DataflowResult {
  const batch = options.batch;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`simulateDataflow: batch must be a positive integer, got ${batch}`);
  const tooLarge = simulationSizeDiagnostic(design);
  if (tooLarge) throw new DiagnosticError([tooLarge]);
  const nodes = nodeIndex(design.network);
  const input = inputNode(design.network);
  const inputName = input.name;
  const inputPlane: Plane = { height: input.shape.height, width: input.shape.width };
  const rate = inputPixelsPerTimestep(design, mapping, inputName);
  const granularity: Granularity = options.granularity ?? 'pixel';

  const { layers, order } = prepareLayers(design, mapping, {
    inputName,
    inputPlane,
    granularity,
    activity: options.activity === true,
    cache: options.geometryCache,
  });
  const outputOwner = order.find((l) => l.mapping.output === design.network.output || l.mapping.layer === design.network.output);
  if (outputOwner === undefined) throw new Error(`dataflow: no layer emits the network output '${design.network.output}'`);
  const firstCores = order
    .filter((l) => l.mapping.source === inputName)
    .flatMap((l) => l.cores.map((c) => ({ layer: l, core: c })));

  const inputPixels = planeSize(inputPlane);
  const linkInterval = Math.ceil(inputPixels / rate);
  // imageStarts has one more entry than imageOutputs: when the image after the last simulated one may enter.
  const imageStarts: number[] = [0];
  const imageOutputs: number[] = [];
  // A batch of one is timed as two (the interval needs a second image); the figures of the batch are taken after it.
  const timed = Math.max(batch, 2);
  let figures: BatchFigures | undefined;
  let steady: Steady | undefined;
  // The last timestep any event of images before `steady.image` touches (a buffer's arrival or use).
  let lastEvent = -1;

  for (let image = 0; image < timed; image++) {
    const start = imageStarts[image];
    // The image after a batch of one is timed only: its activity is not the batch's.
    if (image === batch) for (const l of order) for (const c of l.cores) c.recording = false;
    const before = steady === undefined ? coreStates(order) : undefined;
    const inputTimes = new Int32Array(inputPixels);
    for (let j = 0, t = start; j < inputPixels; t++) for (let k = 0; k < rate && j < inputPixels; k++) inputTimes[j++] = t;

    let imageEnd = start;
    for (const layer of order) {
      const { times, arrivals } = runLayer(layer, layers, inputTimes, start, { inputName, granularity });
      layer.emitted = times;
      layer.emittedPeak = Math.max(layer.emittedPeak, peakPerTimestep(times));
      if (layer.tapped !== undefined) layer.tappedPeak = Math.max(layer.tappedPeak, peakPerTimestep(layer.tapped));
      for (const c of layer.cores) imageEnd = Math.max(imageEnd, c.heldEnd);
      imageEnd = Math.max(imageEnd, layer.residualEnd ?? -1);
      if (image === 0) {
        layer.timing = layerTiming(layer);
        layer.ringColumns = layer.cores.map((c) => ringColumns(c, arrivals, layer.input));
        // Only the activity trace reports them.
        if (options.activity === true) layer.firstOutputs = times.slice();
      }
    }
    let output = -1;
    const emitted = outputOwner.emitted;
    for (let i = 0; i < emitted.length; i++) if (emitted[i] > output) output = emitted[i];
    imageOutputs.push(output);
    imageStarts.push(nextImageStart(firstCores, start + linkInterval, rate));

    if (image === batch - 1) figures = batchFigures(order);
    if (figures !== undefined && image >= 1) break;
    if (options.activity === true) continue;
    if (steady === undefined) {
      // Image `image + 1` repeats this one shifted by D when it enters D timesteps later and finds every core in the
      // state this image found it in, shifted by D: the simulation depends on nothing else, and is shift-invariant.
      const shift = imageStarts[image + 1] - start;
      if (before !== undefined && image >= 1 && sameShifted(before, coreStates(order), shift)) {
        steady = { image, shift, span: imageEnd - start + 1 };
      } else {
        lastEvent = Math.max(lastEvent, imageEnd);
        continue;
      }
    }
    // Every image from steady.image on is a shifted copy, so a buffer's peak over the batch is already reached by
    // the images simulated once (a) any timestep's images in a buffer (at most ceil(span / shift) + 1 consecutive
    // ones) can be found among the copies with one copy to spare on either side and (b) the copies have left the
    // images before them behind (docs/dataflow.md "Long batches").
    const simulated = image + 1;
    if (simulated >= steady.image + Math.ceil(steady.span / steady.shift) + 3 && imageStarts[image] > lastEvent) {
      figures = batchFigures(order);
      break;
    }
  }
  // Extend the entries and outputs of the images not simulated by the steady shift.
  const simulatedImages = imageOutputs.length;
  if (options.stats !== undefined) options.stats.simulatedImages = simulatedImages;
  for (let image = simulatedImages; image < batch; image++) {
    imageOutputs.push(imageOutputs[image - 1] + steady!.shift);
    imageStarts.push(imageStarts[image] + steady!.shift);
  }
  // The steady-state interval is set by the slowest core, not by how soon the first core takes the next image: a
  // downstream bottleneck shows as the gap between consecutive outputs (one image alone shows no gap: time two).
  let interval = 0;
  for (let i = 0; i + 1 < imageStarts.length; i++) interval = Math.max(interval, imageStarts[i + 1] - imageStarts[i]);
  for (let i = 1; i < imageOutputs.length; i++) interval = Math.max(interval, imageOutputs[i] - imageOutputs[i - 1]);
  imageStarts.length = batch;
  imageOutputs.length = batch;
  const batchPeaks = figures!;

  const timestepNs = design.target.controller.timestepNs;
  const latencyTimesteps = imageOutputs[0] - imageStarts[0] + 1;
  const batchTimesteps = imageOutputs[batch - 1] - imageStarts[0] + 1;
  const loads = new Map<string, LayerLoad>(
    order.map((l) => {
      const p = batchPeaks.get(l)!;
      return [l.mapping.layer, { emittedPeak: p.emittedPeak, tappedPeak: p.tappedPeak, replicas: l.replicas, corePeakPixels: p.corePeakPixels }];
    }),
  );
  const links = linkLoads(mapping, loads, rate, timestepNs);
  const activation = links.filter((l) => l.kind !== 'partial-sum');
  const linkBandwidthGbps = Math.max(0, ...(activation.length > 0 ? activation : links).map((l) => l.gbps));
  const residualBuffers: ResidualBuffer[] = order
    .filter((l) => l.residual !== undefined)
    .map((l) => {
      const pixels = batchPeaks.get(l)!.residualPixels;
      // Bits of one shortcut pixel: the operand node's activation bits x channels.
      const operand = nodes.get(l.mapping.residualFrom ?? '') ?? l.node;
      return {
        layer: l.mapping.layer,
        from: l.mapping.residualLayer ?? '',
        pixels,
        bits: pixels * operand.activationBits * operand.shape.channels,
        lateShortcutPixels: l.residual!.late,
      };
    });
  const result: DataflowResult = {
    batch,
    granularity,
    timestepNs,
    inputPixelsPerTimestep: rate,
    latencyTimesteps,
    intervalTimesteps: interval,
    batchTimesteps,
    throughputImagesPerSecond: batch / (batchTimesteps * timestepNs * 1e-9),
    linkBandwidthGbps,
    targetLinkBandwidthGbps: design.target.link.bandwidthGbps,
    layers: order.map((l) => ({
      ...l.timing!,
      inputBufferPixels: batchPeaks.get(l)!.inputBufferPixels,
      inputMemoryPixels: l.input.height * keptColumns(l),
      ringColumns: l.ringColumns!,
    })),
    residualBuffers,
    links,
    imageStarts,
    imageOutputs,
    diagnostics: [],
  };
  result.diagnostics = [...bandwidthDiagnostics(design, links), ...memoryDiagnostics(design, result.layers)];
  if (options.activity) {
    result.activity = order.flatMap((l) => l.cores.map((c) => c.activity!.finish()));
    result.outputs = order.map((l) => ({ layer: l.mapping.layer, timesteps: l.firstOutputs! }));
  }
  const spiking = design.target.neuronCore.spiking;
  return spiking ? stretchBySteps(result, spiking.steps) : result;
}

/** Image-independent geometry of every mapped layer, in dependency order. */
function prepareLayers(
  design: IrDesign,
  mapping: Mapping,
  o: { inputName: string; inputPlane: Plane; granularity: Granularity; activity: boolean; cache?: GeometryCache },
): { layers: Map<string, SimLayer>; order: SimLayer[] } {
  const { inputName, inputPlane, granularity } = o;
  const nodes = nodeIndex(design.network);
  const coreById = new Map(mapping.cores.map((c) => [c.id, c]));
  const layers = new Map<string, SimLayer>();
  const order: SimLayer[] = [];
  for (const lm of orderLayers(mapping, inputName)) {
    const node = nodes.get(lm.layer);
    if (node === undefined) throw new Error(`dataflow: mapped layer '${lm.layer}' is not in the network`);
    const input = lm.source === inputName ? inputPlane : layers.get(lm.source)?.out;
    if (input === undefined) throw new Error(`dataflow: layer '${lm.layer}' reads '${lm.source}', which no core produces`);
    // An fc layer is a convolution whose kernel covers its whole (unflattened) input and whose output is one pixel
    // (the mapping builds its matrix that way), so its row parts wait only for the pixels their rows read.
    const geometry = windowGeometry(lm, node, input);
    const block = `${lm.layer}|${granularity}|${lm.matrix.replicas.map((r) => `${r.oy}.${r.ox}`).join(' ')}`;
    const plan = cached(o.cache, block, () => blockPlan(lm.matrix, geometry.out));
    const replicas = lm.matrix.replicas.length;
    const byPixel = granularity === 'pixel';
    const units = byPixel ? planeSize(geometry.out) : plan.blocks;
    const unitPixels = byPixel ? new Int32Array(units).fill(1) : plan.blockPixels;
    const cores: SimCore[] = lm.cores.map((id) => {
      const core = coreById.get(id);
      if (core === undefined) throw new Error(`dataflow: layer '${lm.layer}' names core '${id}', which the mapping lacks`);
      const { needed, lastReader } = cached(o.cache, `${block}|${core.part.rowStart}-${core.part.rowEnd}`, () => {
        const n = convNeededInputs(lm.matrix, core.part, geometry, plan, granularity);
        return { needed: n, lastReader: n.lastReaders(planeSize(input)) };
      });
      const sim: SimCore = {
        core,
        needed,
        lastReader,
        held: new Int32Array(1024),
        heldBase: 0,
        heldLevel: 0,
        heldPeak: 0,
        last: -1,
        unitsInLast: 0,
        pixelsInLast: 0,
        peakPixels: 0,
        times: new Int32Array(units),
        heldEnd: -1,
        recording: o.activity,
      };
      if (o.activity) sim.activity = new ActivityRecorder(id, lm.layer);
      return sim;
    });
    const fused = lm.fused.map((name) => {
      const n = nodes.get(name);
      if (n === undefined) throw new Error(`dataflow: fused node '${name}' is not in the network`);
      return n;
    });
    const { steps, out } = chainSteps(fused, geometry.out);
    const layer: SimLayer = {
      mapping: lm,
      node,
      input,
      plan,
      units,
      unitsPerTimestep: byPixel ? replicas : 1,
      unitPixels,
      ready: new Int32Array(units),
      waited: new Uint8Array(units),
      rowPartGroups: rowPartGroups(cores),
      replicas,
      cores,
      steps,
      serialFrom: serialPool(design, lm, fused, replicas),
      out,
      emitted: new Int32Array(0),
      emittedPeak: 0,
      tappedPeak: 0,
      serialLast: new Map(),
    };
    layers.set(lm.layer, layer);
    order.push(layer);
  }
  // A residual add of a value before its layer's last fused op: that layer records the value's timesteps.
  for (const l of order) {
    const source = l.mapping.residualLayer === undefined ? undefined : layers.get(l.mapping.residualLayer);
    if (source !== undefined && l.mapping.residualFrom !== undefined && l.mapping.residualFrom !== source.mapping.output) source.tap = l.mapping.residualFrom;
  }
  return { layers, order };
}

/** The cached value of `key`, computed once (no cache: computed every time). Cached values are never mutated. */
function cached<T>(cache: GeometryCache | undefined, key: string, compute: () => T): T {
  if (cache === undefined) return compute();
  let value = cache.get(key) as T | undefined;
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}

/**
 * One image through one layer: its cores' computations (computeCore), then the fused ops on the pixel times.
 * Returns the timestep each output pixel leaves the layer's neuron core(s), and the input's arrivals it waited for.
 */
function runLayer(
  layer: SimLayer,
  layers: ReadonlyMap<string, SimLayer>,
  inputTimes: Int32Array,
  start: number,
  o: { inputName: string; granularity: Granularity },
): { times: Int32Array; arrivals: Int32Array } {
  const { inputName, granularity } = o;
  const arrivals = layerArrivals(layer, layers, inputTimes, inputName);
  const final = new Int32Array(layer.units).fill(-1);
  // A residual add on the computed plane (only batch norm or ReLU before it), or right after its pool, stalls the
  // layer's cores: a unit is computed when its inputs and its shortcut pixels (those of the pooled pixels it
  // completes) are present (the RTL's controllers wait for the shortcut FIFO).
  const shortcutWait = shortcutStall(layer, layers, inputTimes, inputName, granularity);
  const stall = shortcutWait?.stall;
  const waited = stall === undefined ? undefined : layer.waited.fill(0);
  for (const group of layer.rowPartGroups) {
    // The row parts of one column part compute each unit together, when all of their inputs are present (the
    // accumulating core's controller starts the neuron core on the parts' partial sums of that timestep).
    const together = group.length > 1 ? groupReady(group, layer, arrivals, start) : undefined;
    for (const c of group) {
      computeCore(c, layer, arrivals, start, final, { together, stall, waited });
      recordHeld(c, arrivals, start);
    }
  }
  let times: Int32Array = granularity === 'block' ? layer.plan.pixelBlock.map((b) => final[b]) : final;
  if (layer.tap === layer.mapping.layer) layer.tapped = times.slice();
  let late = 0;
  let serial = false;
  if (waited !== undefined) for (let u = 0; u < layer.units; u++) if (waited[u] !== 0) late += shortcutWait!.reads[u];
  for (const step of layer.steps) {
    if (step.kind === 'identity') {
      if (step.node === layer.tap) layer.tapped = times.slice();
      continue;
    }
    if (step.kind === 'add') {
      const from = layer.mapping.residualLayer;
      const shortcut = from === undefined || from === inputName ? inputTimes : shortcutTimes(layers.get(from));
      const hop = shortcut === inputTimes ? 0 : 1;
      if (shortcut === undefined || shortcut.length !== times.length) {
        throw new Error(`dataflow: the residual operand of '${step.node}' (from '${from}') does not match its main path`);
      }
      const n = times.length;
      layer.residual ??= { arrivals: new Int32Array(n), uses: new Int32Array(n), count: 0, late: 0 };
      const buffer = layer.residual;
      if (buffer.count + n > buffer.arrivals.length) {
        const size = Math.max(buffer.count + n, buffer.arrivals.length * 2);
        const grow = (a: Int32Array): Int32Array => {
          const grown = new Int32Array(size);
          grown.set(a.subarray(0, buffer.count));
          return grown;
        };
        buffer.arrivals = grow(buffer.arrivals);
        buffer.uses = grow(buffer.uses);
      }
      let end = -1;
      for (let p = 0; p < n; p++) {
        const arrival = shortcut[p] + hop;
        // The stall above covers every add (on the computed plane or after the pools): none waits here.
        if (arrival > times[p]) throw new Error(`dataflow: the shortcut of '${step.node}' arrives after its pixel ${p} (internal)`);
        buffer.arrivals[buffer.count] = arrival;
        buffer.uses[buffer.count] = times[p];
        buffer.count++;
        if (times[p] > end) end = times[p];
      }
      layer.residualEnd = end;
      if (late > buffer.late) buffer.late = late;
      if (step.node === layer.tap) layer.tapped = times.slice();
      continue;
    }
    const { start: from, values } = step.lists;
    const next = new Int32Array(planeSize(step.out));
    for (let q = 0; q < next.length; q++) {
      let t = -1;
      for (let k = from[q]; k < from[q + 1]; k++) if (times[values[k]] > t) t = times[values[k]];
      next[q] = t;
    }
    // A pool after this one reads the pixels this one emits, one per timestep (the RTL's queue of pooled pixels
    // sends them to the next pool stage as it sends them out): a no-op unless windows end together (or, in a
    // replicated layer, end unevenly in its blocks).
    serial ||= step.node === layer.serialFrom;
    if (serial) serialize(next, layer.serialLast, step.node);
    times = next;
    if (step.node === layer.tap) layer.tapped = times.slice();
  }
  if (serial) serialize(times, layer.serialLast, '');
  return { times, arrivals };
}

/** The layer's serialFrom (SimLayer): the node of the pool from which on it emits one pixel per timestep. */
function serialPool(design: IrDesign, lm: LayerMapping, fused: readonly IrNode[], replicas: number): string | undefined {
  const pools = fused.filter((f) => f.op.kind === 'maxpool' || f.op.kind === 'avgpool' || f.op.kind === 'gap');
  if (replicas === 1) return pools[0]?.name;
  const group = pooledGroupOf(design, lm);
  return group?.queued === undefined ? undefined : pools[group.queued[0]].name;
}

/**
 * At most one pixel per timestep, in order: each leaves in the later of its completion and its predecessor's + 1, the
 * first after the previous image's last through the same step (`last`, updated).
 */
function serialize(times: Int32Array, last: Map<string, number>, step: string): void {
  const previous = last.get(step);
  if (times.length > 0 && previous !== undefined && times[0] <= previous) times[0] = previous + 1;
  for (let q = 1; q < times.length; q++) if (times[q] <= times[q - 1]) times[q] = times[q - 1] + 1;
  if (times.length > 0) last.set(step, times[times.length - 1]);
}

/**
 * Arrival timesteps of a layer's input pixels (this image): the network input is present when it enters, a core's
 * result one timestep after it was computed.
 */
function layerArrivals(layer: SimLayer, layers: ReadonlyMap<string, SimLayer>, inputTimes: Int32Array, inputName: string): Int32Array {
  return layer.mapping.source === inputName ? inputTimes : plusOne(layers.get(layer.mapping.source)!.emitted);
}

/**
 * The input columns a core's ring (slot = x mod columns) must keep for this image: each pixel's slot is taken by the
 * pixel of its row that many columns on, which must arrive after the pixel's last read (a timestep's writes come
 * before its reads). Arrivals along a row are in x order, so the first later pixel that has not arrived ends the search.
 */
function ringColumns(c: SimCore, arrivals: Int32Array, input: Plane): number {
  const { height, width } = input;
  let columns = 1;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const u = c.lastReader[x * height + y];
      if (u < 0) continue;
      const read = c.times[u];
      while (x + columns < width && arrivals[(x + columns) * height + y] <= read) columns++;
    }
  }
  return columns;
}

/** The timesteps of the value a residual add reads from `layer`: its tapped value's, else its output's. */
function shortcutTimes(layer: SimLayer | undefined): Int32Array | undefined {
  return layer?.tapped ?? layer?.emitted;
}

/**
 * For a layer whose residual add is on the plane its crossbars compute (nothing but batch norm or ReLU before it): per
 * unit (pixel or block), the timestep the last of its shortcut pixels is present in the adding core's FIFO (one hop
 * after its producer emitted it; the network input's pixels when they enter). For an add after the layer's pools
 * (and ReLUs), the unit that completes a pooled pixel (through the pools, the last in computation order of the pixels
 * it pools) waits for that pixel's shortcut, as the RTL's controllers do; `reads`: per unit, the shortcut pixels it
 * reads. Undefined for any other layer.
 */
function shortcutStall(
  layer: SimLayer,
  layers: ReadonlyMap<string, SimLayer>,
  inputTimes: Int32Array,
  inputName: string,
  granularity: Granularity,
): { stall: Int32Array; reads: Int32Array } | undefined {
  // The ops before the add: nothing but identities, or pools (windows).
  const steps = layer.steps.filter((s) => s.kind !== 'identity');
  const at = steps.findIndex((s) => s.kind !== 'window');
  if (steps[at]?.kind !== 'add') return undefined;
  const pools = steps.slice(0, at) as Array<Extract<ChainStep, { kind: 'window' }>>;
  const from = layer.mapping.residualLayer;
  const shortcut = from === undefined || from === inputName ? inputTimes : shortcutTimes(layers.get(from));
  // The unit that completes each pixel: its own, then through each pool the last of its window's.
  let unit = granularity === 'block' ? layer.plan.pixelBlock : Int32Array.from({ length: layer.plan.pixelBlock.length }, (_, p) => p);
  for (const pool of pools) {
    const next = new Int32Array(planeSize(pool.out)).fill(-1);
    for (let q = 0; q < next.length; q++) for (let k = pool.lists.start[q]; k < pool.lists.start[q + 1]; k++) next[q] = Math.max(next[q], unit[pool.lists.values[k]]);
    unit = next;
  }
  if (shortcut === undefined || shortcut.length !== unit.length) return undefined;
  const hop = shortcut === inputTimes ? 0 : 1;
  const stall = new Int32Array(layer.units).fill(-1);
  const reads = new Int32Array(layer.units);
  for (let q = 0; q < shortcut.length; q++) {
    const u = unit[q];
    if (shortcut[q] + hop > stall[u]) stall[u] = shortcut[q] + hop;
    reads[u]++;
  }
  return { stall, reads };
}

/**
 * The cores of a layer grouped by the core that runs their neuron core (each column part's, or the one of a layer
 * whose column parts are gathered), in the mapping's order.
 */
function rowPartGroups(cores: SimCore[]): SimCore[][] {
  const groups = new Map<string, SimCore[]>();
  const parts = cores.map((c) => c.core);
  for (const c of cores) {
    const key = (accumulatorOf(c.core, parts) ?? c.core).id;
    const group = groups.get(key) ?? [];
    group.push(c);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Per unit, the timestep the inputs of every core of `group` are present (not before `earliest`). */
function groupReady(group: SimCore[], layer: SimLayer, arrivals: Int32Array, earliest: number): Int32Array {
  const together = new Int32Array(layer.units).fill(earliest);
  const ready = layer.ready;
  for (const c of group) {
    c.needed.readyTimes(arrivals, earliest, ready);
    for (let u = 0; u < layer.units; u++) if (ready[u] > together[u]) together[u] = ready[u];
  }
  return together;
}

/**
 * When the next image can enter: after this one has crossed the input link (`earliest`), and only into input-memory
 * slots whose pixels the first cores no longer need (a pixel is overwritten in the timestep after its last use: store
 * precedes compute in Algorithm 1).
 */
function nextImageStart(firstCores: Array<{ layer: SimLayer; core: SimCore }>, earliest: number, rate: number): number {
  let next = earliest;
  for (const { layer, core } of firstCores) {
    const h = layer.input.height;
    const w = layer.input.width;
    const columns = memoryColumns(layer);
    for (let x = 0; x < Math.min(columns, w); x++) {
      // Column x of the next image goes to ring slot x mod columns, which holds this image's last column x' there.
      const previous = x + Math.floor((w - 1 - x) / columns) * columns;
      for (let y = 0; y < h; y++) {
        const b = core.lastReader[previous * h + y];
        if (b < 0) continue;
        const offset = Math.floor((x * h + y) / rate);
        next = Math.max(next, core.times[b] + 1 - offset);
      }
    }
  }
  return next;
}

/**
 * One core's computations for one image, in order: a unit (pixel or block) in the timestep its last needed input is
 * present, not before the previous unit, at most unitsPerTimestep units per timestep. `final` gets, per unit, the
 * timestep its result is complete in the neuron core: the latest of its row parts' computations (the accumulating core
 * adds their partial sums in the timestep they are computed, as the RTL does). `together`: per unit, the timestep the
 * inputs of all the row parts of the core's column part are present (they compute together); `stall`: per unit, the
 * timestep its shortcut pixels are all present (a residual add on the computed plane); `waited` marks the units the
 * shortcut delayed.
 */
function computeCore(
  c: SimCore,
  layer: SimLayer,
  arrivals: Int32Array,
  earliest: number,
  final: Int32Array,
  floors: { together?: Int32Array; stall?: Int32Array; waited?: Uint8Array } = {},
): void {
  const { together, stall, waited } = floors;
  const units = layer.units;
  // Listed inputs are walked inline: a second pass over the units (readyTimes) cost the optimizer a fifth of its time.
  const lists = c.needed.lists;
  const from = lists?.start;
  const values = lists?.values;
  const ready = layer.ready;
  if (lists === undefined) c.needed.readyTimes(arrivals, earliest, ready);
  const perTimestep = layer.unitsPerTimestep;
  const unitPixels = layer.unitPixels;
  const times = c.times;
  const activity = c.recording ? c.activity : undefined;
  let last = c.last;
  let unitsInLast = c.unitsInLast;
  let pixelsInLast = c.pixelsInLast;
  let peak = c.peakPixels;
  for (let u = 0; u < units; u++) {
    let r = earliest;
    if (from === undefined || values === undefined) r = ready[u];
    else for (let k = from[u], end = from[u + 1]; k < end; k++) if (arrivals[values[k]] > r) r = arrivals[values[k]];
    if (together !== undefined && together[u] > r) r = together[u];
    if (stall !== undefined && waited !== undefined && stall[u] > r) {
      // The shortcut, not the inputs or the previous unit, sets the timestep.
      if (stall[u] > last) waited[u] = 1;
      r = stall[u];
    }
    const pixels = unitPixels[u];
    if (r > last || unitsInLast >= perTimestep) {
      last = r > last ? r : last + 1;
      unitsInLast = 1;
      pixelsInLast = pixels;
      if (activity) activity.begin(last, pixels);
    } else {
      unitsInLast++;
      pixelsInLast += pixels;
      if (activity) activity.add(pixels);
    }
    if (pixelsInLast > peak) peak = pixelsInLast;
    times[u] = last;
    if (last > final[u]) final[u] = last;
  }
  c.last = last;
  c.unitsInLast = unitsInLast;
  c.pixelsInLast = pixelsInLast;
  c.peakPixels = peak;
}

/** The window a weight layer's crossbar rows read: a conv's own, an fc's whole input (one output pixel). */
function windowGeometry(lm: LayerMapping, node: IrNode, input: Plane): ConvGeometry {
  if (node.op.kind === 'conv') {
    return { stride: node.op.stride, padTop: node.op.padding.top, padLeft: node.op.padding.left, input, out: { height: node.shape.height, width: node.shape.width } };
  }
  if (lm.matrix.kernelHeight !== input.height || lm.matrix.kernelWidth !== input.width) {
    throw new Error(
      `dataflow: fc layer '${lm.layer}' has a ${lm.matrix.kernelHeight}x${lm.matrix.kernelWidth} kernel but receives ${input.height}x${input.width} pixels`,
    );
  }
  return { stride: 1, padTop: 0, padLeft: 0, input, out: { height: 1, width: 1 } };
}

/**
 * Input-memory occupancy events of one image: a pixel is held from the end of the timestep it arrives in to the end
 * of the timestep of its last read (a pixel read in the timestep it arrives is never held). Pixels no unit reads
 * (skipped by a stride) are not counted: they can be overwritten at once.
 */
function recordHeld(c: SimCore, arrivals: Int32Array, start: number): void {
  // No pixel of this image arrives before it enters: the timesteps before are final.
  foldHeld(c, start);
  // Units compute in order, so no pixel is read after the core's latest computation.
  const end = Math.max(0, c.last);
  c.heldEnd = end;
  const base = c.heldBase;
  if (end - base + 1 >= c.held.length) {
    const grown = new Int32Array(Math.max(end - base + 2, c.held.length * 2));
    grown.set(c.held);
    c.held = grown;
  }
  for (let j = 0; j < arrivals.length; j++) {
    const u = c.lastReader[j];
    if (u < 0) continue;
    const use = c.times[u];
    if (use <= arrivals[j]) continue;
    c.held[arrivals[j] - base]++;
    c.held[use - base]--;
  }
}

/** Folds the occupancy events of the timesteps before `upTo` into heldLevel and heldPeak. */
function foldHeld(c: SimCore, upTo: number): void {
  const n = upTo - c.heldBase;
  if (n <= 0) return;
  const m = Math.min(n, c.held.length);
  let level = c.heldLevel;
  let peak = c.heldPeak;
  for (let t = 0; t < m; t++) {
    level += c.held[t];
    if (level > peak) peak = level;
  }
  c.held.copyWithin(0, m);
  c.held.fill(0, c.held.length - m);
  c.heldLevel = level;
  c.heldPeak = peak;
  c.heldBase = upTo;
}

/**
 * IMC092: a layer whose cores must hold more input pixels than the H x F its input memory stores: its producer sends
 * faster than it computes, so the real pipeline would stall (the model does not). A warning at the layer's mapping.
 */
function memoryDiagnostics(design: IrDesign, layers: LayerTiming[]): Diagnostic[] {
  const nodes = nodeIndex(design.network);
  return layers
    .filter((l) => l.inputBufferPixels > l.inputMemoryPixels)
    .map((l) => {
      const node = nodes.get(l.name)!;
      return diagnostic(
        'IMC092',
        node.mapping?.span ?? node.span,
        { name: l.name, inputBufferPixels: l.inputBufferPixels, inputMemoryPixels: l.inputMemoryPixels, replicas: l.replicas },
      );
    });
}

/** Most input pixels a core held at the end of any timestep. */
function peakHeld(c: SimCore): number {
  let held = c.heldLevel;
  let best = c.heldPeak;
  for (let t = 0; t < c.held.length; t++) {
    held += c.held[t];
    if (held > best) best = held;
  }
  return best;
}

/**
 * Columns of input pixels a layer's memory keeps: the window's (memoryColumns), or more where a residual add's wait
 * needs them (the memory plan sizes those rings by ringColumns: src/pipeline/program.ts).
 */
function keptColumns(layer: SimLayer): number {
  return Math.max(memoryColumns(layer), layer.mapping.residualFrom === undefined ? 0 : Math.max(...layer.ringColumns!));
}

/** Columns of input pixels a core's memory keeps (section 2.4.2 stores H x F; replicas widen the window). */
function memoryColumns(layer: SimLayer): number {
  let maxDx = 0;
  for (const r of layer.mapping.matrix.rowSources) if (r.dx > maxDx) maxDx = r.dx;
  return Math.max(layer.mapping.matrix.kernelWidth, maxDx + 1);
}

function layerTiming(layer: SimLayer): Omit<LayerTiming, 'inputBufferPixels' | 'inputMemoryPixels' | 'ringColumns'> {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of layer.cores) {
    const times = c.times;
    for (let i = 0; i < times.length; i++) {
      if (times[i] < first) first = times[i];
      if (times[i] > last) last = times[i];
    }
  }
  // One bit per timestep of the layer's span (a Set of timesteps overflows at 2^24 entries: a 4097x4097 input).
  const busy = new Uint32Array(Math.ceil((last - first + 1) / 32));
  let busyTimesteps = 0;
  for (const c of layer.cores) {
    const times = c.times;
    for (let i = 0; i < times.length; i++) {
      const bit = times[i] - first;
      const mask = 1 << (bit & 31);
      if ((busy[bit >>> 5] & mask) === 0) {
        busy[bit >>> 5] |= mask;
        busyTimesteps++;
      }
    }
  }
  return {
    name: layer.mapping.layer,
    cores: layer.cores.map((c) => c.core.id),
    firstTimestep: first,
    lastTimestep: last,
    busyTimesteps,
    outputPixels: layer.plan.pixelBlock.length,
    replicas: layer.replicas,
  };
}
