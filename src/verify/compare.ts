// Comparison of a simulation trace with the golden: memory addresses against each core's Algorithm 2 schedule,
// crossbar ADC outputs and emitted activations against the reference model, network outputs against its output.
// Writes and reads are compared as two ordered streams per core: the schedule's timesteps count from the core's own
// first input (the memory phase's per-core model), the RTL's from the network's, so their interleaving may differ
// while the address sequences must not. The timestep of every crossbar operation is compared with the dataflow
// model's (one operation per timestep, 'block' granularity), which the RTL follows (docs/verification.md).
import type { BlockShape } from '../mapping/block.js';
import { emissionOrder, type Schedule } from '../memory/schedule.js';
import type { ReferenceResult } from '../reference/mapped.js';
import type { Trace } from './trace.js';

export type MismatchKind = 'memory' | 'adc' | 'timing' | 'handshake' | 'activation' | 'output' | 'incomplete';

export interface Mismatch {
  kind: MismatchKind;
  /** Core id (c00, ...) or null for the network output. */
  core: string | null;
  layer: string | null;
  /** Timestep of the RTL event (null when the RTL never produced it). */
  timestep: number | null;
  /** For memory: the schedule's timestep of the expected access. */
  scheduleTimestep: number | null;
  /** What was compared, e.g. "read 12 (word)" or "activation (y 3, x 1, channel 2)". */
  what: string;
  expected: number | null;
  actual: number | null;
}

export interface CoreInfo {
  id: string;
  index: number;
  layer: string;
  /** True for cores with a neuron core (they emit activations). */
  emits: boolean;
  /** Words of the core's input memory: every access the RTL issues must lie below it. */
  depth: number;
}

export interface Comparison {
  comparisons: number;
  mismatches: number;
  firstMismatch: Mismatch | null;
  /** Every mismatch kind's count, for the report. */
  byKind: Record<MismatchKind, number>;
}

const KIND_ORDER: Record<MismatchKind, number> = { memory: 0, adc: 1, timing: 2, handshake: 3, activation: 4, output: 5, incomplete: 6 };

export class Tally {
  comparisons = 0;
  mismatches = 0;
  first: Mismatch | null = null;
  byKind: Record<MismatchKind, number> = { memory: 0, adc: 0, timing: 0, handshake: 0, activation: 0, output: 0, incomplete: 0 };

  check(equal: boolean, mismatch: () => Mismatch): void {
    this.comparisons++;
    if (!equal) this.fail(mismatch());
  }

  fail(m: Mismatch): void {
    this.mismatches++;
    this.byKind[m.kind]++;
    if (this.first === null || earlier(m, this.first)) this.first = m;
  }

  /**
   * Adds a whole comparison run after the ones before it (an integrate-and-fire timestep's): its first mismatch,
   * relabelled, counts only when no earlier run had one, since each run counts its timesteps from 0 again.
   */
  merge(c: Comparison, relabel: (m: Mismatch) => Mismatch): void {
    this.comparisons += c.comparisons;
    this.mismatches += c.mismatches;
    for (const kind of Object.keys(c.byKind) as MismatchKind[]) this.byKind[kind] += c.byKind[kind];
    if (this.first === null && c.firstMismatch !== null) this.first = relabel(c.firstMismatch);
  }

  result(): Comparison {
    return { comparisons: this.comparisons, mismatches: this.mismatches, firstMismatch: this.first, byKind: this.byKind };
  }
}

function earlier(a: Mismatch, b: Mismatch): boolean {
  const ta = a.timestep ?? Number.POSITIVE_INFINITY;
  const tb = b.timestep ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb;
  return KIND_ORDER[a.kind] < KIND_ORDER[b.kind];
}

interface ExpectedAccess {
  word: number;
  t: number;
}

/**
 * The word accesses of a schedule: every W / R operation touches its words word..lastWord in order. Image k of a
 * stream (images back to back) finds its pixel (y, x) at ring column x + k * width: its words are the schedule's with
 * that column's Δpix (the schedule describes image 0).
 */
