import { Observable, type OperatorFunction } from 'rxjs';
import type { FramingDropReason } from './frame-lines.js';
import { StorageNodeLine } from './storagenode-line.js';

/** Why a log line was dropped instead of emitted (SPEC §3.1): framing, or not `<unix_ts> <line>`. */
export type DropReason = FramingDropReason | 'malformed';

/**
 * One line from a log forwarder (SPEC §3.1), tagged with its node. The forwarder's
 * timestamp is kept both as parsed seconds and as the text received, because a 16-digit
 * float is at the edge of double precision: order or de-duplicate on `timestampText`.
 * `entry` parses the storagenode line (SPEC §3.2) on first read.
 *
 * @example
 * ```ts
 * lines$.subscribe((line) => {
 *   console.log(line.node, line.timestamp, line.entry.message);
 * });
 * ```
 */
export class ForwarderLine {
  private parsedEntry: StorageNodeLine | undefined;

  constructor(
    readonly node: string,
    /** The forwarder's Unix time in seconds. */
    readonly timestamp: number,
    /** The timestamp exactly as received, e.g. `1759735252.123`. */
    readonly timestampText: string,
    /** The storagenode log line, after the timestamp and its one space. */
    readonly line: string,
  ) {}

  /** The storagenode line, parsed on first read. */
  get entry(): StorageNodeLine {
    this.parsedEntry ??= new StorageNodeLine(this.line);
    return this.parsedEntry;
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
  const space = text.indexOf(' ');
  if (space <= 0 || space === text.length - 1) return null;
  let dots = 0;
  for (let index = 0; index < space; index++) {
    const code = text.charCodeAt(index);
    if (code === 46) {
      if (++dots > 1 || index === 0 || index === space - 1) return null;
    } else if (code < 48 || code > 57) return null;
  }
  const timestampText = text.slice(0, space);
  return new ForwarderLine(node, Number(timestampText), timestampText, text.slice(space + 1));
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
