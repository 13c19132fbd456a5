// The timestep simulation of the mapped network (Algorithm 1, sections 2.4 and 3.1.3-3.1.4). Event driven rather
// than ticking: for every crossbar operation we compute the timestep in which it happens, which gives exactly the
// timestep-by-timestep schedule at a cost linear in the number of operations. The timing model (README "Dataflow
// timing model"):
//  - the network input enters the first core(s) `inputPixelsPerTimestep` pixels per timestep, column by column;
//  - a core's crossbar computes one block (all its replicas) per timestep, blocks in order, in the timestep in which
//    the last input pixel the core's rows need is present in its input memory;
//  - a pixel computed in timestep t is present in the next core's input memory in timestep t + 1;
//  - a partial-sum core's result reaches its accumulating sibling one timestep later; the accumulated pixel is final
//    in the later of the two;
//  - fused ops take no extra timestep; a residual add waits for its shortcut pixel (sent one hop, like any result);
//    pooling emits a pixel when the last pixel of its window is computed;
//  - images follow each other in order through every core; the next image enters as soon as the input link is free
//    and the first core's input memory (H x span-columns pixels, Algorithm 2's ring of columns) can take its pixels.
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import type { ConvOp, IrDesign, IrNode } from '../ir/types.js';
import type { Core, LayerMapping, Mapping } from '../mapping/types.js';
import {
  chainSteps,
  convBlockPlan,
  convNeededInputs,
  fcBlockPlan,
  fcNeededInputs,
  planeSize,
  type BlockPlan,
  type Granularity,
  type ChainStep,
  type IndexLists,
  type Plane,
} from './geometry.js';
import type { CoreActivity, DataflowResult, LayerTiming, LinkLoad, ResidualBuffer, SimulateOptions } from './types.js';

interface SimCore {
  core: Core;
  needed: IndexLists;
  /** For the first cores only: the last unit that reads each input pixel (-1: none). */
  lastReader?: Int32Array;
  /** Timestep of the core's latest computation (over all images so far), units and pixels computed in it. */
  last: number;
  unitsInLast: number;
  pixelsInLast: number;
  /** Most pixels computed in one timestep. */
  peakPixels: number;
  /** This image's computation timesteps, per unit. */
  times: Int32Array;
  activity?: CoreActivity;
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
  replicas: number;
  cores: SimCore[];
  steps: ChainStep[];
  out: Plane;
  /** Emission timesteps of this image's output pixels (after the fused ops). */
  emitted: Int32Array;
  /** Most pixels emitted in one timestep (over the batch). */
  emittedPeak: number;
  timing?: LayerTiming;
  firstOutputs?: number[];
  residual?: { arrivals: Int32Array; uses: Int32Array; count: number };
}

/** Input pixels per timestep: what the first layer's crossbar consumes at full speed (replicas x stride^2). */
export function inputPixelsPerTimestep(design: IrDesign, mapping: Mapping, inputName: string): number {
  let rate = 1;
  for (const lm of mapping.layers) {
    if (lm.source !== inputName) continue;
    const node = design.network.nodes.find((n) => n.name === lm.layer);
    const stride = node?.op.kind === 'conv' ? node.op.stride : 1;
    rate = Math.max(rate, lm.matrix.replicas.length * stride * stride);
  }
  return rate;
}

function orderLayers(mapping: Mapping, inputName: string): LayerMapping[] {
  const byName = new Map(mapping.layers.map((l) => [l.layer, l]));
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

/** Most entries sharing one value (pixels emitted in the same timestep), by counting over the values' range. */
function peakPerTimestep(times: Int32Array): number {
  if (times.length === 0) return 0;
  let lo = times[0];
  let hi = times[0];
  for (let i = 1; i < times.length; i++) {
    if (times[i] < lo) lo = times[i];
    if (times[i] > hi) hi = times[i];
  }
  const counts = new Int32Array(hi - lo + 1);
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    const c = ++counts[times[i] - lo];
    if (c > best) best = c;
  }
  return best;
}

