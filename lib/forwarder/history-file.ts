import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForwarderHistory, Segment } from './segment-history.js';

const FILE_NAME = 'forwarder-history.json';

/**
 * A new, empty history with a random stream id.
 *
 * @example
 * ```ts
 * newHistory().segments.length; // 0
 * ```
 */
export function newHistory(): ForwarderHistory {
  return { stream: randomBytes(8).toString('hex'), segments: [] };
}

/**
 * The history kept in `stateDir` for the log file `file`, or `null` when there is none,
 * it is of another file, or it cannot be read as one (then the forwarder starts a new
 * history, and clients' positions of the old one are reported as gaps).
 *
 * @example
 * ```ts
 * const history = (await loadHistory('/var/lib/storj-forwarder', '/var/log/storj/node.log')) ?? newHistory();
 * ```
 */
export async function loadHistory(stateDir: string, file: string): Promise<ForwarderHistory | null> {
  let saved: unknown;
  try {
    saved = JSON.parse(await readFile(join(stateDir, FILE_NAME), 'utf8'));
  } catch {
    return null;
  }
  if (typeof saved !== 'object' || saved === null) return null;
  const { version, file: savedFile, stream, segments } = saved as Record<string, unknown>;
  if (version !== 1 || savedFile !== file || typeof stream !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(stream)) return null;
  if (!Array.isArray(segments) || !segments.every(isSegment)) return null;
  return { stream, segments };
}

/**
 * Writes the history to `stateDir` so that it survives a crash (`kill -9`, power loss):
 * a new file, flushed to disk, renamed over the old one (a reader sees the old or the
 * new, never half of one). Creates `stateDir` when missing.
 *
 * @example
 * ```ts
 * await saveHistory('/var/lib/storj-forwarder', '/var/log/storj/node.log', history);
 * ```
 */
export async function saveHistory(stateDir: string, file: string, history: ForwarderHistory): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const target = join(stateDir, FILE_NAME);
  const temporary = `${target}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify({ version: 1, file, stream: history.stream, segments: history.segments }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
}

function isSegment(value: unknown): value is Segment {
  if (typeof value !== 'object' || value === null) return false;
  const { seq, dev, ino, head, name, end, sealed, tailLost } = value as Record<string, unknown>;
  const counts = [seq, dev, ino, end].every((number) => typeof number === 'number' && Number.isSafeInteger(number) && number >= 0);
  return (
    counts &&
    typeof head === 'string' &&
    typeof name === 'string' &&
    name !== '' &&
    !name.includes('/') &&
    typeof sealed === 'boolean' &&
    typeof tailLost === 'boolean'
  );
}
