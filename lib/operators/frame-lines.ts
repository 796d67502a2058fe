import type { OperatorFunction } from 'rxjs';
import { requireInteger } from '../validate.js';
import type { FramingDropReason } from '../log-lines/line-framer.js';
import { framingOperator } from './framing-operator.js';

/** Options of {@link frameLines}. */
export interface FrameLinesOptions {
  /** The longest line kept, in UTF-8 bytes; longer lines are dropped. Defaults to 1 MiB. */
  readonly maxLineBytes?: number;
  /** Called once for every dropped line (`oversize`, or `partial` at the end of the stream). */
  readonly onDrop?: (reason: FramingDropReason) => void;
}

/**
 * Splits a byte stream into text lines (SPEC §3.1) with a `LineFramer`. Chunks may split lines and UTF-8
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
  return framingOperator<Passthrough, string>(maxLineBytes, options.onDrop ?? (() => undefined), (emit) => ({
    sink: (_bytes, start, end, text) => emit(text.text(start, end)),
  }));
}
