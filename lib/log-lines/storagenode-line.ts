/** What a piecestore event is about, from its `Action` (or, without one, its message). */
export type PieceCategory = 'download' | 'upload' | 'audit' | 'repair' | 'delete' | 'other';

/** How a piecestore transfer went, from its message. */
export type PieceOutcome = 'started' | 'success' | 'canceled' | 'failed' | 'rejected';

/**
 * The piece transfer a piecestore line reports; any field the line lacks is `null`.
 *
 * @example
 * ```ts
 * const piece = parseStorageNodeLine(text).piece;
 * if (piece?.category === 'download' && piece.outcome === 'success') bytesServed += piece.size ?? 0;
 * ```
 */
export interface PieceEvent {
  readonly action: string | null;
  readonly category: PieceCategory;
  readonly outcome: PieceOutcome | null;
  readonly size: number | null;
  readonly pieceId: string | null;
  readonly satelliteId: string | null;
  readonly remoteAddress: string | null;
  /** Why a transfer was canceled or failed, where the line says (`reason` or `error`). */
  readonly reason: string | null;
}

const LEVELS = new Set(['DEBUG', 'INFO', 'WARN', 'ERROR', 'DPANIC', 'PANIC', 'FATAL']);

const OUTCOMES: ReadonlyMap<string, PieceOutcome> = new Map([
  ['download started', 'started'],
  ['upload started', 'started'],
  ['downloaded', 'success'],
  ['uploaded', 'success'],
  ['download canceled', 'canceled'],
  ['download canceled (race lost or node shutdown)', 'canceled'],
  ['upload canceled', 'canceled'],
  ['upload canceled (race lost or node shutdown)', 'canceled'],
  ['download failed', 'failed'],
  ['upload failed', 'failed'],
  ['upload rejected, too many requests', 'rejected'],
]);

const CATEGORIES: ReadonlyMap<string, PieceCategory> = new Map([
  ['GET', 'download'],
  ['PUT', 'upload'],
  ['GET_AUDIT', 'audit'],
  ['GET_REPAIR', 'repair'],
  ['PUT_REPAIR', 'repair'],
  ['DELETE', 'delete'],
  ['PUT_GRACEFUL_EXIT', 'other'],
]);

/**
 * One storagenode log line (SPEC §3.2), split eagerly into time, level, logger and
 * message, with the JSON fields and the piece event parsed lazily, on first read, so
 * consumers that filter on message or logger never pay for `JSON.parse`. Lines of
 * another shape (no time, `pretty` encoding, no JSON) keep what could be read: then the
 * missing parts are `null` and the whole text is the message. Nothing here throws.
 *
 * @example
 * ```ts
 * const entry = new StorageNodeLine('2025-10-06T00:00:14-07:00\tINFO\tpiecestore\tdownloaded\t{"Action": "GET", "Size": 6912}');
 * entry.logger; // 'piecestore'
 * entry.piece?.outcome; // 'success'
 * ```
 */
export class StorageNodeLine {
  /** The node's own ISO-8601 time (one-second precision, local offset), or `null`. */
  readonly time: string | null;
  readonly level: string | null;
  readonly logger: string | null;
  readonly message: string;
  private readonly fieldsText: string | null;
  private parsedFields: Readonly<Record<string, unknown>> | undefined;
  private parsedPiece: PieceEvent | null | undefined;

  constructor(readonly text: string) {
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
    const loggerEnd = text.indexOf('\t', cursor);
    if (loggerEnd !== -1 && loggerEnd < restEnd) {
      this.logger = text.slice(cursor, loggerEnd);
      this.message = text.slice(loggerEnd + 1, restEnd);
    } else {
      this.logger = null;
      this.message = text.slice(cursor, restEnd);
    }
  }

  /** The JSON fields, parsed on first read; `{}` when absent or not a JSON object. */
  get fields(): Readonly<Record<string, unknown>> {
    this.parsedFields ??= parseFields(this.fieldsText);
    return this.parsedFields;
  }

  /** The piece transfer this line reports, or `null` when it reports none. */
  get piece(): PieceEvent | null {
    if (this.parsedPiece === undefined) this.parsedPiece = this.readPiece();
    return this.parsedPiece;
  }

  private readPiece(): PieceEvent | null {
    const outcome = OUTCOMES.get(this.message) ?? null;
    if (this.logger !== 'piecestore' && outcome === null) return null;
    const fields = this.fields;
    const action = stringField(fields, 'Action');
    return {
      action,
      category: (action === null ? undefined : CATEGORIES.get(action)) ?? categoryFromMessage(this.message),
      outcome,
      size: numberField(fields, 'Size'),
      pieceId: stringField(fields, 'Piece ID'),
      satelliteId: stringField(fields, 'Satellite ID') ?? stringField(fields, 'SatelliteID'),
      remoteAddress: stringField(fields, 'Remote Address'),
      reason: stringField(fields, 'reason') ?? stringField(fields, 'error'),
    };
  }
}

/**
 * Parses one storagenode log line (SPEC §3.2); never throws.
 *
 * @example
 * ```ts
 * parseStorageNodeLine('INFO\tpiecestore\tuploaded\t{"Action": "PUT", "Size": 2048}').piece?.size; // 2048
 * ```
 */
export function parseStorageNodeLine(text: string): StorageNodeLine {
  return new StorageNodeLine(text);
}

function looksLikeTime(text: string): boolean {
  // 2025-10-06T00:00:14-07:00: a digit first, the date/time separator at index 10, no spaces.
  const first = text.charCodeAt(0);
  return first >= 48 && first <= 57 && text.charCodeAt(10) === 84 && text.charCodeAt(4) === 45 && !text.includes(' ');
}

function parseFields(text: string | null): Readonly<Record<string, unknown>> {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function stringField(fields: Readonly<Record<string, unknown>>, key: string): string | null {
  const value = fields[key];
  return typeof value === 'string' ? value : null;
}

function numberField(fields: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = fields[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function categoryFromMessage(message: string): PieceCategory {
  if (message.startsWith('download')) return 'download';
  if (message.startsWith('upload')) return 'upload';
  if (message.startsWith('delete')) return 'delete';
  return 'other';
}
