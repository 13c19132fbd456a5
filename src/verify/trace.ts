// The testbench's trace (templates/tb/testbench.cpp.hbs), parsed. One line per event:
//   M <timestep> <core> <W|R> <word>            a memory access issued by a core's controller
//   X <timestep> <core> <column> <value>         an ADC output of a core's crossbar (one line per column per MVM)
//   A <timestep> <core> <y> <x> <channel> <value> an activation a neuron core emitted
//   O <pixel> <channel> <value>                 a network output value (pixels in arrival order)
//   H <timestep> <core>                         a neuron core started before its partial sums were ready
//   E <cycles> <timesteps> <done>               end of the run
//   P <timestep>                                integrate-and-fire designs: the image's next timestep starts

export interface MemoryEvent {
  t: number;
  write: boolean;
  word: number;
}

export interface AdcEvent {
  t: number;
  column: number;
  value: number;
}

export interface ActivationEvent {
  t: number;
  core: number;
  y: number;
  x: number;
  channel: number;
  value: number;
}

export interface OutputEvent {
  pixel: number;
  channel: number;
  value: number;
}

export interface Trace {
  /** By core index. */
  memory: Map<number, MemoryEvent[]>;
  adc: Map<number, AdcEvent[]>;
  activations: ActivationEvent[];
  outputs: OutputEvent[];
  /** Partial-sum handshake violations: timestep and core index. */
  handshakes: Array<{ t: number; core: number }>;
  cycles: number;
  timesteps: number;
  done: boolean;
  /** The RTL's own check that ended the run ($finish after a `core <id>: <message>` line, e.g. a FIFO overflow). */
  stopped?: { core: string; message: string };
  /**
   * Integrate-and-fire designs (P lines): each of the image's timesteps' own events, in order; the trace itself holds
   * them all. A timestep another one follows is complete (done).
   */
  ifSteps?: Trace[];
}

function emptyTrace(): Trace {
  return { memory: new Map(), adc: new Map(), activations: [], outputs: [], handshakes: [], cycles: 0, timesteps: 0, done: false };
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The trace file's events, and `output` (the testbench's standard output) for the RTL check that stopped the run, if
 * any: the check's line is on the trace and on the integrate-and-fire timestep it stopped in.
 */
export function parseTrace(text: string, output = ''): Trace {
  const trace = emptyTrace();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    if (f[0] === 'P') {
      trace.ifSteps ??= [];
      const previous = trace.ifSteps[trace.ifSteps.length - 1];
      if (previous) previous.done = true;
      trace.ifSteps.push(emptyTrace());
      continue;
    }
    apply(trace, f, line);
    const current = trace.ifSteps?.[trace.ifSteps.length - 1];
    if (current) apply(current, f, line);
  }
  const stop = /^core (\S+): (.+)$/m.exec(output);
  if (stop) {
    trace.stopped = { core: stop[1], message: stop[2].trim() };
    // Two checks failing in one cycle: the second $finish ends the process before the testbench writes its end line;
    // the events still say how far the run got.
    if (trace.timesteps === 0) {
      const times = [...[...trace.memory.values()].flat(), ...trace.activations].map((e) => e.t);
      trace.timesteps = times.reduce((a, t) => Math.max(a, t + 1), 0);
    }
    const current = trace.ifSteps?.[trace.ifSteps.length - 1];
    if (current) current.stopped = trace.stopped;
  }
  return trace;
}

/** One event line `f` (fields of `line`) into `trace`. */
function apply(trace: Trace, f: string[], line: string): void {
  switch (f[0]) {
    case 'M':
      push(trace.memory, Number(f[2]), { t: Number(f[1]), write: f[3] === 'W', word: Number(f[4]) });
      break;
    case 'X':
      push(trace.adc, Number(f[2]), { t: Number(f[1]), column: Number(f[3]), value: Number(f[4]) });
      break;
    case 'A':
      trace.activations.push({
        t: Number(f[1]),
        core: Number(f[2]),
        y: Number(f[3]),
        x: Number(f[4]),
        channel: Number(f[5]),
        value: Number(f[6]),
      });
      break;
    case 'O':
      trace.outputs.push({ pixel: Number(f[1]), channel: Number(f[2]), value: Number(f[3]) });
      break;
    case 'H':
      trace.handshakes.push({ t: Number(f[1]), core: Number(f[2]) });
      break;
    case 'E':
      trace.cycles = Number(f[1]);
      trace.timesteps = Number(f[2]) + 1;
      trace.done = f[3] === '1';
      break;
    default:
      throw new Error(`verify: unexpected trace line: ${line}`);
  }
}
