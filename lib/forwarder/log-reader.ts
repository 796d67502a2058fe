import { readSync } from 'node:fs';
import { findLogFile, headIsComplete, startsWith, type OpenLogFile } from './log-file.js';
import type { LogFileTailer } from './log-file-tailer.js';
import type { Segment } from './segment-history.js';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
/** 256 KiB per read: fewer, larger reads made the forwarder faster (bench); 1 MiB was no faster still. */
const READ_BYTES = 256 * 1024;

/**
 * The complete lines of one read: `bytes`, with line `i` at `[starts[i], ends[i])`
 * (without `\n`; empty lines are left out), and where the next read starts.
 */
export interface LineChunk {
  readonly bytes: Buffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** The segment and the offset just after this chunk's last line. */
  readonly seq: number;
  readonly next: number;
}

/** What {@link LogReader.read} found: lines, a file gone (with the bytes lost), or nothing yet. */
export type ReadResult =
  | { readonly type: 'lines'; readonly chunk: LineChunk }
  | { readonly type: 'gone'; readonly bytes: number | null; readonly seq: number; readonly next: number }
  | { readonly type: 'moved'; readonly seq: number; readonly next: number }
  | { readonly type: 'wait' };

/**
 * One reader's cursor over the forwarder's files: the log file is the replay buffer,
 * so each client reads what it needs itself, at its own pace, with one 64 KiB buffer
 * (grown for a long line, up to `maxLineBytes`). It reads only up to the end of the
 * complete lines the tailer has seen, so a line being written is never read as a line.
 *
 * @example
 * ```ts
 * const reader = new LogReader(tailer, 0, 0, 1 << 20, console.warn);
 * const result = await reader.read();
 * ```
 */
export class LogReader {
  private file: { readonly seq: number; readonly open: OpenLogFile } | null = null;
  private buffer = Buffer.allocUnsafe(READ_BYTES);
  /** Where the chunk last returned began in its segment. */
  private chunkStart = 0;

  constructor(
    private readonly tailer: LogFileTailer,
    /** The segment being read. */
    public seq: number,
    /** The byte of that segment where the next line starts. */
    public offset: number,
    private readonly maxLineBytes: number,
    private readonly onNotice: (message: string) => void,
  ) {}

  /**
   * The next lines: a chunk of them, a move to the next segment, the rest of a segment
   * found gone (deleted, truncated), or `wait` when nothing is ready (until the tailer
   * changes). The cursor advances past what is returned.
   */
  async read(): Promise<ReadResult> {
    const { segments } = this.tailer.history;
    const oldest = segments[0];
    if (oldest === undefined) return { type: 'wait' };
    const segment = segments[this.seq - oldest.seq];
    if (segment === undefined) {
      if (this.seq > oldest.seq) return { type: 'wait' };
      // Left the window while this reader lagged: what it held is lost.
      return this.moveTo(oldest.seq, 0, { type: 'gone', bytes: null, seq: oldest.seq, next: 0 });
    }
    if (segment.sealed && this.offset >= segment.end) {
      const next = segments[this.seq - oldest.seq + 1];
      if (next === undefined) return { type: 'wait' };
      // Lines written after `end` may have been lost with the file: a gap of unknown size, never silence.
      return this.moveTo(next.seq, 0, segment.tailLost ? { type: 'gone', bytes: null, seq: next.seq, next: 0 } : { type: 'moved', seq: next.seq, next: 0 });
    }
    const file = await this.open(segment);
    const next = segments[this.seq - oldest.seq + 1];
    if (file === null) {
      // The file being tailed went away or shrank: the tailer seals it at its next look.
      if (!segment.sealed || next === undefined) return { type: 'wait' };
      // What it knew was there (with `tailLost`, more may have been written before it vanished).
      return this.moveTo(next.seq, 0, { type: 'gone', bytes: segment.end - this.offset, seq: next.seq, next: 0 });
    }
    return this.readLines(file, segment, next);
  }

  /** Reads and drops the next `count` lines (a resuming client has them already); resolves with those it could not skip. */
  async skip(count: number): Promise<{ readonly left: number; readonly gone: ReadResult | null }> {
    let left = count;
    while (left > 0) {
      const result = await this.read();
      if (result.type === 'wait') return { left, gone: null };
      if (result.type === 'gone') return { left, gone: result };
      if (result.type === 'moved') continue;
      const { chunk } = result;
      const lines = chunk.starts.length;
      if (lines > left) {
        // The rest of this chunk is new: go back to the start of the first line not skipped.
        this.offset = this.chunkStart + (chunk.starts[left] ?? 0);
        return { left: 0, gone: null };
      }
      left -= lines;
    }
    return { left: 0, gone: null };
  }

