import { Observable, type OperatorFunction } from 'rxjs';
import { CancellationPairs } from '../log-lines/cancellation-pairs.js';
import { parseForwarderLine, type ForwarderLine } from '../log-lines/forwarder-line.js';

/** Options of {@link forwarderLines}. */
export interface ForwarderLinesOptions {
  /** The node whose lines these are. */
  readonly node: string;
  /** Called with each line that does not match `<unix_ts> <line>`; it is dropped. */
  readonly onMalformed?: (text: string) => void;
}

/**
 * Turns framed text lines into {@link ForwarderLine}s, dropping (and reporting) the
 * malformed ones; it never ends or errors the stream for bad input. For text you already
 * have: each line is encoded to UTF-8 again to check its shape on the bytes, so bytes
 * from a socket go faster through {@link forwarderLineBatches}. Values that are not
 * strings (such as the `CONNECTED` signal) pass through.
 *
 * @example
 * ```ts
 * tcpConnection({ host, port }).pipe(frameLines(), forwarderLines({ node: 'node1', onMalformed: console.warn }));
 * ```
 */
export function forwarderLines<Passthrough = never>(options: ForwarderLinesOptions): OperatorFunction<string | Passthrough, ForwarderLine | Passthrough> {
  const { node } = options;
  const onMalformed = options.onMalformed ?? (() => undefined);
  return (source) =>
    new Observable<ForwarderLine | Passthrough>((subscriber) => {
      const pairs = new CancellationPairs();
      return source.subscribe({
        next: (value) => {
          if (typeof value !== 'string') return subscriber.next(value);
          const line = parseForwarderLine(node, value, pairs);
          if (line) subscriber.next(line);
          else onMalformed(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
