import type { CancellationPairs } from './cancellation-pairs.js';
import { ACTION_CATEGORIES, TRANSFER_MESSAGES, type PieceCategory, type PieceOutcome } from './transfer-messages.js';

/**
 * The piece transfer a piecestore line reports; any field the line lacks is `null`.
 *
 * @example
 * ```ts
 * const piece = parseStorageNodeLine(text).piece;
 * if (piece?.category === 'download' && piece.outcome === 'success' && piece.duplicateOf === null) bytesServed += piece.size ?? 0;
 * ```
 */
export interface PieceEvent {
  readonly action: string | null;
  readonly category: PieceCategory;
  readonly outcome: PieceOutcome;
  readonly size: number | null;
  readonly pieceId: string | null;
  readonly satelliteId: string | null;
  readonly remoteAddress: string | null;
  /** Why a transfer was canceled or failed, where the line says (`reason` or `error`). */
  readonly reason: string | null;
  /**
   * The message of the line this one repeats, when storj logs one event as two lines
   * (a cancellation: INFO `download canceled (race lost or node shutdown)` then DEBUG
   * `download canceled`; up to v1.112 also INFO `upload canceled (race lost or node
   * shutdown)` then DEBUG `upload failed`); `null` for a line that is an event of its own.
   * Counters skip lines where it is set, so each cancellation counts once.
   */
  readonly duplicateOf: string | null;
}

/** A JSON object of log fields. */
type Fields = Readonly<Record<string, unknown>>;

// The field names, newest first: snake_case from v1.146.0-rc (storj commit 7d89b49dad,
// "all: Homogenize zap fields"); before, `Piece ID`, `Satellite ID`, `Action`, `Size`,
// `Remote Address` (v1.80.3 .. v1.145.3); `SatelliteID` on releases before those.
const PIECE_ID = ['piece_id', 'Piece ID'] as const;
const SATELLITE_ID = ['satellite_id', 'Satellite ID', 'SatelliteID'] as const;
const ACTION = ['action', 'Action'] as const;
const SIZE = ['size', 'Size'] as const;
const REMOTE_ADDRESS = ['remote_address', 'Remote Address'] as const;

const DOWNLOAD_RACE_LOST = 'download canceled (race lost or node shutdown)';
const UPLOAD_RACE_LOST = 'upload canceled (race lost or node shutdown)';

/**
 * The piece event of a `piecestore` line with `message` at `level`, or `null` when the
 * message is no transfer (TRANSFER_MESSAGES). `pairs`, the memory of the line's stream,
 * marks the second line of a two-line upload cancellation (v1.86 .. v1.112); without it
 * only the download pair, which needs none, is marked.
 *
 * @example
 * ```ts
 * readPieceEvent({ piece_id: 'X', action: 'GET', size: 512 }, 'INFO', 'downloaded')?.outcome; // 'success'
 * ```
 */
export function readPieceEvent(fields: Fields, level: string | null, message: string, pairs?: CancellationPairs): PieceEvent | null {
  const transfer = TRANSFER_MESSAGES.get(message);
  if (transfer === undefined) return null;
  const action = firstString(fields, ACTION);
  const pieceId = firstString(fields, PIECE_ID);
  return {
    action,
    category: (action === null ? undefined : ACTION_CATEGORIES.get(action)) ?? (action === null ? transfer.category : 'other'),
    outcome: transfer.outcome,
    size: firstNumber(fields, SIZE),
    pieceId,
    satelliteId: firstString(fields, SATELLITE_ID),
    remoteAddress: firstString(fields, REMOTE_ADDRESS),
    reason: firstString(fields, ['reason', 'error']),
    duplicateOf: duplicateOf(level, message, pieceId, pairs),
  };
}

function duplicateOf(level: string | null, message: string, pieceId: string | null, pairs: CancellationPairs | undefined): string | null {
  if (message === UPLOAD_RACE_LOST) {
    if (pieceId !== null) pairs?.remember(pieceId);
    return null;
  }
  if (level !== 'DEBUG') return null;
  if (message === 'download canceled') return DOWNLOAD_RACE_LOST;
  if (message === 'upload failed' && pieceId !== null && pairs?.take(pieceId) === true) return UPLOAD_RACE_LOST;
  return null;
}

function firstString(fields: Fields, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

function firstNumber(fields: Fields, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}
