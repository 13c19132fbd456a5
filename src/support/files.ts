// The one way imcc touches files. Reads open without blocking, refuse anything that is not a regular file (a
// device, FIFO or socket never ends or never answers) and stop at a byte limit counted while reading, because
// `stat` reports 0 bytes for devices. Single-file writes follow a symlink on purpose (the file it names is
// rewritten and the link stays), refuse any target that is not a regular file, and replace the file atomically
// with its mode kept. Temporary files and directories are registered so an error or SIGINT/SIGTERM removes them.
import { chmodSync, closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

// Defined here, below every phase, so a phase can hand a streamed file (memory's .sched text) to the writer.
/**
 * Content produced while it is written, chunk by chunk, for files that grow with the pixel count (a schedule of an
 * 8192 x 8192 input is tens of GB of text): memory stays bounded by one chunk.
 */
export interface StreamedContent {
  /** Calls `sink` with the file's bytes in order (a chunk may be reused once sink returns); may be called again, giving the same bytes. */
  stream: (sink: (chunk: Uint8Array) => void) => void;
}

/** A file that cannot be read or written; `reason` is the plain-words cause ("it is a character device"). */
export class FileAccessError extends Error {
  readonly reason: string;
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'FileAccessError';
    this.reason = reason;
  }
}

/** What a non-regular file is, in words for a diagnostic. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/** The cause of a failed system call in words (the errno name when there is no better one). */
export function errnoReason(err: unknown): string {
  if (err instanceof FileAccessError) return err.reason;
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ENAMETOOLONG') return 'the file name is too long';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code !== undefined) return code;
  return err instanceof Error ? err.message : String(err);
}

const CHUNK_BYTES = 1 << 16;

const CONTROL_NAMES: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** PATH for a message: control characters (a newline or NUL from an import's escapes) written as escapes. */
export function printablePath(path: string): string {
  return path.replace(/[\x00-\x1f\x7f\\]/g, (c) => (c === '\\' ? '\\\\' : (CONTROL_NAMES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)));
}

/**
 * The bytes of the regular file at PATH, at most `maxBytes` of them. Throws FileAccessError when PATH is not a
 * regular file (checked on the opened descriptor, so a swap between check and read cannot slip a device in), or
 * holds more than `maxBytes` bytes (counted as read, so a file that grows while read is still bounded).
 */
export function readBoundedFile(path: string, maxBytes: number): Buffer {
  if (path.includes('\0')) throw new FileAccessError(path, 'the path contains a NUL character');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever before we could refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new FileAccessError(path, errnoReason(err));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileAccessError(path, `it is ${fileKind(st)}, not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileAccessError(path, `it is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof FileAccessError) throw err;
    throw new FileAccessError(path, errnoReason(err));
  } finally {
    closeSync(fd);
  }
}

/** readBoundedFile as UTF-8 text. */
export function readBoundedText(path: string, maxBytes: number): string {
  return readBoundedFile(path, maxBytes).toString('utf8');
}

/** The identity of a file: its real path (a file reached through a symlinked directory is the same file). */
export function canonicalPath(file: string): string {
  const abs = resolve(file);
  try {
    return realpathSync(abs);
  } catch {
    // Missing (reported when read) or in-memory (tests): the absolute path is its identity.
    return abs;
  }
}

/** The status of PATH without following a final symlink; undefined when nothing is there (or a parent is a file). */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Where a single-file write to PATH lands: PATH itself, or the file a symlink at PATH names (the link is kept).
 * Throws FileAccessError when that is not a regular file (a device, FIFO, socket or directory is never replaced).
 */
export function writeTarget(path: string): { file: string; mode: number | undefined } {
  let file = path;
  const link = lstatOrUndefined(path);
  if (link?.isSymbolicLink()) {
    try {
      file = realpathSync(path);
    } catch (err) {
      // A dangling link: its target would be created, somewhere the user may not expect; refuse instead.
      throw new FileAccessError(path, `it is a symbolic link to a missing file (${errnoReason(err)})`);
    }
  }
  const st = file === path ? link : statSync(file);
  if (st === undefined) return { file, mode: undefined };
  if (!st.isFile()) throw new FileAccessError(path, `it is ${fileKind(st)}, not a regular file; not replacing it`);
  return { file, mode: st.mode & 0o7777 };
}

/**
 * Replaces the regular file at PATH (or creates it) with CONTENT in one rename, keeping its permission bits; a symlink
 * at PATH is written through. Throws FileAccessError; on any failure the previous file is untouched.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const { file, mode } = writeTarget(path);
  const temp = join(dirname(file), `.${basename(file)}.imcc-tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const release = registerTemporary(temp);
  try {
    writeFileSync(temp, content, { flag: 'wx', mode: mode ?? 0o666 });
    // The umask trimmed the mode at creation; an existing file's exact bits are put back before it is replaced.
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (err) {
    removeQuietly(temp);
    throw new FileAccessError(path, errnoReason(err));
  } finally {
    release();
  }
}

/** Best-effort removal: something that cannot be removed (or never existed) is not a second error. */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing to clean up, or nothing we can do about it
  }
}

const temporaries = new Set<string>();
let handlersInstalled = false;

const SIGNAL_STATUS: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Called by the CLI entry only (never when imcc runs as a library): SIGINT/SIGTERM remove registered temporaries and exit 130/143. */
export function enableSignalCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      removeTemporaries();
      process.stderr.write(`imcc: interrupted (${signal}); temporary files removed\n`);
      process.exit(SIGNAL_STATUS[signal]);
    });
  }
  process.on('exit', removeTemporaries);
}

/** Removes every registered temporary file or directory now (signal, exit). */
export function removeTemporaries(): void {
  for (const path of temporaries) removeQuietly(path);
  temporaries.clear();
}

/**
 * Registers PATH (a temporary file or directory about to be created) for removal on SIGINT, SIGTERM or exit, and
 * returns the function that unregisters it once it has been renamed into place or removed.
 */
export function registerTemporary(path: string): () => void {
  temporaries.add(path);
  return () => {
    temporaries.delete(path);
  };
}