/**
 * Most items held at the end of a timestep, an item being held from its arrival up to (not including) the timestep
 * of its use: occupancy(T) = #(arrival <= T) - #(use <= T), largest at some arrival timestep.
 */
export function peakOccupancy(arrivals: ArrayLike<number>, uses: ArrayLike<number>): number {
  const a = Float64Array.from(arrivals).sort();
  const u = Float64Array.from(uses).sort();
  let used = 0;
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    if (i + 1 < a.length && a[i + 1] === a[i]) continue;
    while (used < u.length && u[used] <= a[i]) used++;
    best = Math.max(best, i + 1 - used);
  }
  return best;
}

export function simulateDataflow(design: IrDesign, mapping: Mapping, options: SimulateOptions): DataflowResult {
  const batch = options.batch;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`simulateDataflow: batch must be a positive integer, got ${batch}`);
  const nodes = new Map(design.network.nodes.map((n) => [n.name, n]));
  const inputNode = design.network.nodes.find((n) => n.op.kind === 'input');
  if (inputNode === undefined) throw new Error('dataflow: the network has no input');
  const inputName = inputNode.name;
  const inputPlane: Plane = { height: inputNode.shape.height, width: inputNode.shape.width };
  const coreById = new Map(mapping.cores.map((c) => [c.id, c]));
  const rate = inputPixelsPerTimestep(design, mapping, inputName);
  const granularity: Granularity = options.granularity ?? 'pixel';

  // Image-independent geometry, layers in dependency order.
  const layers = new Map<string, SimLayer>();
  const order: SimLayer[] = [];
  for (const lm of orderLayers(mapping, inputName)) {
    const node = nodes.get(lm.layer);
    if (node === undefined) throw new Error(`dataflow: mapped layer '${lm.layer}' is not in the network`);
    const input = lm.source === inputName ? inputPlane : layers.get(lm.source)?.out;
    if (input === undefined) throw new Error(`dataflow: layer '${lm.layer}' reads '${lm.source}', which no core produces`);
    let plan: BlockPlan;
    let conv: ConvOp | undefined;
    if (node.op.kind === 'conv') {
      conv = node.op;
      plan = convBlockPlan(lm.matrix, { height: node.shape.height, width: node.shape.width });
    } else {
      plan = fcBlockPlan();
    }
    const outPlane = { height: node.shape.height, width: node.shape.width };
    const replicas = lm.matrix.replicas.length;
    const byPixel = conv !== undefined && granularity === 'pixel';
    const units = byPixel ? planeSize(outPlane) : plan.blocks;
    const unitPixels = byPixel ? new Int32Array(units).fill(1) : plan.blockPixels;
    const cores: SimCore[] = lm.cores.map((id) => {
      const core = coreById.get(id);
      if (core === undefined) throw new Error(`dataflow: layer '${lm.layer}' names core '${id}', which the mapping lacks`);
      const needed =
        conv !== undefined
          ? convNeededInputs(lm.matrix, core.part, { stride: conv.stride, padding: conv.padding, input, out: outPlane }, plan, granularity)
          : fcNeededInputs(input);
      const sim: SimCore = { core, needed, last: -1, unitsInLast: 0, pixelsInLast: 0, peakPixels: 0, times: new Int32Array(units) };
      if (options.activity) sim.activity = { core: id, layer: lm.layer, timesteps: [], pixels: [] };
      return sim;
    });
    if (lm.source === inputName && conv !== undefined) {
      for (const c of cores) {
        const lastReader = new Int32Array(planeSize(input)).fill(-1);
        for (let u = 0; u < units; u++) {
          for (let k = c.needed.start[u]; k < c.needed.start[u + 1]; k++) lastReader[c.needed.values[k]] = u;
        }
        c.lastReader = lastReader;
      }
    }
    const fused = lm.fused.map((name) => {
      const n = nodes.get(name);
      if (n === undefined) throw new Error(`dataflow: fused node '${name}' is not in the network`);
      return n;
    });
    const start = conv !== undefined ? { height: node.shape.height, width: node.shape.width } : { height: 1, width: 1 };
    const { steps, out } = chainSteps(fused, start);
    const layer: SimLayer = {
      mapping: lm,
      node,
      input,
      plan,
      units,
      unitsPerTimestep: byPixel ? replicas : 1,
      unitPixels,
      replicas,
      cores,
      steps,
      out,
      emitted: new Int32Array(0),
      emittedPeak: 0,
    };
    layers.set(lm.layer, layer);
    order.push(layer);
  }
  const outputOwner = order.find((l) => l.mapping.output === design.network.output || l.mapping.layer === design.network.output);
  if (outputOwner === undefined) throw new Error(`dataflow: no layer emits the network output '${design.network.output}'`);
  const firstCores = order.flatMap((l) => l.cores.filter((c) => c.lastReader !== undefined).map((c) => ({ layer: l, core: c })));

  const inputPixels = planeSize(inputPlane);
  const linkInterval = Math.ceil(inputPixels / rate);
  const imageStarts: number[] = [];
  const imageOutputs: number[] = [];
  let start = 0;
  let interval = 0;

  for (let image = 0; image < batch; image++) {
    imageStarts.push(start);
    const inputTimes = new Int32Array(inputPixels);
    for (let j = 0; j < inputPixels; j++) inputTimes[j] = start + Math.floor(j / rate);

    for (const layer of order) {
      // Arrival timesteps of the layer's input pixels: the network input is present when it enters, a core's
      // result one timestep after it was computed.
      const source = layer.mapping.source === inputName ? undefined : layers.get(layer.mapping.source)!;
      const arrivals = source === undefined ? inputTimes : plusOne(source.emitted);
      const final = new Int32Array(layer.units).fill(-1);
      for (const c of layer.cores) computeCore(c, layer, arrivals, start, final);
      let times: Int32Array =
        layer.node.op.kind !== 'conv'
          ? Int32Array.of(final[0])
          : granularity === 'block'
            ? layer.plan.pixelBlock.map((b) => final[b])
            : final;
      for (const step of layer.steps) {
        if (step.kind === 'identity') continue;
        if (step.kind === 'add') {
          const from = layer.mapping.residualLayer;
          const shortcut = from === undefined || from === inputName ? inputTimes : layers.get(from)?.emitted;
          const hop = shortcut === inputTimes ? 0 : 1;
          if (shortcut === undefined || shortcut.length !== times.length) {
            throw new Error(`dataflow: the residual operand of '${step.node}' (from '${from}') does not match its main path`);
          }
          const n = times.length;
          layer.residual ??= { arrivals: new Int32Array(batch * n), uses: new Int32Array(batch * n), count: 0 };
          const buffer = layer.residual;
          for (let p = 0; p < n; p++) {
            const arrival = shortcut[p] + hop;
            if (arrival > times[p]) times[p] = arrival;
            buffer.arrivals[buffer.count] = arrival;
            buffer.uses[buffer.count] = times[p];
            buffer.count++;
          }
          continue;
        }
        const { start: from, values } = step.lists;
        const next = new Int32Array(planeSize(step.out));
        for (let q = 0; q < next.length; q++) {
          let t = -1;
          for (let k = from[q]; k < from[q + 1]; k++) if (times[values[k]] > t) t = times[values[k]];
          next[q] = t;
        }
        times = next;
      }
      layer.emitted = times;
      layer.emittedPeak = Math.max(layer.emittedPeak, peakPerTimestep(times));
      if (image === 0) {
        layer.timing = layerTiming(layer);
        layer.firstOutputs = Array.from(times);
      }
    }
    let output = -1;
    for (const t of outputOwner.emitted) if (t > output) output = t;
    imageOutputs.push(output);

    // The next image: after this one has crossed the input link, and only into input-memory slots whose pixels the
    // first cores no longer need (a pixel is overwritten in the timestep after its last use: store precedes compute).
    let next = start + linkInterval;
    for (const { layer, core } of firstCores) {
      const h = layer.input.height;
      const w = layer.input.width;
      const columns = memoryColumns(layer);
      for (let x = 0; x < Math.min(columns, w); x++) {
        // Column x of the next image goes to ring slot x mod columns, which holds this image's last column x' there.
        const previous = x + Math.floor((w - 1 - x) / columns) * columns;
        for (let y = 0; y < h; y++) {
          const b = core.lastReader![previous * h + y];
          if (b < 0) continue;
          const offset = Math.floor((x * h + y) / rate);
          next = Math.max(next, core.times[b] + 1 - offset);
        }
      }
    }
    interval = Math.max(interval, next - start);
    start = next;
  }

  const timestepNs = design.target.controller.timestepNs;
  const latencyTimesteps = imageOutputs[0] - imageStarts[0] + 1;
  const batchTimesteps = imageOutputs[batch - 1] - imageStarts[0] + 1;
  const links = linkLoads(mapping, layers, inputName, rate, timestepNs, coreById);
  const activation = links.filter((l) => l.kind !== 'partial-sum');
  const linkBandwidthGbps = Math.max(0, ...(activation.length > 0 ? activation : links).map((l) => l.gbps));
  const residualBuffers: ResidualBuffer[] = order
    .filter((l) => l.residual !== undefined)
    .map((l) => {
      const pixels = peakOccupancy(l.residual!.arrivals.subarray(0, l.residual!.count), l.residual!.uses.subarray(0, l.residual!.count));
      return { layer: l.mapping.layer, from: l.mapping.residualLayer ?? '', pixels, bits: pixels * l.node.activationBits * l.node.shape.channels };
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
    layers: order.map((l) => l.timing!),
    residualBuffers,
    links,
    imageStarts,
    imageOutputs,
    diagnostics: bandwidthDiagnostics(design, links),
  };
  if (options.activity) {
    result.activity = order.flatMap((l) => l.cores.map((c) => c.activity!));
    result.outputs = order.map((l) => ({ layer: l.mapping.layer, timesteps: l.firstOutputs! }));
  }
  return result;
}

