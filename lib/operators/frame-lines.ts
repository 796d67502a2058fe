import { StringDecoder } from 'node:string_decoder';
import { Observable, type OperatorFunction } from 'rxjs';
import { requireInteger } from '../validate.js';

/** Why {@link frameLines} drops a line: longer than `maxLineBytes`, or cut off by the stream's end. */
export type FramingDropReason = 'oversize' | 'partial';

/** Options of {@link frameLines}. */
export interface FrameLinesOptions {
  /** The longest line kept, in UTF-8 bytes; longer lines are dropped. Defaults to 1 MiB. */
  readonly maxLineBytes?: number;
  /** Called once for every dropped line (`oversize`, or `partial` at the end of the stream). */
  readonly onDrop?: (reason: FramingDropReason) => void;
}

/**
 * Splits a byte stream into text lines (SPEC §3.1). Chunks may split lines and UTF-8
 * sequences anywhere; `\n` and `\r\n` both end a line (without the terminator); invalid
 * UTF-8 becomes U+FFFD. A line longer than `maxLineBytes` is dropped and reading
 * resynchronises at the next `\n`, so memory stays bounded whatever the peer sends. A
 * partial line when the stream ends or fails is dropped, never emitted. Values that are
 * not Buffers (such as the `CONNECTED` signal) pass through in order.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { frameLines } from 'storj-monitor-rx';
 *
 * of(Buffer.from('1759735252.1 a\r\n17597'), Buffer.from('35253.2 b\npartial'))
 *   .pipe(frameLines({ onDrop: (reason) => console.warn('dropped', reason) }))
 *   .subscribe(console.log); // '1759735252.1 a', '1759735253.2 b', then "dropped partial"
 * ```
 */
export function frameLines<Passthrough = never>(options: FrameLinesOptions = {}): OperatorFunction<Buffer | Passthrough, string | Passthrough> {
  const maxLineBytes = requireInteger('maxLineBytes', options.maxLineBytes ?? 1024 * 1024, 1);
  const onDrop = options.onDrop ?? (() => undefined);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: shorter strings cannot be oversize, so
  // the exact byte count is only taken for the rare long line.
  const safeLength = Math.floor(maxLineBytes / 3);
  const oversize = (text: string): boolean => text.length > safeLength && Buffer.byteLength(text) > maxLineBytes;

  return (source) =>
    new Observable<string | Passthrough>((subscriber) => {
      const decoder = new StringDecoder('utf8');
      let partial = '';
      let discarding = false;

      const emitLine = (line: string): void => {
        const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
        if (oversize(text)) onDrop('oversize');
        else subscriber.next(text);
      };

      const receive = (chunk: Buffer): void => {
        const text = decoder.write(chunk);
        let start = 0;
        let newline = text.indexOf('\n');
        while (newline !== -1) {
          if (discarding) discarding = false;
          else if (partial) {
            const line = partial + text.slice(start, newline);
            partial = '';
            emitLine(line);
          } else emitLine(text.slice(start, newline));
          start = newline + 1;
          newline = text.indexOf('\n', start);
        }
        if (discarding || start === text.length) return;
        partial = start === 0 ? partial + text : partial + text.slice(start);
        if (oversize(partial)) {
          onDrop('oversize');
          partial = '';
          discarding = true;
        }
      };

      const dropPartial = (): void => {
        const rest = partial + decoder.end();
        if (rest && !discarding) onDrop('partial');
        partial = '';
      };

      return source.subscribe({
        next: (value) => (Buffer.isBuffer(value) ? receive(value) : subscriber.next(value as Passthrough)),
        error: (error: unknown) => {
          dropPartial();
          subscriber.error(error);
        },
        complete: () => {
          dropPartial();
          subscriber.complete();
        },
      });
    });
}
