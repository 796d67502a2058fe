import type { OperatorFunction } from 'rxjs';
import { LineFramer, type FramingDropReason, type LineSink } from '../log-lines/line-framer.js';
import { operate } from './operate.js';

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
 * `handlers` gets the function that emits downstream. `maxLineBytes` must be a positive
 * integer: the public entry that takes it checks it, once (a `RangeError` naming it), and
 * nothing on the way does again.
 *
 * @example
 * ```ts
 * const upperLines = framingOperator<never, string>(1 << 20, () => undefined, (emit) => ({
 *   sink: (bytes, start, end, text) => emit(text.text(start, end).toUpperCase()),
 * }));
 * ```
 */
export function framingOperator<Passthrough, Out>(
  maxLineBytes: number,
  onDrop: (reason: FramingDropReason) => void,
  handlers: (emit: (value: Out) => void) => FramingHandlers,
): OperatorFunction<Buffer | Passthrough, Out | Passthrough> {
  return operate<Buffer | Passthrough, Out | Passthrough>((subscriber) => {
    const framer = new LineFramer(maxLineBytes, onDrop);
    const { sink, afterChunk } = handlers((value) => subscriber.next(value));
    return {
      next: (value) => {
        if (!Buffer.isBuffer(value)) return subscriber.next(value);
        framer.push(value, sink);
        afterChunk?.();
      },
      error: (error) => {
        framer.end();
        subscriber.error(error);
      },
      complete: () => {
        framer.end();
        subscriber.complete();
      },
    };
  });
}
