import { Observable, type OperatorFunction } from 'rxjs';
import { requireInteger } from '../validate.js';
import { ChunkText } from './chunk-text.js';

/** Why a framer drops a line: longer than `maxLineBytes`, or cut off by the stream's end. */
export type FramingDropReason = 'oversize' | 'partial';

/**
 * Receives each complete line as a byte range of a chunk (terminator excluded), still
 * UTF-8: the hot path decodes nothing, so a consumer pays for the text it reads
 * (`chunk.text(start, end)`). The range stays valid: the chunk is the one received, or
 * for a line that spanned chunks, a Buffer of its own.
 */
export type LineSink = (chunk: ChunkText, start: number, end: number) => void;

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
 * costs linear time. One framer per connection; the chunks it is given must not be
 * reused by their producer.
 *
 * @example
 * ```ts
 * const framer = new LineFramer(1 << 20, (reason) => console.warn('dropped', reason));
 * framer.push(Buffer.from('1.0 a\r\n2.0 b\n3.0 cut'), (chunk, start, end) => console.log(chunk.text(start, end)));
 * framer.end(); // warns "dropped partial"
 * ```
 */
export class LineFramer {
  /** The start of an unfinished line: `carry[0, carried)`. */
  private carry = EMPTY;
  private carried = 0;
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onDrop: (reason: FramingDropReason) => void,
  ) {
    requireInteger('maxLineBytes', maxLineBytes, 1);
  }

  /** Frames one chunk, calling `sink` for every line it completes. */
  push(chunk: Buffer, sink: LineSink): void {
    let newline = chunk.indexOf(NEWLINE);
    let start = 0;
    if (newline !== -1) {
      const text = new ChunkText(chunk);
      do {
        if (this.discarding) this.discarding = false;
        else if (this.carried > 0) this.emitCarried(chunk, start, newline, sink);
        else this.emit(text, start, newline, sink);
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

  private emit(chunk: ChunkText, start: number, end: number, sink: LineSink): void {
    const last = end > start && chunk.bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (last - start > this.maxLineBytes) this.onDrop('oversize');
    else sink(chunk, start, last);
  }

  /** A line that began in earlier chunks: its bytes joined into a Buffer of its own (the carry is reused). */
  private emitCarried(chunk: Buffer, start: number, end: number, sink: LineSink): void {
    const line = Buffer.allocUnsafe(this.carried + end - start);
    this.carry.copy(line, 0, 0, this.carried);
    chunk.copy(line, this.carried, start, end);
    this.carried = 0;
    // A carry grown for a long line is let go; a small one serves the next chunk boundary.
    if (this.carry.length > SMALL_CARRY_BYTES) this.carry = EMPTY;
    this.emit(new ChunkText(line), 0, line.length, sink);
  }

  /** Keeps `chunk[start..]`, the start of a line, unless the line is already too long to keep. */
  private keep(chunk: Buffer, start: number): void {
    const needed = this.carried + chunk.length - start;
    // One byte of slack: a trailing `\r` is not part of the line.
    if (needed > this.maxLineBytes + 1) {
      this.onDrop('oversize');
      this.carry = EMPTY;
      this.carried = 0;
      this.discarding = true;
      return;
    }
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.carry.length * 2 || 256, this.maxLineBytes + 1)));
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, start);
    this.carried = needed;
  }
}

/** What a framing operator does with the lines of one subscription. */
export interface FramingHandlers {
  /** Receives each complete line. */
  readonly sink: LineSink;
  /** Called after each chunk is framed (to emit what the chunk produced). */
  readonly afterChunk?: () => void;
}

/**
 * The shape every framing operator shares: a {@link LineFramer} per subscription,
 * Buffers framed, other values (such as `CONNECTED`) passed through in order, and the
 * framer ended (its partial line reported) when the stream completes or fails.
 * `handlers` gets the function that emits downstream.
 *
 * @example
 * ```ts
 * const upperLines = framingOperator<never, string>(1 << 20, () => undefined, (emit) => ({
 *   sink: (chunk, start, end) => emit(chunk.text(start, end).toUpperCase()),
 * }));
 * ```
 */
export function framingOperator<Passthrough, Out>(
  maxLineBytes: number,
  onDrop: (reason: FramingDropReason) => void,
  handlers: (emit: (value: Out) => void) => FramingHandlers,
): OperatorFunction<Buffer | Passthrough, Out | Passthrough> {
  requireInteger('maxLineBytes', maxLineBytes, 1);
  return (source) =>
    new Observable<Out | Passthrough>((subscriber) => {
      const framer = new LineFramer(maxLineBytes, onDrop);
      const { sink, afterChunk } = handlers((value) => subscriber.next(value));
      return source.subscribe({
        next: (value) => {
          if (!Buffer.isBuffer(value)) return subscriber.next(value as Passthrough);
          framer.push(value, sink);
          afterChunk?.();
        },
        error: (error: unknown) => {
          framer.end();
          subscriber.error(error);
        },
        complete: () => {
          framer.end();
          subscriber.complete();
        },
      });
    });
}
