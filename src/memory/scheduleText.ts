// Reading `.sched` text back (for `imcc diff`), apart from the renderer so reading pulls in no template engine,
// schema validator or memory planner. Grammar: src/memory/scheduleFile.ts and docs/memory.md "Schedules (Algorithm 2)".
import { ToolError, type DiagnosticArgs } from '../diagnostics/index.js';

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

/** Text that does not follow the schedule format (IMC086): where, what the format has there, and what the text has. */
export class ScheduleFormatError extends ToolError<'IMC086'> {
  constructor(args: DiagnosticArgs<'IMC086'>) {
    super('IMC086', args);
    this.name = 'ScheduleFormatError';
  }
}

/** A line of schedule text as an IMC086 {found}: quoted (it may hold anything), cut at 80 characters. */
function quotedLine(line: string | undefined): string {
  return line === undefined ? 'end of file' : JSON.stringify(line.slice(0, 80));
}

/** 1-based line number of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Splits text holding several schedules back to back (what `imcc schedule FILE` prints for all cores) into one text
 * per schedule, keyed `<core>.sched`; text holding one schedule (or none) comes back whole under `name`. `source`
 * (the file the text came from) names it in a ScheduleFormatError.
 */
export function splitScheduleTexts(text: string, name: string, source = name): Map<string, string> {
  const starts: number[] = [];
  const re = new RegExp(`^imcc-schedule ${SCHEDULE_FORMAT_VERSION}$`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index);
  if (starts.length <= 1) return new Map([[name, text]]);
  const out = new Map<string, string>();
  starts.forEach((start, i) => {
    const part = text.slice(start, starts[i + 1] ?? text.length);
    const core = /^core (\S+)$/m.exec(part)?.[1];
    const line = lineAt(text, start);
    if (core === undefined) throw new ScheduleFormatError({ file: source, line, expected: `a 'core <name>' line in the header of schedule ${i + 1}`, found: 'none' });
    if (out.has(`${core}.sched`)) throw new ScheduleFormatError({ file: source, line, expected: 'one schedule per core', found: `a second schedule of core ${core}` });
    out.set(`${core}.sched`, part);
  });
  if (starts[0] !== 0) throw new ScheduleFormatError({ file: source, line: 1, expected: `'imcc-schedule ${SCHEDULE_FORMAT_VERSION}'`, found: quotedLine(text.split('\n', 1)[0]) });
  return out;
}

const OP_LINE =
  /^(\d+) (?:W -?\d+,-?\d+ word=\d+(?:\.\.\d+)? bit=\d+|C blk=\d+ out=-?\d+,-?\d+ active=\d+|R -?\d+,-?\d+ word=\d+(?:\.\.\d+)? bit=\d+ blk=\d+ at=\d+,\d+|Z -?\d+,-?\d+ blk=\d+ at=\d+,\d+)$/;

/** Parses `.sched` text; `name` is used in error messages. Throws ScheduleFormatError with the line number. */
export function parseScheduleText(text: string, name: string): ScheduleText {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== `imcc-schedule ${SCHEDULE_FORMAT_VERSION}`) {
    throw new ScheduleFormatError({ file: name, line: 1, expected: `'imcc-schedule ${SCHEDULE_FORMAT_VERSION}'`, found: quotedLine(lines[0]) });
  }
  const header = new Map<string, string>();
  const headerLines: string[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== '--'; i++) {
    const m = /^(\S+) (.*)$/.exec(lines[i]);
    if (!m) throw new ScheduleFormatError({ file: name, line: i + 1, expected: "a header line '<key> <value>'", found: quotedLine(lines[i]) });
    header.set(m[1], m[2]);
    headerLines.push(lines[i]);
  }
  if (i >= lines.length) throw new ScheduleFormatError({ file: name, line: i + 1, expected: "a '--' line after the header", found: 'end of file' });
  for (const key of ['layer', 'core']) {
    if (!header.has(key)) throw new ScheduleFormatError({ file: name, line: i + 1, expected: `a '${key} <name>' header line`, found: "the '--' line that ends the header" });
  }
  const opLines = lines.slice(i + 1);
  const timesteps: number[] = [];
  opLines.forEach((line, j) => {
    if (!OP_LINE.test(line)) throw new ScheduleFormatError({ file: name, line: i + 2 + j, expected: 'an operation line', found: quotedLine(line) });
    timesteps.push(Number(line.slice(0, line.indexOf(' '))));
  });
  // The header's op count guards against a truncated or hand-edited file.
  const ops = header.get('ops');
  if (ops !== undefined && ops !== String(opLines.length)) {
    const line = 1 + headerLines.findIndex((l) => l.startsWith('ops ')) + 1;
    throw new ScheduleFormatError({ file: name, line, expected: `${ops} operation lines (the header's 'ops ${ops}')`, found: `${opLines.length}` });
  }
  return { header, headerLines, opLines, timesteps };
}
