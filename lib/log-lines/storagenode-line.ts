import type { CancellationPairs } from './cancellation-pairs.js';
import { readPieceEvent, type PieceEvent } from './piece-event.js';
import { unrecognizedTransfer, type UnrecognizedReason } from './unrecognized-transfer.js';
import { keyedRecord } from '../keyed-record.js';

const LEVELS = new Set(['DEBUG', 'INFO', 'WARN', 'ERROR', 'DPANIC', 'PANIC', 'FATAL']);

// The keys storj's encoder config gives the entry in `log.encoding=json` (storj.io/common
// process/logging.go, unchanged v1.80 .. v1.162): level, time, logger, caller, message, stack.
const JSON_ENTRY_KEYS = new Set(['L', 'T', 'N', 'C', 'M', 'S']);

/**
 * One storagenode log line (SPEC §3.2) as zap writes it with storj's encoder config
 * (storj.io/common `process/logging.go`; storj.io/private before v1.96):
 *
 * - console encoding (the default): `[time]\tLEVEL\t[logger]\t[caller]\tmessage\t[{JSON}]`.
 *   The time is absent with `STORJ_LOG_NOTIME`; ISO-8601 with milliseconds and a `+hhmm`
 *   offset up to v1.82 (`2023-06-01T10:15:04.207+0200`), RFC 3339 to the second from
 *   v1.83.0-rc (storj.io/private `ccd4db5a`: `2023-07-20T09:41:03+02:00`); it is kept as
 *   text. The caller column (`piecestore/endpoint.go:714`) is there with `log.caller=true`;
 *   root-logger lines have no logger column.
 * - `log.encoding=json`: one object, `L` level, `T` time, `N` logger, `C` caller, `M`
 *   message, and the fields beside them.
 *
 * Time, level, logger, caller and message are read at once (indexOf and slices, no split;
 * a JSON line is parsed whole), the fields and the piece event on first read, so a
 * consumer that filters on message or logger never pays for `JSON.parse`. Lines of another
 * shape (`pretty` encoding, free text) keep their whole text as the message, with `null`
 * for the rest. Nothing here throws.
 *
 * @example
 * ```ts
 * const entry = new StorageNodeLine('2026-11-30T21:47:02-08:00\tINFO\tpiecestore\tdownloaded\t{"piece_id": "X", "action": "GET", "size": 6912}');
 * entry.logger; // 'piecestore'
 * entry.piece?.outcome; // 'success'
 * ```
 */
export class StorageNodeLine {
  /** The node's own time as written (see above), or `null`. */
  readonly time: string | null;
  readonly level: string | null;
  readonly logger: string | null;
  /** The `file.go:line` of the log call, with `log.caller=true`; otherwise `null`. */
  readonly caller: string | null;
  readonly message: string;
  private readonly fieldsText: string | null;
  private parsedFields: Readonly<Record<string, unknown>> | undefined;
  private parsedPiece: PieceEvent | null | undefined;
  private parsedUnrecognized: UnrecognizedReason | null | undefined;

  /** `pairs`: the memory of the line's stream, see {@link CancellationPairs}. */
  constructor(
    readonly text: string,
    private readonly pairs?: CancellationPairs,
  ) {
    if (text.charCodeAt(0) === 123) {
      const entry = jsonEntry(text);
      if (entry !== null) {
        this.time = stringOrNull(entry.T);
        this.level = entry.L as string;
        this.logger = stringOrNull(entry.N);
        this.caller = stringOrNull(entry.C);
        this.message = entry.M as string;
        this.fieldsText = null;
        this.parsedFields = fieldsOf(entry);
        return;
      }
    }
    // indexOf and slices, no split: this runs once per line of every node.
    let cursor = 0;
    let tab = text.indexOf('\t');
    const first = tab === -1 ? text : text.slice(0, tab);
    this.time = looksLikeTime(first) ? first : null;
    if (this.time !== null) {
      cursor = tab === -1 ? text.length : tab + 1;
      tab = text.indexOf('\t', cursor);
    }
    const level = tab === -1 ? text.slice(cursor) : text.slice(cursor, tab);
    this.level = LEVELS.has(level) ? level : null;
    if (this.level === null) {
      this.logger = null;
      this.caller = null;
      this.message = this.time === null ? text : text.slice(cursor);
      this.fieldsText = null;
      return;
    }
    cursor = tab === -1 ? text.length : tab + 1;
    // The JSON fields follow the last tab (JSON has no raw tabs). Found with indexOf going
    // forward: V8's lastIndexOf scans backwards one character at a time, several times slower.
    let lastTab = -1;
    for (let next = text.indexOf('\t', cursor); next !== -1; next = text.indexOf('\t', next + 1)) lastTab = next;
    const jsonStart = text.charCodeAt(lastTab + 1);
    const hasJson = lastTab >= cursor && (jsonStart === 123 || jsonStart === 91);
    const restEnd = hasJson ? lastTab : text.length;
    this.fieldsText = hasJson ? text.slice(lastTab + 1) : null;
    // Before the message: a logger, a caller, both (logger first) or neither.
    const firstEnd = text.indexOf('\t', cursor);
    if (firstEnd === -1 || firstEnd >= restEnd) {
      this.logger = null;
      this.caller = null;
      this.message = text.slice(cursor, restEnd);
      return;
    }
    if (isCaller(text, cursor, firstEnd)) {
      this.logger = null;
      this.caller = text.slice(cursor, firstEnd);
      this.message = text.slice(firstEnd + 1, restEnd);
      return;
    }
    this.logger = text.slice(cursor, firstEnd);
    const secondEnd = text.indexOf('\t', firstEnd + 1);
    if (secondEnd !== -1 && secondEnd < restEnd && isCaller(text, firstEnd + 1, secondEnd)) {
      this.caller = text.slice(firstEnd + 1, secondEnd);
      this.message = text.slice(secondEnd + 1, restEnd);
    } else {
      this.caller = null;
      this.message = text.slice(firstEnd + 1, restEnd);
    }
  }

