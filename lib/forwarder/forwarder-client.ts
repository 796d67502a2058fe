import type { Socket } from 'node:net';
import { checkpointRecord, gapRecord, GREETING_RECORD, MAX_HELLO_BYTES, parseHello, type ResumePosition } from '../sources/resume-protocol.js';
import type { LogFileTailer } from './log-file-tailer.js';
import { LogReader, type LineChunk } from './log-reader.js';
import { replayStart } from './segment-history.js';

const NEWLINE = 10;

/** What a {@link ForwarderClient} needs from its forwarder. */
export interface ForwarderClientOptions {
  readonly tailer: LogFileTailer;
  readonly maxLineBytes: number;
  /** The forwarder's clock, in ms (the `<unix_ts>` of each line). */
  readonly now: () => number;
  readonly onNotice: (message: string) => void;
}

/**
 * One connected client of the forwarder. It starts as a plain client (SPEC §3.1): lines
 * from now on, `<unix_ts> <line>`, each line's bytes as they are in the file. If the
 * first bytes it writes are a resume hello, it becomes a resuming one: the greeting,
 * then every line after the position it asked for (read from the files, however far
 * back the window reaches), with checkpoints; gaps are said, never skipped silently.
 * Anything else written closes it, as the reference forwarder does. Each client reads at
 * its own pace, with backpressure: a slow one costs its read buffer, nothing more.
 *
 * @example
 * ```ts
 * server.on('connection', (socket) => new ForwarderClient(socket, { tailer, maxLineBytes: 1 << 20, now: Date.now, onNotice: console.warn }));
 * ```
 */
export class ForwarderClient {
  /** Bumped when the client switches to resume or goes away: a running loop stops at its next step. */
  private generation = 0;
  private received = Buffer.alloc(0);
  private helloDone = false;
  private readonly gone: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: ForwarderClientOptions,
  ) {
    socket.setNoDelay(true);
    this.gone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.generation++);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    void this.startPlain();
  }

  /** The only bytes a client may write: one hello, as its first line. */
  private onData(chunk: Buffer): void {
    if (this.helloDone) return void this.socket.destroy();
    this.received = Buffer.concat([this.received, chunk]);
    const newline = this.received.indexOf(NEWLINE);
    if (newline === -1) {
      if (this.received.length > MAX_HELLO_BYTES) this.socket.destroy();
      return;
    }
    const hello = this.received.toString('utf8', 0, newline).replace(/\r$/, '');
    const position = parseHello(hello);
    if (position === undefined || newline !== this.received.length - 1) return void this.socket.destroy();
    this.helloDone = true;
    this.received = Buffer.alloc(0);
    void this.resume(position);
  }

  /** Lines from now on: from the end of the last complete line in the file at this moment. */
  private async startPlain(): Promise<void> {
    const generation = this.generation;
    const { tailer, maxLineBytes, onNotice } = this.options;
    const { seq, offset } = await tailer.liveEnd();
    if (generation === this.generation) void this.run(new LogReader(tailer, seq, offset, maxLineBytes, onNotice), false, 0, generation);
  }

  private async resume(position: ResumePosition | null): Promise<void> {
    const generation = ++this.generation;
    const { tailer, maxLineBytes, onNotice } = this.options;
    const start = position === null ? { ...(await tailer.liveEnd()), skip: 0, gap: undefined } : replayStart(tailer.history, position);
    if (generation !== this.generation) return;
    const reader = new LogReader(tailer, start.seq, start.offset, maxLineBytes, onNotice);
    this.socket.write(GREETING_RECORD);
    if (start.gap !== undefined) this.gap(start.gap, reader);
    else if (start.skip === 0) this.checkpoint(reader);
    void this.run(reader, true, start.skip, generation);
  }

  /** Sends lines until the client goes away or switches to resume. */
  private async run(reader: LogReader, resuming: boolean, skip: number, generation = this.generation): Promise<void> {
    const live = (): boolean => generation === this.generation && !this.options.tailer.isClosed;
    try {
      if (skip > 0) {
        const { gone } = await reader.skip(skip);
        if (!live()) return;
        if (gone?.type === 'gone') this.gap(gone.bytes, reader);
        this.checkpoint(reader);
      }
      while (live()) {
        // A wake during the read is not missed: `changed` resolves at once after one.
        const wakes = this.options.tailer.wakes;
        const result = await reader.read();
        if (!live()) return;
        if (result.type === 'wait') {
          await Promise.race([this.options.tailer.changed(wakes), this.gone]);
          continue;
        }
        if (result.type === 'lines') this.socket.write(this.format(result.chunk));
        else if (result.type === 'gone' && resuming) this.gap(result.bytes, reader);
        if (resuming && result.type !== 'gone') this.checkpoint(reader);
        if (this.socket.writableNeedDrain) await Promise.race([new Promise((resolve) => this.socket.once('drain', resolve)), this.gone]);
      }
    } catch (error) {
      this.options.onNotice(`a client's read failed: ${(error as Error).message}`);
      this.socket.destroy();
    } finally {
      await reader.close();
    }
  }

  private gap(bytes: number | null, reader: LogReader): void {
    onGone(this.options, bytes);
    this.socket.write(gapRecord(bytes));
    this.checkpoint(reader);
  }

  private checkpoint(reader: LogReader): void {
    this.socket.write(checkpointRecord({ stream: this.options.tailer.history.stream, segment: reader.seq, offset: reader.offset, skip: 0 }));
  }

  /** `<unix_ts> <line>\n` for each line of the chunk, in one buffer. */
  private format(chunk: LineChunk): Buffer {
    const prefix = Buffer.from(`${(this.options.now() / 1000).toFixed(3)} `, 'latin1');
    const { bytes, starts, ends } = chunk;
    let size = 0;
    for (let index = 0; index < starts.length; index++) size += prefix.length + (ends[index] ?? 0) - (starts[index] ?? 0) + 1;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let index = 0; index < starts.length; index++) {
      at += prefix.copy(out, at);
      at += bytes.copy(out, at, starts[index], ends[index]);
      out[at++] = NEWLINE;
    }
    return out;
  }
}

function onGone(options: ForwarderClientOptions, bytes: number | null): void {
  options.onNotice(
    `a resuming client asked for ${bytes === null ? 'lines' : `${bytes} bytes`} no longer on disk (rotated away and deleted, or truncated): told it of a gap`,
  );
}
