import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { loadHistory, newHistory, saveHistory } from './history-file.js';
import { completeLinesEnd, findLogFile, HEAD_BYTES, headIsComplete, openLogFile, readHead, startsWith, type OpenLogFile } from './log-file.js';
import { beginSegment, replayStart, updateNewest, type ForwarderHistory, type Segment } from './segment-history.js';

/** How long after a write the readers are woken, so that the writes of one burst wake them once. */
const WAKE_DELAY_MS = 10;

/** Options of {@link LogFileTailer}. */
export interface LogFileTailerOptions {
  /** The log file, an absolute path. */
  readonly file: string;
  /** Where the history is kept across restarts; none: in memory only. */
  readonly stateDir?: string;
  /** How often the file is looked at, in ms. */
  readonly pollIntervalMs: number;
  /** Segments (files) kept in the history: the replay window. */
  readonly maxSegments: number;
  /** At most this often the growing end is written to `stateDir` (rotations at once), in ms. */
  readonly saveIntervalMs: number;
  /** Told about rotations and anything lost on the way. */
  readonly onNotice: (message: string) => void;
}

/**
 * Follows one log file for as long as it runs, whether or not anyone reads it: keeps the
 * history of the files it has been (rotation by rename, by `copytruncate`, also while the
 * forwarder was down) and how far each holds complete lines, and tells its readers when
 * anything changed. It reads no line for anyone: readers read the files themselves (the
 * log file is the replay buffer), up to the ends it publishes.
 *
 * @example
 * ```ts
 * const tailer = await LogFileTailer.start({ file: '/var/log/storj/node.log', pollIntervalMs: 250, maxSegments: 16, saveIntervalMs: 1000, onNotice: console.warn });
 * tailer.history.segments.at(-1)?.end;
 * await tailer.close();
 * ```
 */
export class LogFileTailer {
  readonly directory: string;
  readonly name: string;
  private current: OpenLogFile | null = null;
  private listeners: Array<() => void> = [];
  private wakeCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private writtenSinceWake = false;
  private polling: Promise<void> = Promise.resolve();
  private running = false;
  /** A rename or create was seen while a look was running: look again at once. */
  private again = false;
  private closed = false;
  private savedAt = 0;
  private saved: ForwarderHistory | undefined;
  /** Every file followed, the newest being tailed: what readers read by (as of the last change they were told of). */
  history: ForwarderHistory;

  private constructor(
    private readonly options: LogFileTailerOptions,
    /** The history being updated by a look at the file; readers see it once it is saved. */
    private working: ForwarderHistory,
  ) {
    this.history = working;
    this.directory = dirname(options.file);
    this.name = basename(options.file);
  }

  /** Loads the history (if any), catches up with what happened while down, and starts polling. */
  static async start(options: LogFileTailerOptions): Promise<LogFileTailer> {
    const saved = options.stateDir === undefined ? null : await loadHistory(options.stateDir, options.file);
    const tailer = new LogFileTailer(options, saved ?? newHistory());
    await tailer.poll();
    tailer.watch();
    tailer.schedule();
    return tailer;
  }

  /** How many times readers have been woken so far: what a reader notes before a read, for {@link changed}. */
  get wakes(): number {
    return this.wakeCount;
  }

