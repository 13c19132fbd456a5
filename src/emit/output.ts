// Atomic output directories: everything is written into a temporary sibling directory and renamed into place, so a
// failed compile leaves DIR exactly as it was, and a directory that is not an imcc output is never overwritten.
import { closeSync, existsSync, mkdirSync, openSync, realpathSync, renameSync, statSync, writeFileSync, writeSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { ToolError } from '../diagnostics/index.js';
import { lstatOrUndefined, readBoundedText, registerTemporary, removeQuietly, type StreamedContent } from '../support/files.js';

export type { StreamedContent };

/** A marker larger than this is not one imcc wrote (it holds a version, an entry path and the source list). */
const MAX_MARKER_BYTES = 1_000_000;

/** Marker file that identifies a directory as an imcc output (and records how it was made). */
export const OUTPUT_MARKER = 'imcc-output.json';

export interface OutputFile {
  /** Relative path inside the output directory, with forward slashes. */
  path: string;
  content: string | Uint8Array | StreamedContent;
}

export function isStreamed(content: OutputFile['content']): content is StreamedContent {
  return typeof content === 'object' && !(content instanceof Uint8Array);
}

/** The whole content as bytes (for tests and comparisons of small outputs). */
export function contentBytes(content: OutputFile['content']): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (!isStreamed(content)) return Buffer.from(content);
  const chunks: Buffer[] = [];
  content.stream((chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks);
}

/** Writes one output file; streamed content goes out chunk by chunk through one descriptor. */
export function writeContent(path: string, content: OutputFile['content']): void {
  if (!isStreamed(content)) {
    writeFileSync(path, content);
    return;
  }
  const fd = openSync(path, 'w');
  try {
    content.stream((chunk) => {
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
    });
  } finally {
    closeSync(fd);
  }
}

/** The recorded fields of DIR's output marker; undefined when DIR has none. Throws when the marker cannot be read as JSON. */
export function readOutputMarker(dir: string): { tool?: unknown; entry?: unknown } | undefined {
  const marker = join(dir, OUTPUT_MARKER);
  if (lstatOrUndefined(marker) === undefined) return undefined;
  return (JSON.parse(readBoundedText(marker, MAX_MARKER_BYTES)) ?? {}) as { tool?: unknown; entry?: unknown };
}

export function isImccOutput(dir: string): boolean {
  try {
    return readOutputMarker(dir)?.tool === 'imcc';
  } catch {
    return false;
  }
}

function checkRelative(path: string): void {
  if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`output file path must be relative and normalized: ${path}`);
  }
}

/**
 * Throws IMC110 unless `dir` may be written as an output: absent, empty, or an earlier imcc output. Commands call it
 * before any work, so a refusal costs nothing; writeOutputDirectory checks again when it writes.
 */
export function checkOutputDirectory(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) {
    throw new ToolError('IMC110', { dir, reason: 'exists and is not a directory' });
  }
  if (readdirSync(target).length > 0 && !isImccOutput(target)) {
    throw new ToolError('IMC110', { dir, reason: `exists and is not an imcc output (no ${OUTPUT_MARKER})` });
  }
}

/**
 * Writes `files` as the complete contents of `dir`. The files must include the marker (see `outputMarker`).
 * An existing `dir` is replaced only when it is an imcc output or empty.
 */
export function writeOutputDirectory(dir: string, files: readonly OutputFile[]): void {
  // A symlink is written through, as for single files: the directory it names is replaced, the link stays.
  let target = resolve(dir);
  if (lstatOrUndefined(target)?.isSymbolicLink()) {
    try {
      target = realpathSync(target);
    } catch {
      throw new ToolError('IMC110', { dir, reason: 'is a symbolic link to a missing directory' });
    }
  }
  if (!files.some((f) => f.path === OUTPUT_MARKER)) throw new Error(`output is missing its ${OUTPUT_MARKER} marker`);
  checkOutputDirectory(dir);
  const parent = dirname(target);
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temp = join(parent, `.${basename(target)}.tmp-${unique}`);
  const old = join(parent, `.${basename(target)}.old-${unique}`);
  const releaseTemp = registerTemporary(temp);
  try {
    mkdirSync(temp, { recursive: true });
    for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      checkRelative(file.path);
      const full = join(temp, file.path);
      mkdirSync(dirname(full), { recursive: true });
      writeContent(full, file.content);
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(temp, target);
  } catch (err) {
    removeQuietly(temp);
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    if (err instanceof ToolError) throw err;
    // Streamed content is built while it is written: an error of that building is not a write error.
    if (!(err instanceof Error && 'code' in err)) throw err;
    throw new ToolError('IMC111', { dir, reason: err instanceof Error ? err.message : String(err) });
  } finally {
    releaseTemp();
  }
  removeQuietly(old);
}

/** The marker's content: deterministic (no timestamps, no absolute paths). */
export function outputMarker(record: { sources: string[]; entry: string; version: string }): OutputFile {
  const content = JSON.stringify({ tool: 'imcc', version: record.version, entry: record.entry, sources: record.sources }, null, 2) + '\n';
  return { path: OUTPUT_MARKER, content };
}
