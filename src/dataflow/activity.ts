// A core's activity trace in compact form: runs of consecutive busy timesteps that compute the same number of pixels,
// in typed arrays. A 4096x4096 input keeps a core busy for 16.7 million timesteps per image; as JS arrays with one
// entry per timestep the report's three-image trace took most of compile's 3 GB, as runs it is a few entries per
// image column.
import type { CoreActivity } from './types.js';

/** Builds a CoreActivity from the simulator's computations, one timestep at a time, in increasing timesteps. */
export class ActivityRecorder {
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private pixels = new Int32Array(64);
  private runs = 0;
  /** The timestep being recorded (its pixel count may still grow) and its pixels; -1: none yet. */
  private openTimestep = -1;
  private openPixels = 0;

  constructor(
    readonly core: string,
    readonly layer: string,
  ) {}

  /** The core computes PIXELS pixels in TIMESTEP, later than any recorded so far. */
  begin(timestep: number, pixels: number): void {
    this.close();
    this.openTimestep = timestep;
    this.openPixels = pixels;
  }

  /** The core computes PIXELS more pixels in the timestep last begun. */
  add(pixels: number): void {
    this.openPixels += pixels;
  }

  finish(): CoreActivity {
    this.close();
    const n = this.runs;
    return { core: this.core, layer: this.layer, starts: this.starts.slice(0, n), lengths: this.lengths.slice(0, n), pixels: this.pixels.slice(0, n) };
  }

  private close(): void {
    const t = this.openTimestep;
    if (t < 0) return;
    this.openTimestep = -1;
    const last = this.runs - 1;
    if (last >= 0 && this.starts[last] + this.lengths[last] === t && this.pixels[last] === this.openPixels) {
      this.lengths[last]++;
      return;
    }
    if (this.runs === this.starts.length) this.grow();
    this.starts[this.runs] = t;
    this.lengths[this.runs] = 1;
    this.pixels[this.runs] = this.openPixels;
    this.runs++;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const widen = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.starts = widen(this.starts);
    this.lengths = widen(this.lengths);
    this.pixels = widen(this.pixels);
  }
}

/** Calls VISIT for every busy timestep of ACTIVITY, in order, with the pixels computed in it. */
export function forEachBusyTimestep(activity: CoreActivity, visit: (timestep: number, pixels: number) => void): void {
  for (let r = 0; r < activity.starts.length; r++) {
    for (let t = activity.starts[r], end = t + activity.lengths[r]; t < end; t++) visit(t, activity.pixels[r]);
  }
}

/** The busy timesteps of ACTIVITY, one entry each (for small traces: it is as long as the core is busy). */
export function busyTimesteps(activity: CoreActivity): number[] {
  const out: number[] = [];
  forEachBusyTimestep(activity, (t) => out.push(t));
  return out;
}

/** Pixels ACTIVITY computes in all. */
export function activityPixels(activity: CoreActivity): number {
  let sum = 0;
  for (let r = 0; r < activity.starts.length; r++) sum += activity.lengths[r] * activity.pixels[r];
  return sum;
}