export function scheduleAccesses(schedule: Schedule, image = 0): { writes: ExpectedAccess[]; reads: ExpectedAccess[] } {
  const { deltaKernelBits, deltaPixBits, columns, width, wordBits, pixelBits } = schedule.header;
  const writes: ExpectedAccess[] = [];
  const reads: ExpectedAccess[] = [];
  for (const op of schedule.ops) {
    if (op.op !== 'W' && op.op !== 'R') continue;
    const list = op.op === 'W' ? writes : reads;
    const bit = image === 0 ? 0 : op.y * deltaKernelBits + deltaPixBits[(op.x + image * width) % columns];
    const [first, last] = image === 0 ? [op.word!, op.lastWord!] : [Math.floor(bit / wordBits), Math.floor((bit + pixelBits - 1) / wordBits)];
    for (let w = first; w <= last; w++) list.push({ word: w, t: op.t });
  }
  return { writes, reads };
}

/** The core's accesses against its schedule's (of image `image` of a stream: scheduleAccesses), one by one. */
function compareMemory(tally: Tally, core: CoreInfo, schedule: Schedule, trace: Trace, image: number): void {
  const expected = scheduleAccesses(schedule, image);
  const events = trace.memory.get(core.index) ?? [];
  // An address past the memory's end wraps or is lost in real SRAM: checked on every access, whatever the schedule
  // says (a failure only: the comparisons counted are those against the golden).
  events.forEach((a, i) => {
    if (a.word >= 0 && a.word < core.depth) return;
    tally.fail({
      kind: 'memory',
      core: core.id,
      layer: core.layer,
      timestep: a.t,
      scheduleTimestep: null,
      what: `access ${i} (${a.write ? 'write' : 'read'}): word address beyond the memory's depth of ${core.depth} words`,
      expected: null,
      actual: a.word,
    });
  });
  for (const write of [true, false]) {
    const exp = write ? expected.writes : expected.reads;
    const act = events.filter((e) => e.write === write);
    const label = write ? 'write' : 'read';
    const n = Math.max(exp.length, act.length);
    for (let i = 0; i < n; i++) {
      const e = exp[i];
      const a = act[i];
      tally.check(e !== undefined && a !== undefined && e.word === a.word, () => ({
        kind: 'memory',
        core: core.id,
        layer: core.layer,
        timestep: a?.t ?? null,
        scheduleTimestep: e?.t ?? null,
        what: `${label} ${i} (word address)${e === undefined ? ': not in the schedule' : a === undefined ? ': never issued' : ''}`,
        expected: e?.word ?? null,
        actual: a?.word ?? null,
      }));
    }
  }
}

function compareAdc(tally: Tally, core: CoreInfo, reference: ReferenceResult, trace: Trace): void {
  const rec = reference.cores?.find((c) => c.core === core.id);
  if (!rec) throw new Error(`verify: the reference recorded no columns for core ${core.id}`);
  const events = trace.adc.get(core.index) ?? [];
  const n = Math.max(rec.postAdc.length, events.length);
  for (let i = 0; i < n; i++) {
    const e = i < rec.postAdc.length ? rec.postAdc[i] : undefined;
    const a = events[i];
    const column = i % rec.columns;
    const block = Math.floor(i / rec.columns);
    tally.check(e !== undefined && a !== undefined && a.column === column && a.value === e, () => ({
      kind: 'adc',
      core: core.id,
      layer: core.layer,
      timestep: a?.t ?? null,
      scheduleTimestep: null,
      what: `ADC output of block ${block}, column ${column}${e === undefined ? ': not in the reference' : a === undefined ? ': never produced' : ''}`,
      expected: e ?? null,
      actual: a?.value ?? null,
    }));
  }
}

/**
 * The timestep of each of the core's crossbar operations (the first ADC output of each, `columns` outputs per
 * operation) against the dataflow model's, in order.
 */
function compareTiming(tally: Tally, core: CoreInfo, columns: number, expected: readonly number[], trace: Trace): void {
  const events = trace.adc.get(core.index) ?? [];
  const operations = Math.ceil(events.length / columns);
  const n = Math.max(expected.length, operations);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = i < operations ? events[i * columns].t : undefined;
    tally.check(e !== undefined && a !== undefined && a === e, () => ({
      kind: 'timing',
      core: core.id,
      layer: core.layer,
      timestep: a ?? null,
      scheduleTimestep: null,
      what: `timestep of crossbar operation ${i}${e === undefined ? ': not in the dataflow model' : a === undefined ? ': never computed' : ''}`,
      expected: e ?? null,
      actual: a ?? null,
    }));
  }
}

