/**
 * The opt-in resume protocol between `tcpLogSource({ resume: true })` and our log
 * forwarder (`storj-monitor-rx/forwarder`), on top of SPEC §3.1. Every record is one
 * line starting with `#`, which no plain line (`<unix_ts> <line>`, a digit first) can:
 *
 * - client -> forwarder, as the first bytes it writes: `#storj-log-resume 1 <position>`
 *   (`-` when it has none yet);
 * - forwarder -> client: `#storj-log-resume 1 ok` (the greeting; whatever came before it
 *   is plain data the client ignores), then `#gap <bytes>` (`?` when unknown) if part of
 *   what was asked for is gone, and `#at <checkpoint>` before the lines from there and
 *   after every batch of lines.
 *
 * A position is a checkpoint of the forwarder (`<stream>.<segment>.<offset>`: which
 * forwarder history, which file of it, which byte) and `skip`, the lines received after
 * it; the client sends `<stream>.<segment>.<offset>.<skip>`.
 */

/** Where a resuming client is: the last checkpoint received and the lines received after it. */
export interface ResumePosition {
  /** Identifies the forwarder's history (its state directory); other streams' positions mean nothing. */
  readonly stream: string;
  /** Which file of that history (a sequence number). */
  readonly segment: number;
  /** Byte offset in that file. */
  readonly offset: number;
  /** Lines received after the checkpoint. */
  readonly skip: number;
}

/** One record of the forwarder, parsed. */
export type ResumeRecord =
  { readonly type: 'greeting' } | { readonly type: 'at'; readonly position: ResumePosition } | { readonly type: 'gap'; readonly bytes: number | null };

/** The version of the protocol this package speaks. */
export const RESUME_PROTOCOL_VERSION = 1;
const HELLO_PREFIX = `#storj-log-resume ${RESUME_PROTOCOL_VERSION} `;
/** The first byte of every record. */
export const RECORD_MARK = 0x23;
/** The longest hello a forwarder reads before it gives up on the client. */
export const MAX_HELLO_BYTES = 256;

const STREAM = /^[A-Za-z0-9]{1,32}$/;
const INTEGER = /^(0|[1-9]\d{0,15})$/;

/**
 * The text of a position (`<stream>.<segment>.<offset>.<skip>`), or of a checkpoint
 * without `skip`.
 *
 * @example
 * ```ts
 * formatPosition({ stream: 'a1', segment: 3, offset: 120, skip: 2 }); // 'a1.3.120.2'
 * formatPosition({ stream: 'a1', segment: 3, offset: 120, skip: 0 }, false); // 'a1.3.120'
 * ```
 */
export function formatPosition(position: ResumePosition, withSkip = true): string {
  const checkpoint = `${position.stream}.${position.segment}.${position.offset}`;
  return withSkip ? `${checkpoint}.${position.skip}` : checkpoint;
}

/**
 * Parses a position (`skip` optional: a checkpoint), or `null` when the text is not one.
 *
 * @example
 * ```ts
 * parsePosition('a1.3.120.2'); // { stream: 'a1', segment: 3, offset: 120, skip: 2 }
 * parsePosition('a1.3'); // null
 * ```
 */
export function parsePosition(text: string): ResumePosition | null {
  const parts = text.split('.');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const [stream = '', ...numbers] = parts;
  if (!STREAM.test(stream) || !numbers.every((part) => INTEGER.test(part))) return null;
  const [segment = 0, offset = 0, skip = 0] = numbers.map(Number);
  if (![segment, offset, skip].every(Number.isSafeInteger)) return null;
  return { stream, segment, offset, skip };
}

/**
 * The client's hello: the first and only bytes it writes.
 *
 * @example
 * ```ts
 * helloRecord(null); // '#storj-log-resume 1 -\n'
 * ```
 */
export function helloRecord(position: ResumePosition | null): string {
  return `${HELLO_PREFIX}${position === null ? '-' : formatPosition(position)}\n`;
}

/**
 * What a client's first line asks for: a position, `null` for "from now on", or
 * `undefined` when it is not a hello of this protocol (the forwarder then closes it, as
 * the reference forwarder closes any client that writes).
 *
 * @example
 * ```ts
 * parseHello('#storj-log-resume 1 -'); // null
 * parseHello('GET / HTTP/1.1'); // undefined
 * ```
 */
export function parseHello(line: string): ResumePosition | null | undefined {
  if (!line.startsWith(HELLO_PREFIX)) return undefined;
  const asked = line.slice(HELLO_PREFIX.length);
  if (asked === '-') return null;
  return parsePosition(asked) ?? undefined;
}

/** The forwarder's greeting: from here on the connection speaks this protocol. */
export const GREETING_RECORD = `${HELLO_PREFIX}ok\n`;

/**
 * A checkpoint record: the lines that follow start at `position` (its `skip` is ignored).
 *
 * @example
 * ```ts
 * checkpointRecord({ stream: 'a1', segment: 3, offset: 120, skip: 0 }); // '#at a1.3.120\n'
 * ```
 */
export function checkpointRecord(position: ResumePosition): string {
  return `#at ${formatPosition(position, false)}\n`;
}

/**
 * A gap record: this many bytes of what the client asked for are gone (`null`: unknown).
 *
 * @example
 * ```ts
 * gapRecord(4096); // '#gap 4096\n'
 * gapRecord(null); // '#gap ?\n'
 * ```
 */
export function gapRecord(bytes: number | null): string {
  return `#gap ${bytes === null ? '?' : bytes}\n`;
}

/**
 * Parses one record line of the forwarder (without its newline); `null` when it is not
 * one this version knows (a client ignores those).
 *
 * @example
 * ```ts
 * parseRecord('#gap 10'); // { type: 'gap', bytes: 10 }
 * parseRecord('#at a1.0.0')?.type; // 'at'
 * ```
 */
export function parseRecord(line: string): ResumeRecord | null {
  if (line === GREETING_RECORD.slice(0, -1)) return { type: 'greeting' };
  const space = line.indexOf(' ');
  const tag = line.slice(0, space);
  const value = line.slice(space + 1);
  if (tag === '#at') {
    const position = parsePosition(value);
    return position && value.split('.').length === 3 ? { type: 'at', position } : null;
  }
  if (tag === '#gap') {
    if (value === '?') return { type: 'gap', bytes: null };
    return INTEGER.test(value) ? { type: 'gap', bytes: Number(value) } : null;
  }
  return null;
}
