// Images streamed back to back through one simulation (imcc verify --stream): the trace's events carry no image
// number, so they are attributed by order. Per core, an image's writes, reads and ADC outputs are as many as its
// schedule (a later image's ring columns are shifted, and a pixel may span another number of words there) and the
// reference hold; an activation is the k-th emission of its layer's position (y, x, channel) for
// image k (one outside its layer's plane, which has no such count, belongs to the image of its core's last crossbar
// operation by then); network outputs are
// numbered over the stream, one image's pixels after the other. Each image's events then
// form a trace of their own that compareTrace checks against that image's reference.
import type { Trace } from './trace.js';

/** Events of each image, per core: the schedule's writes and reads (one count per image) and the reference's ADC outputs. */
export interface ImageEventCounts {
  writes: ReadonlyMap<number, readonly number[]>;
  reads: ReadonlyMap<number, readonly number[]>;
  adc: ReadonlyMap<number, number>;
  /** Output pixels of one image (each carries every channel). */
  outputPixels: number;
  /** The layer whose activations a core emits, by core index. */
  layerOf: ReadonlyMap<number, string>;
  /** Each layer's output plane. */
  planes: ReadonlyMap<string, { channels: number; height: number; width: number }>;
}

function emptyImageTrace(stream: Trace): Trace {
  return { memory: new Map(), adc: new Map(), activations: [], outputs: [], handshakes: [], cycles: stream.cycles, timesteps: stream.timesteps, done: true };
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The stream trace's events as `images` traces, one per image. Events past the last image's share stay in the last
 * trace, where they show as extra (not in the schedule or reference, emitted twice, an output past the image). The
 * stream's end (done, the RTL check that stopped it) belongs to the first image some core's accesses fall short in,
 * else to the last; handshake violations, which say no more than a timestep, are the first image's.
 */
export function splitStream(stream: Trace, images: number, counts: ImageEventCounts): Trace[] {
  const traces = Array.from({ length: images }, () => emptyImageTrace(stream));
  const last = images - 1;
  const share = (i: number, perImage: number): number => (perImage === 0 ? last : Math.min(last, Math.floor(i / perImage)));
  // The image of a core's i-th access, each image taking its count.
  const accessImage = (i: number, perImage: readonly number[] | undefined): number => {
    let end = 0;
    for (let k = 0; k < last; k++) {
      end += perImage?.[k] ?? 0;
      if (i < end) return k;
    }
    return last;
  };
  for (const [core, events] of stream.memory) {
    let writes = 0;
    let reads = 0;
    for (const e of events) {
      const image = e.write ? accessImage(writes++, counts.writes.get(core)) : accessImage(reads++, counts.reads.get(core));
      push(traces[image].memory, core, e);
    }
  }
  for (const [core, events] of stream.adc) {
    events.forEach((e, i) => push(traces[share(i, counts.adc.get(core) ?? 0)].adc, core, e));
  }
  // The image of a core's last crossbar operation at or before timestep t (asked in trace order, so a cursor per core).
  const seenOperations = new Map<number, number>();
  const operationImage = (core: number, t: number): number => {
    const events = stream.adc.get(core) ?? [];
    let i = seenOperations.get(core) ?? 0;
    while (i < events.length && events[i].t <= t) i++;
    seenOperations.set(core, i);
    return i === 0 ? 0 : share(i - 1, counts.adc.get(core) ?? 0);
  };
  const emitted = new Map<string, number>();
  for (const a of stream.activations) {
    const layer = counts.layerOf.get(a.core);
    const plane = layer === undefined ? undefined : counts.planes.get(layer);
    const inside = plane !== undefined && a.channel >= 0 && a.channel < plane.channels && a.y >= 0 && a.y < plane.height && a.x >= 0 && a.x < plane.width;
    const key = `${layer} ${a.y} ${a.x} ${a.channel}`;
    const image = inside ? Math.min(last, emitted.get(key) ?? 0) : operationImage(a.core, a.t);
    if (inside) emitted.set(key, image + 1);
    traces[image].activations.push(a);
  }
  for (const o of stream.outputs) {
    const image = share(o.pixel, counts.outputPixels);
    traces[image].outputs.push({ ...o, pixel: o.pixel - image * counts.outputPixels });
  }
  traces[0].handshakes.push(...stream.handshakes);
  const shortOf = (t: Trace, k: number): boolean =>
    [...counts.writes].some(([core, n]) => (t.memory.get(core) ?? []).filter((e) => e.write).length < n[k]) ||
    [...counts.reads].some(([core, n]) => (t.memory.get(core) ?? []).filter((e) => !e.write).length < n[k]);
  const short = stream.done ? -1 : traces.findIndex(shortOf);
  const end = traces[short === -1 ? last : short];
  end.done = stream.done;
  if (stream.stopped) end.stopped = stream.stopped;
  return traces;
}