  /** The JSON fields, parsed on first read; `{}` when absent or not a JSON object. */
  get fields(): Readonly<Record<string, unknown>> {
    this.parsedFields ??= parseFields(this.fieldsText);
    return this.parsedFields;
  }

  /**
   * The piece transfer this line reports, or `null` when it reports none: only
   * `piecestore` lines with a transfer message have one (every message of v1.80 ..
   * v1.162, see `TRANSFER_MESSAGES`).
   */
  get piece(): PieceEvent | null {
    if (this.parsedPiece === undefined) {
      this.parsedPiece = this.logger === 'piecestore' ? readPieceEvent(this.fields, this.level, this.message, this.pairs) : null;
    }
    return this.parsedPiece;
  }

  /**
   * Why this `piecestore` line looks like a transfer but could not be read: a message no
   * known release writes (`'unknown_message'`), or a known one whose piece, size or action
   * is missing or unknown (`'unknown_fields'`); `null` for every other line. This is how
   * a format change of a newer release shows (schema drift).
   */
  get unrecognized(): UnrecognizedReason | null {
    if (this.parsedUnrecognized === undefined) this.parsedUnrecognized = unrecognizedTransfer(this);
    return this.parsedUnrecognized;
  }
}

/**
 * Parses one storagenode log line (SPEC §3.2); never throws.
 *
 * @example
 * ```ts
 * parseStorageNodeLine('INFO\tpiecestore\tuploaded\t{"action": "PUT", "size": 2048}').piece?.size; // 2048
 * ```
 */
export function parseStorageNodeLine(text: string): StorageNodeLine {
  return new StorageNodeLine(text);
}

function looksLikeTime(text: string): boolean {
  // 2025-10-06T00:00:14-07:00 or 2023-06-01T10:15:04.207+0200: a digit first, the
  // date/time separator at index 10, no spaces.
  const first = text.charCodeAt(0);
  return first >= 48 && first <= 57 && text.charCodeAt(10) === 84 && text.charCodeAt(4) === 45 && !text.includes(' ');
}

/** Whether `text[start, end)` is a zap short caller, `dir/file.go:123`. */
function isCaller(text: string, start: number, end: number): boolean {
  let index = end - 1;
  while (index > start && (text.charCodeAt(index) - 48) >>> 0 < 10) index--;
  return index < end - 1 && text.charCodeAt(index) === 58 && index - 3 > start && text.startsWith('.go', index - 3);
}

/** A `log.encoding=json` entry: an object with a known level `L` and a string message `M`. */
function jsonEntry(text: string): Readonly<Record<string, unknown>> | null {
  const value = parseObject(text);
  return value !== null && typeof value.L === 'string' && LEVELS.has(value.L) && typeof value.M === 'string' ? value : null;
}

function fieldsOf(entry: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const fields = keyedRecord<unknown>();
  for (const key of Object.keys(entry)) if (!JSON_ENTRY_KEYS.has(key)) fields[key] = entry[key];
  return fields;
}

function parseFields(text: string | null): Readonly<Record<string, unknown>> {
  return (text === null ? null : parseObject(text)) ?? {};
}

function parseObject(text: string): Readonly<Record<string, unknown>> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