  /** Resolves at the first wake after the `since`-th (at once if it happened already), or at close. */
  changed(since: number): Promise<void> {
    if (this.closed || since !== this.wakeCount) return Promise.resolve();
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  /**
   * Where "now" is for a client that connects: the end of the last complete line in the
   * file being tailed at this moment (not only what the last look saw), once its first
   * bytes are saved in full; else the end the history has.
   */
  async liveEnd(): Promise<{ readonly seq: number; readonly offset: number }> {
    const start = replayStart(this.history, null);
    const newest = this.history.segments.at(-1);
    const current = this.current;
    if (newest === undefined || newest.sealed || !headIsComplete(newest.head) || current === null || current.ino !== newest.ino) return start;
    try {
      const { size } = await current.handle.stat();
      return { seq: newest.seq, offset: await completeLinesEnd(current.handle, newest.end, size) };
    } catch {
      // Closed by a rotation meanwhile.
      return start;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops polling, saves the history one last time and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    this.watcher?.close();
    await this.polling;
    await this.save(true);
    await this.current?.handle.close();
    this.current = null;
    this.notify();
  }

  /**
   * inotify on the directory, where the system has it (polling goes on regardless, so
   * nothing depends on it): a write wakes the readers at once (they read what is there),
   * a rename or a new file makes the tailer look at once.
   */
  private watch(): void {
    try {
      this.watcher = watch(this.directory, { persistent: false }, (event, name) => {
        if (name !== null && !name.startsWith(this.name)) return;
        if (event !== 'change') this.lookNow();
        else this.written();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /**
   * The file was written to: readers are woken at once, then at most once per
   * `WAKE_DELAY_MS` while writes go on (a node writes a line per write, and a busy one
   * thousands a second: one wake reads them all). Readers read past what the tailer saw
   * only once the file's first bytes are saved (a new or truncated file): until then, a
   * write is for the tailer to look at.
   */
  private written(): void {
    if (this.wakeTimer !== undefined) {
      this.writtenSinceWake = true;
      return;
    }
    this.writtenSinceWake = false;
    if (headIsComplete(this.history.segments.at(-1)?.head ?? '')) this.wakeReaders();
    else this.lookNow();
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      if (this.writtenSinceWake) this.written();
    }, WAKE_DELAY_MS);
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.look(), this.options.pollIntervalMs);
  }

  private lookNow(): void {
    if (this.closed) return;
    if (this.running) this.again = true;
    else {
      clearTimeout(this.timer);
      this.look();
    }
  }

  private look(): void {
    this.running = true;
    this.polling = this.poll().then(
      () => undefined,
      (error: unknown) => this.options.onNotice(`cannot read ${this.options.file}: ${(error as Error).message}`),
    );
    void this.polling.then(() => {
      this.running = false;
      if (this.closed) return;
      if (this.again) {
        this.again = false;
        this.look();
      } else this.schedule();
    });
  }

  /** One look at the file: growth, truncation, rotation; then readers are told and the history saved. */
  private async poll(): Promise<void> {
    const before = this.working;
    const newest = before.segments.at(-1);
    if (this.current === null) {
      const live = await openLogFile(this.directory, this.name);
      if (live !== null) await this.adopt(live, newest);
    } else if (newest !== undefined) {
      await this.follow(this.current, newest);
    }
    if (this.working !== before) {
      const after = this.working.segments.at(-1);
      // A new file, a sealed one or a longer head is on disk before any reader is told of it: those
      // are what find the files again after a crash, so no client holds a position they cannot.
      await this.save(after?.seq !== newest?.seq || after?.sealed !== newest?.sealed || after?.head !== newest?.head);
      this.notify();
    }
  }

  /**
   * The file now at the log's path: the newest segment still (the forwarder restarted),
   * or a new one after the newest was rotated away or truncated while nobody looked.
   */
  private async adopt(live: OpenLogFile, newest: Segment | undefined): Promise<void> {
    if (newest !== undefined && !newest.sealed) {
      const sameFile = live.dev === newest.dev && live.ino === newest.ino;
      if (sameFile && live.size >= newest.end && startsWith(live.handle, newest.head)) {
        this.current = live;
        await this.follow(live, newest);
        return;
      }
      await this.sealMoved(newest, sameFile ? live.ino : null);
    }
    await this.begin(live);
  }

  /** The tailed file grew, was truncated, or was replaced at its path. */
  private async follow(current: OpenLogFile, newest: Segment): Promise<void> {
    const { size } = await current.handle.stat();
    if (size < newest.end || !startsWith(current.handle, newest.head)) {
      // Truncated in place (copytruncate): the lines it had are in a copy now, if anywhere.
      await this.sealMoved(newest, current.ino);
      await this.begin({ ...current, size });
      return;
    }
    const end = await completeLinesEnd(current.handle, newest.end, size);
    const grew = end !== newest.end;
    if (grew) this.working = updateNewest(this.working, { end, ...(await this.longerHead(current, newest)) });
    const atPath = await stat(this.options.file).catch(() => null);
    if (atPath !== null && (atPath.ino !== current.ino || atPath.dev !== current.dev) && !grew) {
      // Renamed away (or deleted) and replaced: sealed once its writer stopped writing it.
      this.sealAt(this.working.segments.at(-1) ?? newest, size);
      await current.handle.close();
      this.current = null;
      const live = await openLogFile(this.directory, this.name);
      if (live !== null) await this.adopt(live, this.working.segments.at(-1));
    }
  }

  /**
   * Seals the newest segment, which is no longer at the log's path (or was truncated
   * there): its lines are read from wherever it went, a rotated name or a copy.
   */
  private async sealMoved(newest: Segment, truncatedIno: number | null): Promise<void> {
    const found = await findLogFile(this.directory, this.name, newest, true);
    if (found === null || found.ino === truncatedIno) {
      await found?.handle.close();
      this.options.onNotice(`${this.options.file}: the file read up to byte ${newest.end} is gone; what was written to it after that is lost`);
      this.working = updateNewest(this.working, {}, 'tail lost');
      return;
    }
    try {
      const end = await completeLinesEnd(found.handle, newest.end, found.size);
      this.working = updateNewest(this.working, { dev: found.dev, ino: found.ino, name: found.name, end });
      this.sealAt(this.working.segments.at(-1) ?? newest, found.size);
    } finally {
      await found.handle.close();
    }
  }

  private sealAt(segment: Segment, size: number): void {
    if (size > segment.end)
      this.options.onNotice(`${this.options.file}: dropped an unfinished line of ${size - segment.end} bytes at the end of the rotated file`);
    this.working = updateNewest(this.working, {}, true);
  }

  private async begin(file: OpenLogFile): Promise<void> {
    this.current = file;
    const end = await completeLinesEnd(file.handle, 0, file.size);
    const head = await readHead(file.handle);
    this.working = beginSegment(this.working, { dev: file.dev, ino: file.ino, head, name: this.name, end }, this.options.maxSegments);
  }

  private async longerHead(current: OpenLogFile, newest: Segment): Promise<{ head?: string }> {
    if (Buffer.byteLength(newest.head, 'base64') >= HEAD_BYTES) return {};
    return { head: await readHead(current.handle) };
  }

  private notify(): void {
    this.history = this.working;
    this.wakeReaders();
  }

  /** Readers waiting at the end of the file read again (the history is as it was). */
  private wakeReaders(): void {
    this.wakeCount++;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  private async save(now: boolean): Promise<void> {
    const { stateDir } = this.options;
    if (stateDir === undefined || this.saved === this.working) return;
    if (!now && Date.now() - this.savedAt < this.options.saveIntervalMs) return;
    const history = this.working;
    await saveHistory(stateDir, this.options.file, history);
    this.saved = history;
    this.savedAt = Date.now();
  }
}