  /** Closes the file it has open. */
  async close(): Promise<void> {
    await this.file?.open.handle.close();
    this.file = null;
  }

  private moveTo(seq: number, offset: number, result: ReadResult): ReadResult {
    this.seq = seq;
    this.offset = offset;
    return result;
  }

  private async open(segment: Segment): Promise<OpenLogFile | null> {
    const kept = this.file;
    if (kept !== null && kept.seq === segment.seq && kept.open.ino === segment.ino && kept.open.dev === segment.dev) return kept.open;
    await this.close();
    const found = await findLogFile(this.tailer.directory, this.tailer.name, segment);
    this.file = found === null ? null : { seq: segment.seq, open: found };
    return found;
  }

  /**
   * The complete lines from the cursor on: of a sealed segment up to its end; of the one
   * being tailed, whatever is there now (not only what the tailer has seen), up to the
   * last newline. Only once its first bytes are saved in full, though: a position handed
   * out must be found again after a crash, truncated files told from the file it was in.
   */
  private async readLines(file: OpenLogFile, segment: Segment, next: Segment | undefined): Promise<ReadResult> {
    const limit = segment.sealed || !headIsComplete(segment.head) ? segment.end : Number.POSITIVE_INFINITY;
    if (this.offset >= limit) return { type: 'wait' };
    const wanted = Math.min(this.buffer.length, limit - this.offset);
    // The file being tailed is read synchronously: what was just written is in the page cache, and a
    // copy from it costs less than a round trip through libuv's thread pool (the forwarder bench went
    // from ~1.5 to ~2 M lines/s). Rotated files, read when a client catches up, may be on disk: those are not.
    const bytesRead = segment.sealed
      ? (await file.handle.read(this.buffer, 0, wanted, this.offset)).bytesRead
      : readSync(file.handle.fd, this.buffer, 0, wanted, this.offset);
    if (segment.sealed && bytesRead < wanted) {
      // A rotated file cut short since: what it no longer has is lost.
      const bytes = segment.end - this.offset - bytesRead;
      return next === undefined ? { type: 'wait' } : this.moveTo(next.seq, 0, { type: 'gone', bytes, seq: next.seq, next: 0 });
    }
    // The tailed file truncated since the tailer looked (copytruncate): the tailer seals it at its next look.
    if (!segment.sealed && !startsWith(file.handle, segment.head)) return { type: 'wait' };
    const bytes = this.buffer.subarray(0, bytesRead);
    const last = bytes.lastIndexOf(NEWLINE);
    // No newline: a line still being written, or one longer than the buffer.
    if (last === -1) return bytesRead === this.buffer.length ? this.longLine(file, segment, next, limit) : { type: 'wait' };
    if (this.buffer.length > READ_BYTES && last < READ_BYTES) this.buffer = Buffer.allocUnsafe(READ_BYTES);
    const starts: number[] = [];
    const ends: number[] = [];
    let start = 0;
    while (start <= last) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      if (end > start) {
        starts.push(start);
        ends.push(newline);
      }
      start = newline + 1;
    }
    this.chunkStart = this.offset;
    this.offset += last + 1;
    return { type: 'lines', chunk: { bytes, starts, ends, seq: this.seq, next: this.offset } };
  }

  /** No newline in a full buffer: grow it for the line, or skip a line longer than `maxLineBytes`. */
  private async longLine(file: OpenLogFile, segment: Segment, next: Segment | undefined, limit: number): Promise<ReadResult> {
    if (this.buffer.length <= this.maxLineBytes) {
      this.buffer = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.maxLineBytes + 1));
      return this.readLines(file, segment, next);
    }
    let end = this.offset + this.buffer.length;
    for (;;) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, Math.min(this.buffer.length, limit - end), end);
      const newline = this.buffer.subarray(0, bytesRead).indexOf(NEWLINE);
      if (newline !== -1) {
        end += newline + 1;
        break;
      }
      if (bytesRead === 0) return { type: 'wait' };
      end += bytesRead;
    }
    this.onNotice(`skipped a line of ${end - this.offset - 1} bytes, longer than maxLineBytes (${this.maxLineBytes})`);
    this.buffer = Buffer.allocUnsafe(READ_BYTES);
    this.offset = end;
    return { type: 'moved', seq: this.seq, next: end };
  }
}
