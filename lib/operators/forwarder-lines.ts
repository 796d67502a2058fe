import { Observable, type OperatorFunction } from 'rxjs';
import { framingOperator, type FramingDropReason } from './line-framer.js';
import { StorageNodeLine } from './storagenode-line.js';

/** Why a log line was dropped instead of emitted (SPEC §3.1): framing, or not `<unix_ts> <line>`. */
export type DropReason = FramingDropReason | 'malformed';

/**
 * One line from a log forwarder (SPEC §3.1), tagged with its node. The forwarder's
 * timestamp is there both as seconds and as the text received, because a 16-digit float
 * is at the edge of double precision: order or de-duplicate on `timestampText`. Every
 * field is read lazily from the received text (`entry` parses the storagenode line of
 * SPEC §3.2 on first read), so a consumer pays only for what it reads.
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
   * A line is `source.slice(start, end)` with its timestamp's space at `space`; nothing
   * is sliced until read. (A slice would keep `source` alive just the same.)
   */
  constructor(
    readonly node: string,
    private readonly source: string,
    private readonly start: number,
    private readonly space: number,
    private readonly end: number,
  ) {}

  /** The timestamp exactly as received, e.g. `1759735252.123`. */
  get timestampText(): string {
    this.timestampCache ??= this.source.slice(this.start, this.space);
    return this.timestampCache;
  }

  /** The forwarder's Unix time in seconds. */
  get timestamp(): number {
    return Number(this.timestampText);
  }

  /** The storagenode log line, after the timestamp and its one space. */
  get line(): string {
    this.lineCache ??= this.source.slice(this.space + 1, this.end);
    return this.lineCache;
  }

  /** The storagenode line, parsed on first read. */
  get entry(): StorageNodeLine {
    this.entryCache ??= new StorageNodeLine(this.line);
    return this.entryCache;
  }

  /** What a line is on the wire and in JSON: its readable fields. */
  toJSON(): { node: string; timestamp: number; timestampText: string; line: string } {
    return { node: this.node, timestamp: this.timestamp, timestampText: this.timestampText, line: this.line };
  }
}

/**
 * Parses `<unix_ts> <line>` (a non-negative decimal number, ONE space, non-empty text);
 * `null` when the text is not of that shape.
 *
 * @example
 * ```ts
 * parseForwarderLine('node1', '1759735252.123 hello')?.timestampText; // '1759735252.123'
 * parseForwarderLine('node1', 'hello'); // null
 * ```
 */
export function parseForwarderLine(node: string, text: string): ForwarderLine | null {
  return parseForwarderLineAt(node, text, 0, text.length);
}

/**
 * {@link parseForwarderLine} of `text.slice(start, end)`, without making that slice:
 * the framer's hot path hands over ranges of the decoded chunk.
 *
 * @example
 * ```ts
 * parseForwarderLineAt('node1', 'x\n1.5 hello\n', 2, 11)?.line; // 'hello'
 * ```
 */
export function parseForwarderLineAt(node: string, text: string, start: number, end: number): ForwarderLine | null {
  // One pass over the timestamp: digits with at most one inner dot, then ONE space.
  let dots = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) continue;
    if (code === 32) {
      if (index === start || index === end - 1 || text.charCodeAt(index - 1) === 46) return null;
      return new ForwarderLine(node, text, start, index, end);
    }
    if (code !== 46 || ++dots > 1 || index === start) return null;
  }
  return null;
}

/** Options of {@link forwarderLineBatches}. */
export interface ForwarderLineBatchesOptions {
  readonly node: string;
  /** Defaults to 1 MiB. */
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
  const { node } = options;
  const onDrop = options.onDrop ?? (() => undefined);
  return framingOperator<Passthrough, ForwarderLine[]>(options.maxLineBytes ?? 1024 * 1024, onDrop, (emit) => {
    let batch: ForwarderLine[] = [];
    return {
      sink: (text, start, end) => {
        const line = parseForwarderLineAt(node, text, start, end);
        if (line) batch.push(line);
        else onDrop('malformed', text.slice(start, end));
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

/** Options of {@link forwarderLines}. */
export interface ForwarderLinesOptions {
  /** The node whose lines these are. */
  readonly node: string;
  /** Called with each line that does not match `<unix_ts> <line>`; it is dropped. */
  readonly onMalformed?: (text: string) => void;
}

/**
 * Turns framed text lines into {@link ForwarderLine}s, dropping (and reporting) the
 * malformed ones; it never ends or errors the stream for bad input. Values that are not
 * strings (such as the `CONNECTED` signal) pass through.
 *
 * @example
 * ```ts
 * tcpConnection({ host, port }).pipe(frameLines(), forwarderLines({ node: 'node1', onMalformed: console.warn }));
 * ```
 */
export function forwarderLines<Passthrough = never>(
  options: ForwarderLinesOptions,
): OperatorFunction<string | Passthrough, ForwarderLine | Passthrough> {
  const { node } = options;
  const onMalformed = options.onMalformed ?? (() => undefined);
  return (source) =>
    new Observable<ForwarderLine | Passthrough>((subscriber) =>
      source.subscribe({
        next: (value) => {
          if (typeof value !== 'string') return subscriber.next(value);
          const line = parseForwarderLine(node, value);
          if (line) subscriber.next(line);
          else onMalformed(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