/**
 * One core's computations for one image, in order: a unit (pixel or block) in the timestep its last needed input is
 * present, not before the previous unit, at most unitsPerTimestep units per timestep. `final` gets, per unit, the
 * timestep its result is complete in the neuron core (a partial sum one timestep later, at its accumulating sibling).
 */
function computeCore(c: SimCore, layer: SimLayer, arrivals: Int32Array, earliest: number, final: Int32Array): void {
  const from = c.needed.start;
  const values = c.needed.values;
  const units = layer.units;
  const perTimestep = layer.unitsPerTimestep;
  const unitPixels = layer.unitPixels;
  const times = c.times;
  const delay = c.core.role === 'partial' ? 1 : 0;
  const activity = c.activity;
  let last = c.last;
  let unitsInLast = c.unitsInLast;
  let pixelsInLast = c.pixelsInLast;
  let peak = c.peakPixels;
  for (let u = 0; u < units; u++) {
    let ready = earliest;
    const end = from[u + 1];
    for (let k = from[u]; k < end; k++) {
      const t = arrivals[values[k]];
      if (t > ready) ready = t;
    }
    const pixels = unitPixels[u];
    if (ready > last || unitsInLast >= perTimestep) {
      last = ready > last ? ready : last + 1;
      unitsInLast = 1;
      pixelsInLast = pixels;
      if (activity) {
        activity.timesteps.push(last);
        activity.pixels.push(pixels);
      }
    } else {
      unitsInLast++;
      pixelsInLast += pixels;
      if (activity) activity.pixels[activity.pixels.length - 1] += pixels;
    }
    if (pixelsInLast > peak) peak = pixelsInLast;
    times[u] = last;
    const done = last + delay;
    if (done > final[u]) final[u] = done;
  }
  c.last = last;
  c.unitsInLast = unitsInLast;
  c.pixelsInLast = pixelsInLast;
  c.peakPixels = peak;
}

