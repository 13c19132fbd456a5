// The per-timestep, per-core activity trace (imcc simulate --trace FILE): one line per timestep from the first
// image's entry to the last image's output, listing the cores whose crossbar computes in it and how many pixels.
import type { DataflowResult } from './types.js';
import { forEachBusyTimestep } from './activity.js';
import { renderTemplate } from '../support/templates.js';

export function traceLines(result: DataflowResult): string[] {
  const activity = result.activity;
  if (activity === undefined) throw new Error('dataflow trace: simulate with { activity: true } to record activity');
  const end = result.imageOutputs[result.imageOutputs.length - 1];
  const perTimestep: string[][] = Array.from({ length: end + 1 }, () => []);
  // Cores in pipeline order (the mapping's order), so each line lists them in the same order.
  for (const core of activity) forEachBusyTimestep(core, (t, pixels) => perTimestep[t].push(`${core.core}:${pixels}`));
  return perTimestep.map((cores, t) => (cores.length > 0 ? `${t} ${cores.join(' ')}` : String(t)));
}

export function formatTrace(result: DataflowResult, title: string): string {
  const activity = result.activity ?? [];
  const coreIndex = new Map(activity.map((c, i) => [c.core, i]));
  const cores = [...activity].sort((a, b) => a.core.localeCompare(b.core) || coreIndex.get(a.core)! - coreIndex.get(b.core)!);
  return renderTemplate('dataflow/trace.txt.hbs', {
    title,
    batch: result.batch,
    coreCount: cores.length,
    timestepNs: result.timestepNs,
    granularity: result.granularity,
    imageRows: result.imageStarts.map((s, i) => `image ${i}: enters ${s}, output ${result.imageOutputs[i]}`),
    coreRows: cores.map((c) => `${c.core} ${c.layer}`),
    lines: traceLines(result),
  });
}
