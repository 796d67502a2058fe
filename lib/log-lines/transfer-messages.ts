/** What a piecestore event is about, from its action (or, without one, its message). */
export type PieceCategory = 'download' | 'upload' | 'audit' | 'repair' | 'delete' | 'other';

/** How a piecestore transfer went, from its message. */
export type PieceOutcome = 'started' | 'success' | 'canceled' | 'failed' | 'rejected';

/** What one transfer message of the `piecestore` logger says, and which fields it always carries. */
export interface TransferMessage {
  readonly category: PieceCategory;
  readonly outcome: PieceOutcome;
  /** Every storj release that writes the message names the piece (all but the rejection). */
  readonly namesPiece: boolean;
  /** Every storj release that writes the message gives the transfer's size in bytes. */
  readonly givesSize: boolean;
}

const message = (category: PieceCategory, outcome: PieceOutcome, namesPiece = true, givesSize = false): TransferMessage => ({
  category,
  outcome,
  namesPiece,
  givesSize,
});

/**
 * Every transfer message storj's piecestore endpoint (`storagenode/piecestore/endpoint.go`)
 * wrote from v1.80 to v1.162, as read in storj/storj at each minor release's first tag:
 *
 * - v1.80.3 .. v1.162.3: `download started`, `downloaded`, `download canceled`,
 *   `download failed`, `upload started`, `uploaded`, `upload canceled`, `upload failed`,
 *   `upload rejected, too many requests` (ERROR up to v1.121, INFO from v1.122.1; no piece,
 *   only the live request count and the limit). `started` lines are INFO up to v1.115 and
 *   DEBUG from v1.116.3. `upload failed` is ERROR, DEBUG (a cancellation, v1.86.1 on) or
 *   WARN (a client that went away, v1.147.4 on).
 * - v1.86.1 on: `download canceled (race lost or node shutdown)`; up to v1.112 also
 *   `upload canceled (race lost or node shutdown)` (gone in v1.113.1).
 * - up to v1.117: `deleted` and `delete failed` (the Delete endpoint, removed in v1.118.4).
 *
 * `downloaded`, `uploaded` and the plain `canceled` lines always carry the size;
 * `download failed` does not when the order limit was refused (v1.80 .. v1.121).
 */
export const TRANSFER_MESSAGES: ReadonlyMap<string, TransferMessage> = new Map([
  ['download started', message('download', 'started')],
  ['downloaded', message('download', 'success', true, true)],
  ['download canceled', message('download', 'canceled', true, true)],
  ['download canceled (race lost or node shutdown)', message('download', 'canceled')],
  ['download failed', message('download', 'failed')],
  ['upload started', message('upload', 'started')],
  ['uploaded', message('upload', 'success', true, true)],
  ['upload canceled', message('upload', 'canceled', true, true)],
  ['upload canceled (race lost or node shutdown)', message('upload', 'canceled')],
  ['upload failed', message('upload', 'failed')],
  ['upload rejected, too many requests', message('upload', 'rejected', false)],
  ['deleted', message('delete', 'success')],
  ['delete failed', message('delete', 'failed')],
]);

/**
 * The piecestore messages that name a transfer but report none: `upload internal error`
 * (v1.106.1 on, a failure before the upload began, with only the error).
 */
const OTHER_TRANSFER_WORDS = new Set(['upload internal error']);

/**
 * The piece actions of storj.io/common's `pb.PieceAction` that a storagenode logs, by
 * category. An action not listed here is a schema change (see `unrecognized`).
 */
export const ACTION_CATEGORIES: ReadonlyMap<string, PieceCategory> = new Map([
  ['GET', 'download'],
  ['PUT', 'upload'],
  ['GET_AUDIT', 'audit'],
  ['GET_REPAIR', 'repair'],
  ['PUT_REPAIR', 'repair'],
  ['DELETE', 'delete'],
  ['PUT_GRACEFUL_EXIT', 'other'],
]);

const TRANSFER_WORD = /download|upload|delet/i;

/**
 * Whether a piecestore message that is not in {@link TRANSFER_MESSAGES} still reads like
 * a transfer (it speaks of a download, an upload or a deletion): a message a newer
 * release may have introduced, or renamed.
 *
 * @example
 * ```ts
 * looksLikeTransfer('download finished'); // true
 * looksLikeTransfer('upload internal error'); // false: known, and no transfer
 * ```
 */
export function looksLikeTransfer(text: string): boolean {
  return TRANSFER_WORD.test(text) && !OTHER_TRANSFER_WORDS.has(text);
}
