/**
 * Files that survive a kill at any moment. An entry is written to a temporary file,
 * fsynced, then renamed over the final name (rename is atomic on POSIX filesystems), so
 * a reader sees the old entry or the new one, never half of one. Each entry also
 * carries the SHA-256 of its body, so a file truncated or damaged some other way (a full
 * disk, a copy gone wrong) is detected and treated as absent rather than read as valid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const MAGIC = 'losslens-entry/1';

export type Warn = (message: string) => void;

export const warnOnStderr: Warn = (message) => process.emitWarning(message, { code: 'LOSSLENS_CACHE' });

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes `value` as JSON to `path` atomically, creating the directory if needed. */
export function writeEntry(path: string, value: unknown): void {
  const body = JSON.stringify(value);
  const text = `${JSON.stringify({ format: MAGIC, sha256: sha256(body) })}\n${body}`;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  // Make the rename itself durable; not every platform lets a directory be fsynced.
  try {
    const dirFd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // The entry is complete either way; only its survival of a power cut is less certain.
  }
}

/** Why an entry's text was refused: truncated, damaged, or not what the reader expects. */
export class EntryError extends Error {
  override name = 'EntryError';
}

/**
 * The value in an entry's text (as writeEntry wrote it, e.g. received from another
 * machine), after checking its header, its SHA-256 and `isValid`; throws EntryError saying why not.
 */
export function decodeEntry<T>(text: string, isValid: (value: unknown) => value is T): T {
  const newline = text.indexOf('\n');
  if (newline < 0) throw new EntryError('no header line (truncated?)');
  let header: { format?: unknown; sha256?: unknown };
  try {
    header = JSON.parse(text.slice(0, newline)) as typeof header;
  } catch {
    throw new EntryError('unreadable header');
  }
  if (header.format !== MAGIC) throw new EntryError(`unknown format ${JSON.stringify(header.format)}`);
  const body = text.slice(newline + 1);
  if (sha256(body) !== header.sha256) throw new EntryError('checksum mismatch (truncated or corrupt)');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new EntryError('body is not JSON');
  }
  if (!isValid(value)) throw new EntryError('contents do not match the expected schema');
  return value;
}

/**
 * Reads an entry written by writeEntry. Returns undefined when the file is absent, and
 * also (after a warning) when it is truncated, corrupt or fails `isValid`.
 */
export function readEntry<T>(path: string, isValid: (value: unknown) => value is T, warn: Warn = warnOnStderr): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return decodeEntry(text, isValid);
  } catch (error) {
    if (!(error instanceof EntryError)) throw error;
    warn(`ignoring cache entry ${path}: ${error.message}; it will be recomputed`);
    return undefined;
  }
}

export function removeEntry(path: string): void {
  rmSync(path, { force: true });
}
