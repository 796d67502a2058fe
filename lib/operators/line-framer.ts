import { StringDecoder } from 'node:string_decoder';
import { Observable, type OperatorFunction } from 'rxjs';
import { requireInteger } from '../validate.js';

/** Why a framer drops a line: longer than `maxLineBytes`, or cut off by the stream's end. */
export type FramingDropReason = 'oversize' | 'partial';

/**
 * Receives each complete line as a range of `text` (terminator excluded), so a consumer
 * slices only what it keeps: the hot path makes no intermediate line string.
 */
export type LineSink = (text: string, start: number, end: number) => void;

/**
 * The state machine that cuts one byte stream into lines (SPEC §3.1): chunks may split
 * lines and UTF-8 sequences anywhere; `\n` and `\r\n` end a line; invalid UTF-8 becomes
 * U+FFFD; a line longer than `maxLineBytes` is dropped and reading resynchronises at the
 * next `\n`, so memory stays bounded whatever the peer sends; a partial line at the end
 * is dropped, never emitted. One framer per connection.
 *
 * @example
 * ```ts
 * const framer = new LineFramer(1 << 20, (reason) => console.warn('dropped', reason));
 * framer.push(Buffer.from('1.0 a\r\n2.0 b\n3.0 cut'), (text, start, end) => console.log(text.slice(start, end)));
 * framer.end(); // warns "dropped partial"
 * ```
 */
export class LineFramer {
  private readonly decoder = new StringDecoder('utf8');
  /** A UTF-16 code unit is at most 3 UTF-8 bytes: shorter text cannot be oversize. */
  private readonly safeLength: number;
  private partial = '';
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onDrop: (reason: FramingDropReason) => void,
  ) {
    requireInteger('maxLineBytes', maxLineBytes, 1);
    this.safeLength = Math.floor(maxLineBytes / 3);
  }

  /** Frames one chunk, calling `sink` for every line it completes. */
  push(chunk: Buffer, sink: LineSink): void {
    const text = this.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (this.discarding) this.discarding = false;
      else if (this.partial) {
        const line = this.partial + text.slice(start, newline);
        this.partial = '';
        this.emit(line, 0, line.length, sink);
      } else this.emit(text, start, newline, sink);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (this.discarding || start === text.length) return;
    this.partial = start === 0 ? this.partial + text : this.partial + text.slice(start);
    if (this.oversize(this.partial, 0, this.partial.length)) {
      this.onDrop('oversize');
      this.partial = '';
      this.discarding = true;
    }
  }

  /** The stream ended (or failed): a partial line left over is dropped and reported. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    if (rest && !this.discarding) this.onDrop('partial');
    this.partial = '';
    this.discarding = false;
  }

  private emit(text: string, start: number, end: number, sink: LineSink): void {
    const last = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (this.oversize(text, start, last)) this.onDrop('oversize');
    else sink(text, start, last);
  }

  private oversize(text: string, start: number, end: number): boolean {
    return end - start > this.safeLength && Buffer.byteLength(text.slice(start, end)) > this.maxLineBytes;
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
 *   sink: (text, start, end) => emit(text.slice(start, end).toUpperCase()),
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
