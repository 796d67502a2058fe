import { ChunkText } from './chunk-text.js';

/** Why a framer drops a line: longer than `maxLineBytes`, or cut off by the stream's end. */
export type FramingDropReason = 'oversize' | 'partial';

/**
 * Receives each complete line as the byte range `bytes[start, end)` (terminator excluded),
 * still UTF-8, with the text of its chunk, taken when the chunk arrived: the hot path
 * decodes no line, a consumer pays for the lines it reads (`text.text(start, end)`), and
 * that text stays valid after the bytes are overwritten (a socket reusing its read
 * buffer, the framer reusing its carry): read the bytes only during the call.
 */
export type LineSink = (bytes: Buffer, start: number, end: number, text: ChunkText) => void;

/**
 * The longest line kept by default, in UTF-8 bytes (1 MiB): far above any storagenode
 * line, low enough that a peer sending no newline cannot grow memory without bound.
 *
 * @example
 * ```ts
 * forwarderLineBatches({ node: 'node1', maxLineBytes: DEFAULT_MAX_LINE_BYTES / 4 });
 * ```
 */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const EMPTY = Buffer.alloc(0);
const SMALL_CARRY_BYTES = 16 * 1024;

/**
 * The state machine that cuts one byte stream into lines (SPEC §3.1), on the bytes:
 * chunks may split lines and UTF-8 sequences anywhere (a `\n` byte never occurs inside
 * a UTF-8 sequence, so cutting there never splits a character); `\n` and `\r\n` end a
 * line; a line longer than `maxLineBytes` bytes is dropped and reading resynchronises
 * at the next `\n`, so memory stays bounded whatever the peer sends; a partial line at
 * the end is dropped, never emitted. The start of a line that later chunks continue is
 * copied into a buffer that grows geometrically, so a peer trickling a line byte by byte
 * costs linear time. One framer per connection. A chunk is read only while `push` runs,
 * so its producer may reuse it afterwards.
 *
 * @example
 * ```ts
 * const framer = new LineFramer(1 << 20, (reason) => console.warn('dropped', reason));
 * framer.push(Buffer.from('1.0 a\r\n2.0 b\n3.0 cut'), (bytes, start, end, text) => console.log(text.text(start, end)));
 * framer.end(); // warns "dropped partial"
 * ```
 */
export class LineFramer {
  /** The start of an unfinished line: `carry[0, carried)`. */
  private carry = EMPTY;
  private carried = 0;
  private discarding = false;

  /** `maxLineBytes` is a positive integer, checked once by the public entry that takes it (`tcpLogSource`, `forwarderLineBatches`). */
  constructor(
    private readonly maxLineBytes: number,
    private readonly onDrop: (reason: FramingDropReason) => void,
  ) {}

  /** Frames one chunk, calling `sink` for every line it completes. */
  push(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && (this.discarding || this.carried > 0)) {
      // The first line began in an earlier chunk.
      if (this.discarding) this.discarding = false;
      else this.emitCarried(chunk, newline, sink);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (newline !== -1) {
      const text = new ChunkText(chunk);
      do {
        this.emit(chunk, start, newline, text, sink);
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      } while (newline !== -1);
    }
    if (!this.discarding && start < chunk.length) this.keep(chunk, start);
  }

  /** The stream ended (or failed): a partial line left over is dropped and reported. */
  end(): void {
    if (this.carried > 0 && !this.discarding) this.onDrop('partial');
    this.carry = EMPTY;
    this.carried = 0;
    this.discarding = false;
  }

  private emit(bytes: Buffer, start: number, end: number, text: ChunkText, sink: LineSink): void {
    const last = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (last - start > this.maxLineBytes) this.onDrop('oversize');
    else sink(bytes, start, last, text);
  }

  /** A line that began in earlier chunks and ends at `chunk[end]`: completed in the carry, which is then reused. */
  private emitCarried(chunk: Buffer, end: number, sink: LineSink): void {
    if (this.tooLongToCarry(end)) this.onDrop('oversize');
    else {
      this.append(chunk, 0, end);
      const line = this.carry.subarray(0, this.carried);
      this.emit(line, 0, line.length, new ChunkText(line), sink);
    }
    this.carried = 0;
    // A carry grown for a long line is let go; a small one serves the next chunk boundary.
    if (this.carry.length > SMALL_CARRY_BYTES) this.carry = EMPTY;
  }

  /** Keeps `chunk[start..]`, the start of a line, unless the line is already too long to keep. */
  private keep(chunk: Buffer, start: number): void {
    if (this.tooLongToCarry(chunk.length - start)) {
      this.onDrop('oversize');
      this.carry = EMPTY;
      this.carried = 0;
      this.discarding = true;
      return;
    }
    this.append(chunk, start, chunk.length);
  }

  /** The carried line plus `more` bytes is over the limit (with one byte of slack: a trailing `\r` is not part of the line). */
  private tooLongToCarry(more: number): boolean {
    return this.carried + more > this.maxLineBytes + 1;
  }

  /** Appends `chunk[start, end)` to the carry, growing it geometrically (never past `maxLineBytes + 1`). */
  private append(chunk: Buffer, start: number, end: number): void {
    const needed = this.carried + end - start;
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.carry.length * 2 || 256, this.maxLineBytes + 1)));
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, start, end);
    this.carried = needed;
  }
}