/** Columns of input pixels the first core keeps (section 2.4.2 stores H x F; replicas widen the window). */
function memoryColumns(layer: SimLayer): number {
  let maxDx = 0;
  for (const r of layer.mapping.matrix.rowSources) if (r.dx > maxDx) maxDx = r.dx;
  return Math.max(layer.mapping.matrix.kernelWidth, maxDx + 1);
}

function layerTiming(layer: SimLayer): LayerTiming {
  const busy = new Set<number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of layer.cores) {
    for (const t of c.times) {
      busy.add(t);
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  return {
    name: layer.mapping.layer,
    cores: layer.cores.map((c) => c.core.id),
    firstTimestep: first,
    lastTimestep: last,
    busyTimesteps: busy.size,
    outputPixels: layer.plan.pixelBlock.length,
    replicas: layer.replicas,
  };
}

/**
 * Equation 7 per link: B = bits per transfer x transfers per timestep / T_timestep. A layer's result link carries up
 * to as many pixels in one timestep as the layer emits in one timestep (its replicas, or more when a residual add
 * releases waiting pixels together); a partial-sum link one vector per pixel of a crossbar operation.
 */
function linkLoads(
  mapping: Mapping,
  layers: Map<string, SimLayer>,
  inputName: string,
  rate: number,
  timestepNs: number,
  coreById: Map<string, Core>,
): LinkLoad[] {
  return mapping.links.map((link) => {
    const from = coreById.get(link.from);
    let transfers: number;
    if (from === undefined || link.from === inputName) {
      transfers = rate;
    } else {
      const layer = layers.get(from.layer)!;
      // A partial-sum transfer carries one crossbar operation's columns (all replicas): pixels / replicas of them.
      const core = layer.cores.find((c) => c.core.id === link.from)!;
      transfers = link.kind === 'partial-sum' ? Math.ceil(core.peakPixels / layer.replicas) : layer.emittedPeak;
    }
    const bits = transfers * link.bitsPerTransfer;
    return {
      from: link.from,
      to: link.to,
      kind: link.kind,
      transfersPerTimestep: transfers,
      bitsPerTransfer: link.bitsPerTransfer,
      gbps: bits / timestepNs,
    };
  });
}

/**
 * IMC090: one warning at the target's link bandwidth naming the worst link and how many exceed it. A warning, not an
 * error: the figures are still those of the model, which assumes every transfer completes within its timestep.
 */
function bandwidthDiagnostics(design: IrDesign, links: LinkLoad[]): Diagnostic[] {
  const limit = design.target.link.bandwidthGbps;
  const over = links.filter((l) => l.gbps > limit * (1 + 1e-9));
  if (over.length === 0) return [];
  const worst = over.reduce((a, b) => (b.gbps > a.gbps ? b : a));
  const ns = design.target.controller.timestepNs;
  const others = over.length > 1 ? ` (${over.length} links are over; the worst is shown)` : '';
  return [
    diagnostic(
      'IMC090',
      design.target.link.span,
      `link ${worst.from} -> ${worst.to} (${worst.kind}) needs ${formatGbps(worst.gbps)} Gbit/s ` +
        `(${worst.transfersPerTimestep} x ${worst.bitsPerTransfer} bits per ${ns} ns timestep, equation 7), ` +
        `over the target's ${formatGbps(limit)} Gbit/s${others}; the timing assumes every transfer takes one timestep`,
      'warning',
    ),
  ];
}

export function formatGbps(gbps: number): string {
  return (Math.round(gbps * 100) / 100).toString();
}
