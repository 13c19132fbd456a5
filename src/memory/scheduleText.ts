// Reading `.sched` text back (for `imcc diff`), apart from the renderer so reading pulls in no template engine,
// schema validator or memory planner. Grammar: src/memory/scheduleFile.ts and docs/memory.md "Schedules (Algorithm 2)".

/** Version on a schedule's first line, `imcc-schedule <version>`. */
export const SCHEDULE_FORMAT_VERSION = 1;

/** A `.sched` file read back: its header (key -> value) and its operation lines. */
export interface ScheduleText {
  header: Map<string, string>;
  headerLines: string[];
  opLines: string[];
  /** Timestep of each operation line. */
  timesteps: number[];
}

export class ScheduleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleFormatError';
  }
}

/**
 * Splits text holding several schedules back to back (what `imcc schedule FILE` prints for all cores) into one text
 * per schedule, keyed `<core>.sched`; text holding one schedule (or none) comes back whole under `name`.
 */
export function splitScheduleTexts(text: string, name: string): Map<string, string> {
  const starts: number[] = [];
  const re = new RegExp(`^imcc-schedule ${SCHEDULE_FORMAT_VERSION}$`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index);
  if (starts.length <= 1) return new Map([[name, text]]);
  const out = new Map<string, string>();
  starts.forEach((start, i) => {
    const part = text.slice(start, starts[i + 1] ?? text.length);
    const core = /^core (\S+)$/m.exec(part)?.[1];
    if (core === undefined) throw new ScheduleFormatError(`${name}: schedule ${i + 1} has no 'core' header line`);
    if (out.has(`${core}.sched`)) throw new ScheduleFormatError(`${name}: core ${core} appears twice`);
    out.set(`${core}.sched`, part);
  });
  if (starts[0] !== 0) throw new ScheduleFormatError(`${name}:1: not an imcc schedule (expected 'imcc-schedule ${SCHEDULE_FORMAT_VERSION}')`);
  return out;
}

const OP_LINE =
  /^(\d+) (?:W -?\d+,-?\d+ word=\d+(?:\.\.\d+)? bit=\d+|C blk=\d+ out=-?\d+,-?\d+ active=\d+|R -?\d+,-?\d+ word=\d+(?:\.\.\d+)? bit=\d+ blk=\d+ at=\d+,\d+|Z -?\d+,-?\d+ blk=\d+ at=\d+,\d+)$/;

/** Parses `.sched` text; `name` is used in error messages. Throws ScheduleFormatError with the line number. */
export function parseScheduleText(text: string, name: string): ScheduleText {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== `imcc-schedule ${SCHEDULE_FORMAT_VERSION}`) {
    throw new ScheduleFormatError(`${name}:1: not an imcc schedule (expected 'imcc-schedule ${SCHEDULE_FORMAT_VERSION}')`);
  }
  const header = new Map<string, string>();
  const headerLines: string[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== '--'; i++) {
    const m = /^(\S+) (.*)$/.exec(lines[i]);
    if (!m) throw new ScheduleFormatError(`${name}:${i + 1}: header line is not '<key> <value>'`);
    header.set(m[1], m[2]);
    headerLines.push(lines[i]);
  }
  if (i >= lines.length) throw new ScheduleFormatError(`${name}: no '--' line after the header`);
  for (const key of ['layer', 'core']) {
    if (!header.has(key)) throw new ScheduleFormatError(`${name}: header has no '${key}'`);
  }
  const opLines = lines.slice(i + 1);
  const timesteps: number[] = [];
  opLines.forEach((line, j) => {
    if (!OP_LINE.test(line)) throw new ScheduleFormatError(`${name}:${i + 2 + j}: not a schedule operation line: ${JSON.stringify(line.slice(0, 80))}`);
    timesteps.push(Number(line.slice(0, line.indexOf(' '))));
  });
  // The header's op count guards against a truncated or hand-edited file.
  const ops = header.get('ops');
  if (ops !== undefined && ops !== String(opLines.length)) {
    throw new ScheduleFormatError(`${name}: header says 'ops ${ops}' but the file has ${opLines.length} operation lines`);
  }
  return { header, headerLines, opLines, timesteps };
}
