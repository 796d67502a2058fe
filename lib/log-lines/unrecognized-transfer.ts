import type { StorageNodeLine } from './storagenode-line.js';
import { ACTION_CATEGORIES, looksLikeTransfer, TRANSFER_MESSAGES } from './transfer-messages.js';

/** Why a piecestore line that looks like a transfer could not be read. */
export type UnrecognizedReason = 'unknown_message' | 'unknown_fields';

/**
 * Schema drift, seen on one line: why a `piecestore` line looks like a transfer but could
 * not be read, or `null`. A message that speaks of a download, upload or deletion but no
 * release v1.80 .. v1.162 writes is `'unknown_message'`; a transfer message whose line
 * lacks the piece ID every release gives it, the size where every release gives one, or
 * has an action storj.io/common does not define, is `'unknown_fields'` (a field renamed,
 * as `Piece ID` became `piece_id` in v1.146.0-rc). Lines of other loggers are never drift.
 *
 * @example
 * ```ts
 * unrecognizedTransfer(parseStorageNodeLine('INFO\tpiecestore\tdownloaded\t{"pieceID": "X"}')); // 'unknown_fields'
 * ```
 */
export function unrecognizedTransfer(line: StorageNodeLine): UnrecognizedReason | null {
  if (line.logger !== 'piecestore') return null;
  const transfer = TRANSFER_MESSAGES.get(line.message);
  if (transfer === undefined) return looksLikeTransfer(line.message) ? 'unknown_message' : null;
  const piece = line.piece;
  if (piece === null) return null;
  if (transfer.namesPiece && piece.pieceId === null) return 'unknown_fields';
  if (transfer.givesSize && piece.size === null) return 'unknown_fields';
  if (piece.action !== null && !ACTION_CATEGORIES.has(piece.action)) return 'unknown_fields';
  return null;
}