function compareActivations(tally: Tally, cores: CoreInfo[], reference: ReferenceResult, trace: Trace): void {
  const coreByIndex = new Map(cores.map((c) => [c.index, c]));
  const seen = new Map<string, Uint8Array>();
  for (const layer of reference.layers) seen.set(layer.layer, new Uint8Array(layer.activations.length));
  const layerByName = new Map(reference.layers.map((l) => [l.layer, l]));
  for (const ev of trace.activations) {
    const core = coreByIndex.get(ev.core);
    const layer = core ? layerByName.get(core.layer) : undefined;
    const base = {
      kind: 'activation' as const,
      core: core?.id ?? `#${ev.core}`,
      layer: core?.layer ?? null,
      timestep: ev.t,
      scheduleTimestep: null,
      what: `activation (y ${ev.y}, x ${ev.x}, channel ${ev.channel})`,
    };
    if (!core || !layer) {
      tally.fail({ ...base, what: `${base.what}: from an unknown core`, expected: null, actual: ev.value });
      continue;
    }
    const { channels, height, width } = layer.shape;
    const inside = ev.channel >= 0 && ev.channel < channels && ev.y >= 0 && ev.y < height && ev.x >= 0 && ev.x < width;
    const index = (ev.channel * height + ev.y) * width + ev.x;
    const marks = seen.get(core.layer)!;
    if (!inside || marks[index] === 1) {
      tally.fail({ ...base, what: `${base.what}: ${inside ? 'emitted twice' : 'outside the layer output'}`, expected: null, actual: ev.value });
      continue;
    }
    marks[index] = 1;
    const expected = layer.activations[index];
    tally.check(expected === ev.value, () => ({ ...base, expected, actual: ev.value }));
  }
  for (const layer of reference.layers) {
    const marks = seen.get(layer.layer)!;
    const { height, width } = layer.shape;
    for (let i = 0; i < marks.length; i++) {
      if (marks[i] === 1) continue;
      const channel = Math.floor(i / (height * width));
      const y = Math.floor((i % (height * width)) / width);
      const x = i % width;
      const owner = cores.find((c) => c.layer === layer.layer && c.emits);
      tally.check(false, () => ({
        kind: 'activation',
        core: owner?.id ?? null,
        layer: layer.layer,
        timestep: null,
        scheduleTimestep: null,
        what: `activation (y ${y}, x ${x}, channel ${channel}): never emitted`,
        expected: layer.activations[i],
        actual: null,
      }));
    }
  }
}

function compareOutputs(
  tally: Tally,
  reference: ReferenceResult,
  outputShape: { channels: number; height: number; width: number },
  outputBlock: BlockShape,
  trace: Trace,
): void {
  const { channels, height, width } = outputShape;
  // Output pixels arrive in the output layer's emission order (blocks of a replicated layer, y fastest inside).
  const order = emissionOrder(height, width, outputBlock);
  const got = new Map<number, number>();
  for (const o of trace.outputs) {
    const at = order[o.pixel];
    if (!at) {
      tally.fail({
        kind: 'output',
        core: null,
        layer: null,
        timestep: null,
        scheduleTimestep: null,
        what: `network output pixel ${o.pixel}, channel ${o.channel}: past the image's ${order.length} output pixels`,
        expected: null,
        actual: o.value,
      });
      continue;
    }
    got.set((o.channel * height + at.y) * width + at.x, o.value);
  }
  for (let i = 0; i < channels * height * width; i++) {
    const actual = got.get(i);
    tally.check(actual === reference.output[i], () => ({
      kind: 'output',
      core: null,
      layer: null,
      timestep: null,
      scheduleTimestep: null,
      what: `network output ${i}${actual === undefined ? ': never produced' : ''}`,
      expected: reference.output[i],
      actual: actual ?? null,
    }));
  }
}

