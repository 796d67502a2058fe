import { isAscii } from 'node:buffer';

/**
 * The text of one received chunk (or of one line that spanned chunks), taken when the
 * chunk arrives, so that its bytes can be overwritten afterwards: a socket that reads
 * into one reused buffer allocates nothing per read. An ASCII chunk, which is what
 * storagenode logs are, becomes one string (a byte offset is then a character offset)
 * and each line read is a slice of it; any other chunk is copied and each line read is
 * decoded on its own, as UTF-8 with invalid sequences becoming U+FFFD.
 *
 * @example
 * ```ts
 * const bytes = Buffer.from('1.5 hello\n2.5 world\n');
 * const chunk = new ChunkText(bytes);
 * bytes.fill(0); // the chunk's text does not depend on the bytes any more
 * chunk.text(4, 9); // 'hello'
 * ```
 */
export class ChunkText {
  /** The whole chunk as text when it is ASCII, else a copy of its bytes. */
  private readonly content: string | Buffer;

  constructor(bytes: Buffer) {
    this.content = isAscii(bytes) ? bytes.toString('latin1') : Buffer.from(bytes);
  }

  /** The text of the chunk's bytes `[start, end)`, which must not cut a UTF-8 sequence (a line never does). */
  text(start: number, end: number): string {
    const { content } = this;
    return typeof content === 'string' ? content.slice(start, end) : content.toString('utf8', start, end);
  }
}
