import { noop, type OperatorFunction } from 'rxjs';
import { CancellationPairs } from '../log-lines/cancellation-pairs.js';
import type { DropReason } from '../log-lines/drop-reason.js';
import { DEFAULT_MAX_LINE_BYTES } from '../log-lines/line-framer.js';
import { parseForwarderLineAt, type ForwarderLine } from '../log-lines/forwarder-line.js';
import { requireInteger } from '../validate.js';
import { framingOperator } from './framing-operator.js';

/** Options of {@link forwarderLineBatches}. */
export interface ForwarderLineBatchesOptions {
  readonly node: string;
  /** The longest line kept, in UTF-8 bytes. Defaults to {@link DEFAULT_MAX_LINE_BYTES} (1 MiB). */
  readonly maxLineBytes?: number;
  /** Called once for every dropped line, with the text of a malformed one. */
  readonly onDrop?: (reason: DropReason, text?: string) => void;
}

/**
 * Bytes in, one array of {@link ForwarderLine}s per chunk out: framing
 * (`LineFramer`) and parsing fused, so the lines of a chunk pass the rest of a
 * pipeline as one value. This is what keeps `tcpLogSource` near the speed of a
 * hand-written splitter; flatten with `mergeAll()` or `flattenBatches()`. Values that
 * are not Buffers (such as `CONNECTED`) pass through.
 *
 * @example
 * ```ts
 * tcpConnection({ host, port }).pipe(forwarderLineBatches({ node: 'node1' }), retryWithState(), flattenBatches());
 * ```
 */
export function forwarderLineBatches<Passthrough = never>(
  options: ForwarderLineBatchesOptions,
): OperatorFunction<Buffer | Passthrough, ForwarderLine[] | Passthrough> {
  return uncheckedForwarderLineBatches<Passthrough>({
    node: options.node,
    maxLineBytes: requireInteger('maxLineBytes', options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, 1),
    onDrop: options.onDrop ?? noop,
  });
}

/**
 * {@link forwarderLineBatches} with every option given and `maxLineBytes` not checked:
 * for a caller that checked it at its own public entry (`tcpLogSource`), so that no
 * value is validated twice along one path. Not exported from the package.
 *
 * @example
 * ```ts
 * tcpConnection({ host, port }).pipe(uncheckedForwarderLineBatches({ node: 'node1', maxLineBytes, onDrop }));
 * ```
 */
export function uncheckedForwarderLineBatches<Passthrough = never>(
  options: Required<ForwarderLineBatchesOptions>,
): OperatorFunction<Buffer | Passthrough, ForwarderLine[] | Passthrough> {
  const { node, onDrop } = options;
  return framingOperator<Passthrough, ForwarderLine[]>(options.maxLineBytes, onDrop, (emit) => {
    let batch: ForwarderLine[] = [];
    const pairs = new CancellationPairs();
    return {
      sink: (bytes, start, end, text) => {
        const line = parseForwarderLineAt(node, bytes, start, end, text, pairs);
        if (line) batch.push(line);
        else onDrop('malformed', text.text(start, end));
      },
      afterChunk: () => {
        if (batch.length === 0) return;
        const lines = batch;
        batch = [];
        emit(lines);
      },
    };
  });
}
