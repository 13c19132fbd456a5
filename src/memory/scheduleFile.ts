// The `.sched` text form of a core's input-memory schedule (templates/schedule/schedule.sched.hbs), its JSON form
// (schemas/schedule.schema.json) and the parser `imcc diff` reads it back with. Grammar (docs/memory.md "Schedules (Algorithm 2)"):
//
//   imcc-schedule 1
//   <key> <value>                         header, fixed key order (SCHEDULE_HEADER_KEYS)
//   --
//   <t> W <y>,<x> word=<w>[..<w2>] bit=<b>                  write an arriving pixel
//   <t> C blk=<n> out=<oy>,<ox> active=<a>                  computation n starts (block's first output pixel)
//   <t> R <y>,<x> word=<w>[..<w2>] bit=<b> blk=<n> at=<dy>,<dx>   read a pixel of the block's input region
//   <t> Z <y>,<x> blk=<n> at=<dy>,<dx>                      zero (padding / idle replica), no memory access
import type { CoreMemoryPlan, MemoryPlan } from './plan.js';
import { streamSchedule, type MemoryOp, type Schedule, type ScheduleHeader, type StreamedSchedule } from './schedule.js';
import type { StreamedContent } from '../support/files.js';
import { OpLineWriter } from './scheduleBytes.js';
import { renderTemplate } from '../support/templates.js';
import { validateJson } from '../support/schema.js';

import { SCHEDULE_FORMAT_VERSION } from './scheduleText.js';

export { SCHEDULE_FORMAT_VERSION };

/** Header keys in file order, each with how its value is printed. */
export const SCHEDULE_HEADER_KEYS = [
  'layer',
  'core',
  'layout',
  'word-bits',
  'depth',
  'words',
  'pixel-bits',
  'channels',
  'activation-bits',
  'input',
  'columns',
  'kernel',
  'stride',
  'padding',
  'output',
  'replicas',
  'method',
  'dW',
  'arrivals-per-timestep',
  'delta-kernel-bits',
  'delta-pix-bits',
  'min-occupancy',
  'ops',
] as const;

export function headerFields(h: ScheduleHeader, opCount: number): Array<{ key: string; value: string }> {
  const values: Record<(typeof SCHEDULE_HEADER_KEYS)[number], string> = {
    layer: h.layer,
    core: h.core,
    layout: h.layout,
    'word-bits': String(h.wordBits),
    depth: String(h.depth),
    words: String(h.words),
    'pixel-bits': String(h.pixelBits),
    channels: String(h.channels),
    'activation-bits': String(h.activationBits),
    input: `${h.height}x${h.width}`,
    columns: String(h.columns),
    kernel: `${h.kernelHeight}x${h.kernelWidth}`,
    stride: String(h.stride),
    padding: String(h.padding),
    output: `${h.outputHeight}x${h.outputWidth}`,
    replicas: String(h.replicas),
    method: String(h.method),
    dW: String(h.dW),
    'arrivals-per-timestep': String(h.arrivalsPerTimestep),
    'delta-kernel-bits': String(h.deltaKernelBits),
    'delta-pix-bits': h.deltaPixBits.join(' '),
    'min-occupancy': String(h.minOccupancy),
    ops: String(opCount),
  };
  return SCHEDULE_HEADER_KEYS.map((key) => ({ key, value: values[key] }));
}

/** One operation line of the grammar above. */
export function opLine(o: MemoryOp): string {
  const words = o.word === o.lastWord ? `${o.word}` : `${o.word}..${o.lastWord}`;
  switch (o.op) {
    case 'W':
      return `${o.t} W ${o.y},${o.x} word=${words} bit=${o.bit}`;
    case 'C':
      return `${o.t} C blk=${o.block} out=${o.y},${o.x} active=${o.active}`;
    case 'R':
      return `${o.t} R ${o.y},${o.x} word=${words} bit=${o.bit} blk=${o.block} at=${o.dy},${o.dx}`;
    case 'Z':
      return `${o.t} Z ${o.y},${o.x} blk=${o.block} at=${o.dy},${o.dx}`;
  }
}

/** The `.sched` text of one core's schedule. */
export function renderSchedule(s: Schedule): string {
  return renderTemplate('schedule/schedule.sched.hbs', {
    version: SCHEDULE_FORMAT_VERSION,
    header: headerFields(s.header, s.ops.length),
    ops: s.ops.map(opLine),
  });
}

/**
 * renderSchedule's text, handed to `sink` in chunks of about a megabyte as the operations are produced: the
 * template renders the header (with no operations), the operation lines follow in the template's form (one per line),
 * written as bytes (OpLineWriter). A chunk is reused once `sink` returns.
 */
export function streamScheduleText(s: StreamedSchedule, sink: (chunk: Uint8Array) => void): void {
  sink(Buffer.from(renderTemplate('schedule/schedule.sched.hbs', { version: SCHEDULE_FORMAT_VERSION, header: headerFields(s.header, s.opCount), ops: [] }), 'utf8'));
  const writer = new OpLineWriter(sink);
  s.forEachOp((o) => writer.line(o));
  writer.flush();
}

/** A core's `.sched` file as streamed content: built while it is written, again on every write. */
export function streamedScheduleContent(planned: CoreMemoryPlan): StreamedContent {
  return { stream: (sink) => streamScheduleText(streamSchedule(planned.params, planned), sink) };
}

/** Every core's schedule file, `schedules/<core>.sched`, in core order (for `imcc compile`), streamed. */
export function scheduleFiles(plan: MemoryPlan): Array<{ path: string; content: StreamedContent }> {
  return plan.cores.map((c) => ({ path: `schedules/${c.core}.sched`, content: streamedScheduleContent(c) }));
}

/** JSON form of one or more schedules, validated against schemas/schedule.schema.json. */
export function schedulesJson(schedules: readonly Schedule[]): object {
  const value = {
    version: SCHEDULE_FORMAT_VERSION,
    schedules: schedules.map((s) => ({
      header: { ...s.header, deltaPixBits: [...s.header.deltaPixBits] },
      ops: s.ops.map((o) => {
        const out: Record<string, number | string> = { t: o.t, op: o.op, y: o.y, x: o.x };
        if (o.word !== undefined) out.word = o.word;
        if (o.lastWord !== undefined) out.lastWord = o.lastWord;
        if (o.bit !== undefined) out.bit = o.bit;
        if (o.block !== undefined) out.block = o.block;
        if (o.dy !== undefined) out.dy = o.dy;
        if (o.dx !== undefined) out.dx = o.dx;
        if (o.active !== undefined) out.active = o.active;
        return out;
      }),
    })),
  };
  validateJson('schedule', value);
  return value;
}

export { parseScheduleText, splitScheduleTexts, ScheduleFormatError, type ScheduleText } from './scheduleText.js';
