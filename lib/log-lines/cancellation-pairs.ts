/** How many recent race-lost uploads a log stream remembers while waiting for their second line. */
const REMEMBERED = 64;

/**
 * The memory one log stream needs to tell the second line of a two-line upload
 * cancellation from a failure of its own. From v1.86.1 to v1.112 (storj
 * `storagenode/piecestore/endpoint.go`) a canceled upload is INFO `upload canceled (race
 * lost or node shutdown)` and then DEBUG `upload failed` of the same piece; from v1.113.1
 * a DEBUG `upload failed` stands alone and is a failure. Only the piece ID links the two,
 * so the stream remembers the last {@link REMEMBERED} race-lost pieces (bounded memory);
 * a DEBUG `upload failed` of one of them is the pair's second line.
 *
 * The two-line download cancellation (INFO `download canceled (race lost or node
 * shutdown)`, then DEBUG `download canceled`) needs no memory: from v1.86.1 on a DEBUG
 * `download canceled` is never written alone.
 *
 * @example
 * ```ts
 * const pairs = new CancellationPairs();
 * pairs.remember('2JRNZGDA7SD5ZN6UGJVYUUYN7OZH4KP5WRWVM3YLTMK4QOXO4JUA');
 * pairs.take('2JRNZGDA7SD5ZN6UGJVYUUYN7OZH4KP5WRWVM3YLTMK4QOXO4JUA'); // true, once
 * ```
 */
export class CancellationPairs {
  /** Grows to {@link REMEMBERED} as pieces come, then the oldest is overwritten: a stream that logs none holds no 64 slots (~530 bytes). */
  private readonly pieces: (string | undefined)[] = [];
  private next = 0;

  /** Notes a race-lost upload of `pieceId`. */
  remember(pieceId: string): void {
    if (this.pieces.length < REMEMBERED) this.pieces.push(pieceId);
    else this.pieces[this.next] = pieceId;
    this.next = (this.next + 1) % REMEMBERED;
  }

  /** Whether `pieceId` had a race-lost upload not yet paired; it is paired from now on. */
  take(pieceId: string): boolean {
    const index = this.pieces.indexOf(pieceId);
    if (index === -1) return false;
    this.pieces[index] = undefined;
    return true;
  }
}
