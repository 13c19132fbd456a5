// imcc verify --trace: a VCD of the RTL around the first mismatch (or of a whole short run) and the memory addresses
// each core's controller issued in the same timesteps. The traced binary (Verilator --trace) first runs without a
// VCD like any verification; once the comparison has found the first mismatch, it runs again writing only the
// window's timesteps, so the VCD stays small.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ToolError } from '../diagnostics/index.js';
import type { Mapping } from '../mapping/types.js';
import { renderTemplate } from '../support/templates.js';
import type { Trace } from './trace.js';
import { runSimulation } from './verilator.js';

/** A passing run is dumped whole when it is at most this many timesteps (LeNet: about 800), else its start. */
export const WHOLE_RUN_TIMESTEPS = 2000;

export interface WaveformOptions {
  /** Timesteps kept on each side of the first mismatch. */
  window: number;
  /** Directory the VCD and the address trace are written to (created). */
  dir: string;
}

export interface Waveform {
  vcd: string;
  addresses: string;
  /** First and last timestep in the VCD. */
  first: number;
  last: number;
}

/** The timesteps to dump: around the mismatch, or the whole run (the start of a long one) when there is none. */
export function waveformWindow(mismatchTimestep: number | null, timesteps: number, window: number): { first: number; last: number } {
  if (mismatchTimestep !== null) return { first: Math.max(0, mismatchTimestep - window), last: mismatchTimestep + window };
  // A run of N timesteps computes in timesteps 0..N-1.
  return { first: 0, last: Math.max(0, Math.min(timesteps, WHOLE_RUN_TIMESTEPS) - 1) };
}

function addressLines(trace: Trace, mapping: Mapping, first: number, last: number): string[] {
  const lines: string[] = [];
  for (const core of mapping.cores) {
    for (const e of trace.memory.get(core.index) ?? []) {
      if (e.t >= first && e.t <= last) lines.push(`${e.t} ${core.id} ${e.write ? 'W' : 'R'} ${e.word}`);
    }
  }
  return lines;
}

/** Runs the traced binary again with a VCD window and writes wave.vcd and addresses.txt into options.dir. */
export async function recordWaveform(
  run: { binary: string; rtlDir: string; image: Int32Array; maxCycles: number; extraArgs?: readonly string[] },
  trace: Trace,
  mapping: Mapping,
  window: { first: number; last: number },
  options: WaveformOptions,
): Promise<Waveform> {
  const dir = resolve(options.dir);
  const vcd = join(dir, 'wave.vcd');
  const addresses = join(dir, 'addresses.txt');
  const partial = `${vcd}.tmp-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'imcc-wave-'));
  try {
    mkdirSync(dir, { recursive: true });
    const imagePath = join(work, 'image.txt');
    writeFileSync(imagePath, Array.from(run.image).join('\n') + '\n');
    const result = await runSimulation(
      run.binary,
      [imagePath, join(work, 'trace.txt'), String(run.maxCycles), partial, String(window.first), String(window.last), ...(run.extraArgs ?? [])],
      resolve(run.rtlDir),
    );
    if (!existsSync(partial)) throw new Error(`the simulation wrote no VCD: ${result.stderr.trim()}`);
    renameSync(partial, vcd);
    writeFileSync(
      addresses,
      renderTemplate('tb/addresses.txt.hbs', { ...window, lines: addressLines(trace, mapping, window.first, window.last) }),
    );
  } catch (err) {
    try {
      rmSync(partial, { force: true });
    } catch {
      // the directory itself could not be made: there is no partial VCD to remove
    }
    throw new ToolError('IMC172', { dir: options.dir, reason: err instanceof Error ? err.message : String(err) });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // Paths as the user gave the directory, for the message.
  return { vcd: join(options.dir, 'wave.vcd'), addresses: join(options.dir, 'addresses.txt'), ...window };
}
