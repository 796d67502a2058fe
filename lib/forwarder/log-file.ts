import { readSync } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** How many first bytes of a file identify it (after a rename, or in a copy). */
export const HEAD_BYTES = 256;
const FIRST_SCAN_BYTES = 4 * 1024;
const SCAN_BYTES = 64 * 1024;
const NEWLINE = 10;

/** An open file of the log's directory, with what identifies it. */
export interface OpenLogFile {
  readonly handle: FileHandle;
  readonly name: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

/** What {@link findLogFile} looks for: a file with this identity and these first bytes. */
export interface LogFileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** base64 */
  readonly head: string;
  /** Where it was last seen; looked at first. */
  readonly name: string;
  /** It is at least this long (a file truncated below it is not it any more). */
  readonly end: number;
}

/**
 * Opens `directory/name` read-only; `null` when it is not there (or not readable).
 *
 * @example
 * ```ts
 * const file = await openLogFile('/var/log/storj', 'node.log');
 * ```
 */
export async function openLogFile(directory: string, name: string): Promise<OpenLogFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(join(directory, name), 'r');
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('not a file');
    return { handle, name, dev: stats.dev, ino: stats.ino, size: stats.size };
  } catch {
    await handle.close();
    return null;
  }
}

/**
 * The first `HEAD_BYTES` bytes of a file (fewer when it is shorter), base64.
 *
 * @example
 * ```ts
 * const head = await readHead(file.handle);
 * ```
 */
export async function readHead(handle: FileHandle): Promise<string> {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
  return buffer.toString('base64', 0, bytesRead);
}

/**
 * Whether `head` (base64) holds all of `HEAD_BYTES`: then it tells a file from any other,
 * and from itself truncated and written again, wherever a position in it points.
 *
 * @example
 * ```ts
 * headIsComplete(''); // false
 * ```
 */
export function headIsComplete(head: string): boolean {
  return Buffer.byteLength(head, 'base64') >= HEAD_BYTES;
}

/**
 * Whether a file still starts with `head` (base64): it was not truncated and written
 * again, and it is the file that `head` was read from. A synchronous read of at most
 * `HEAD_BYTES` (from the page cache, a few µs): a reader checks it after every read of the
 * file being tailed, and a round trip through libuv's thread pool for it cost more than
 * the read itself on a loaded machine.
 *
 * @example
 * ```ts
 * if (!startsWith(file.handle, segment.head)) console.log('truncated (copytruncate?)');
 * ```
 */
export function startsWith(handle: FileHandle, head: string): boolean {
  const expected = Buffer.from(head, 'base64');
  if (expected.length === 0) return true;
  const actual = Buffer.alloc(expected.length);
  const bytesRead = readSync(handle.fd, actual, 0, expected.length, 0);
  return bytesRead === expected.length && actual.equals(expected);
}

/**
 * The end of the last complete line in `[from, to)` of a file: just after its last
 * `\n`, or `from` when there is none (the bytes there are a line still being written).
 * Reads backwards, 4 KiB first (a storagenode line is ~300 bytes, and this runs at every
 * look at a growing file), doubling up to 64 KiB.
 *
 * @example
 * ```ts
 * const end = await completeLinesEnd(file.handle, 0, file.size);
 * ```
 */
export async function completeLinesEnd(handle: FileHandle, from: number, to: number): Promise<number> {
  let buffer = Buffer.allocUnsafe(FIRST_SCAN_BYTES);
  let end = to;
  while (end > from) {
    const start = Math.max(from, end - buffer.length);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (newline !== -1) return start + newline + 1;
    end = start;
    if (buffer.length < SCAN_BYTES) buffer = Buffer.allocUnsafe(buffer.length * 2);
  }
  return from;
}

/**
 * Finds a file of the history in the log's directory: at its last name, or among the
 * files whose names start with `prefix` (the log's own name: `node.log.1`,
 * `node.log-20251006`), the one with its identity (device and inode), first bytes and at least its length;
 * with `byHead`, any file with its first bytes (a copy made by `copytruncate`). `null`
 * when it is gone (deleted, compressed).
 *
 * @example
 * ```ts
 * const rotated = await findLogFile('/var/log/storj', 'node.log', segment);
 * ```
 */
export async function findLogFile(directory: string, prefix: string, wanted: LogFileIdentity, byHead = false): Promise<OpenLogFile | null> {
  const names = [wanted.name, ...(await namesWithPrefix(directory, prefix)).filter((name) => name !== wanted.name)];
  for (const name of names) {
    const file = await openLogFile(directory, name);
    if (file === null) continue;
    const sameFile = file.dev === wanted.dev && file.ino === wanted.ino;
    const candidate = (sameFile || (byHead && wanted.head !== '')) && file.size >= wanted.end;
    if (candidate && startsWith(file.handle, wanted.head)) return file;
    await file.handle.close();
  }
  return null;
}

async function namesWithPrefix(directory: string, prefix: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}
