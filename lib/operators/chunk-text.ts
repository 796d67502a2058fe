import { isAscii } from 'node:buffer';

/**
 * The bytes of one received chunk (or of one line that spanned chunks) and their text,
 * decoded only when a line of it is read. An ASCII chunk, which is what storagenode logs
 * are, is decoded once for all of its lines (a byte offset is then a character offset)
 * and each line is a slice of that text; any other chunk decodes each line read on its
 * own, as UTF-8 with invalid sequences becoming U+FFFD. The bytes are kept by
 * reference, not copied.
 *
 * @example
 * ```ts
 * const chunk = new ChunkText(Buffer.from('1.5 hello\n2.5 world\n'));
 * chunk.text(4, 9); // 'hello'
 * chunk.bytes[0]; // 49, the '1'
 * ```
 */
export class ChunkText {
  /** The whole chunk as text, once a line of an ASCII chunk was read; `null` for a chunk that is not ASCII. */
  private decoded: string | null | undefined;

  constructor(readonly bytes: Buffer) {}

  /** The text of `bytes[start, end)`, which must not cut a UTF-8 sequence (a line never does). */
  text(start: number, end: number): string {
    if (this.decoded === undefined) this.decoded = isAscii(this.bytes) ? this.bytes.toString('latin1') : null;
    return this.decoded === null ? this.bytes.toString('utf8', start, end) : this.decoded.slice(start, end);
  }
}