/**
 * Why a run did not finish: the RTL check that stopped it (trace.stopped, e.g. a shortcut FIFO overflow); else the
 * first core, in pipeline order, that issued fewer memory accesses than its schedule holds (later cores starve behind
 * it), with the state it stopped in; or the network output when every core did.
 */
export function stallReport(trace: Trace, cores: CoreInfo[], schedules: Map<string, Schedule>): Mismatch {
  if (trace.stopped) {
    const { core, message } = trace.stopped;
    const layer = cores.find((c) => c.id === core)?.layer ?? null;
    return {
      kind: 'incomplete',
      core,
      layer,
      timestep: trace.timesteps,
      scheduleTimestep: null,
      what: `the RTL stopped the simulation${trace.cycles > 0 ? ` at cycle ${trace.cycles}` : ''}: core ${core}${layer === null ? '' : ` (layer ${layer})`}: ${message}`,
      expected: null,
      actual: null,
    };
  }
  const unfinished = `the simulation did not finish within ${trace.cycles} cycles`;
  for (const core of [...cores].sort((a, b) => a.index - b.index)) {
    const schedule = schedules.get(core.id);
    if (!schedule) continue;
    const expected = scheduleAccesses(schedule);
    const events = trace.memory.get(core.index) ?? [];
    const writes = events.filter((e) => e.write).length;
    const reads = events.length - writes;
    if (writes >= expected.writes.length && reads >= expected.reads.length) continue;
    const state = writes < expected.writes.length ? 'waiting for input (its pixel writes stopped)' : 'waiting to compute (its reads stopped)';
    const last = events.length > 0 ? `, last access in timestep ${events[events.length - 1].t}` : ', no access at all';
    return {
      kind: 'incomplete',
      core: core.id,
      layer: core.layer,
      timestep: trace.timesteps,
      scheduleTimestep: null,
      what:
        `${unfinished}: core ${core.id} (layer ${core.layer}) stalled ${state}: ${writes} of ${expected.writes.length} writes and ` +
        `${reads} of ${expected.reads.length} reads issued${last}`,
      expected: expected.writes.length + expected.reads.length,
      actual: events.length,
    };
  }
  return {
    kind: 'incomplete',
    core: null,
    layer: null,
    timestep: trace.timesteps,
    scheduleTimestep: null,
    what: `${unfinished}: every core issued its whole schedule; the network output is incomplete`,
    expected: null,
    actual: null,
  };
}

export function compareTrace(
  trace: Trace,
  cores: CoreInfo[],
  schedules: Map<string, Schedule>,
  reference: ReferenceResult,
  outputShape: { channels: number; height: number; width: number },
  outputBlock: BlockShape = { rows: 1, cols: 1 },
  /** Per core, the dataflow model's timestep of each crossbar operation (none: timesteps are not compared). */
  operationTimesteps?: ReadonlyMap<string, readonly number[]>,
  /** Which image of a stream the trace holds (its ring columns are shifted: scheduleAccesses). */
  image = 0,
): Comparison {
  const tally = new Tally();
  if (!trace.done) tally.fail(stallReport(trace, cores, schedules));
  for (const h of trace.handshakes) {
    const core = cores.find((c) => c.index === h.core);
    tally.fail({
      kind: 'handshake',
      core: core?.id ?? null,
      layer: core?.layer ?? null,
      timestep: h.t,
      scheduleTimestep: null,
      what: 'the neuron core started before the partial sums of its row parts were ready',
      expected: null,
      actual: null,
    });
  }
  for (const core of cores) {
    const schedule = schedules.get(core.id);
    if (!schedule) throw new Error(`verify: no schedule for core ${core.id}`);
    compareMemory(tally, core, schedule, trace, image);
    compareAdc(tally, core, reference, trace);
    const timesteps = operationTimesteps?.get(core.id);
    if (timesteps !== undefined) compareTiming(tally, core, reference.cores?.find((c) => c.core === core.id)?.columns ?? 1, timesteps, trace);
  }
  compareActivations(tally, cores, reference, trace);
  compareOutputs(tally, reference, outputShape, outputBlock, trace);
  return tally.result();
}
