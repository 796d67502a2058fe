import type { CancellationPairs } from './cancellation-pairs.js';
import type { ChunkText } from './chunk-text.js';
import { StorageNodeLine } from './storagenode-line.js';

/**
 * One line from a log forwarder (SPEC §3.1), tagged with its node. The forwarder's
 * timestamp is there both as seconds and as the text received, because a 16-digit float
 * is at the edge of double precision: order or de-duplicate on `timestampText`. A line
 * keeps the text of its chunk and cuts a field out of it on first read (`line`, with
 * invalid UTF-8 as U+FFFD; `entry` parses the storagenode line of SPEC §3.2), so a
 * consumer pays only for what it reads.
 *
 * @example
 * ```ts
 * lines$.subscribe((line) => {
 *   console.log(line.node, line.timestamp, line.entry.message);
 * });
 * ```
 */
export class ForwarderLine {
  private timestampCache: string | undefined;
  private lineCache: string | undefined;
  private entryCache: StorageNodeLine | undefined;

  /**
   * A line is the text `[start, end)` of its chunk, with its timestamp's space at
   * `space`; nothing is decoded until read. `pairs` is the memory of the line's stream
   * that its `entry` shares (see {@link CancellationPairs}).
   */
  constructor(
    readonly node: string,
    private readonly chunk: ChunkText,
    private readonly start: number,
    private readonly space: number,
    private readonly end: number,
    private readonly pairs?: CancellationPairs,
  ) {}

  /** The timestamp exactly as received, e.g. `1759735252.123`. */
  get timestampText(): string {
    this.timestampCache ??= this.chunk.text(this.start, this.space);
    return this.timestampCache;
  }

  /** The forwarder's Unix time in seconds. */
  get timestamp(): number {
    return Number(this.timestampText);
  }

  /** The storagenode log line, after the timestamp and its one space. */
  get line(): string {
    this.lineCache ??= this.chunk.text(this.space + 1, this.end);
    return this.lineCache;
  }

  /** The storagenode line, parsed on first read. */
  get entry(): StorageNodeLine {
    this.entryCache ??= new StorageNodeLine(this.line, this.pairs);
    return this.entryCache;
  }

  /** What a line is on the wire and in JSON: its readable fields. */
  toJSON(): { node: string; timestamp: number; timestampText: string; line: string } {
    return { node: this.node, timestamp: this.timestamp, timestampText: this.timestampText, line: this.line };
  }
}

const SPACE = 32;
const DOT = 46;

/**
 * Parses the UTF-8 line `bytes[start, end)` as `<unix_ts> <line>` (a non-negative
 * decimal number, ONE space, non-empty text); `null` when it is not of that shape.
 * `text` is the text of the chunk the bytes are in (a `LineSink`'s arguments): the shape
 * is checked on the bytes, and the line keeps `text`, decoding nothing until read.
 *
 * @example
 * ```ts
 * const bytes = Buffer.from('x\n1.5 hello\n');
 * parseForwarderLineAt('node1', bytes, 2, 11, new ChunkText(bytes))?.line; // 'hello'
 * ```
 */
export function parseForwarderLineAt(
  node: string,
  bytes: Buffer,
  start: number,
  end: number,
  text: ChunkText,
  pairs?: CancellationPairs,
): ForwarderLine | null {
  // Digits, then optionally a dot and more digits, then ONE space and at least one byte.
  let index = skipDigits(bytes, start, end);
  if (index === start) return null;
  if (bytes[index] === DOT) {
    const fraction = index + 1;
    index = skipDigits(bytes, fraction, end);
    if (index === fraction) return null;
  }
  if (index >= end - 1 || bytes[index] !== SPACE) return null;
  return new ForwarderLine(node, text, start, index, end, pairs);
}

/** The index of the first byte in `[from, end)` that is not an ASCII digit (or `end`). */
function skipDigits(bytes: Buffer, from: number, end: number): number {
  let index = from;
  // `byte - 48` is 0..9 for a digit; as an unsigned 32-bit number, anything else is larger.
  while (index < end && ((bytes[index] ?? 0) - 48) >>> 0 < 10) index++;
  return index;
}
