import createDebug from 'debug';
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { asyncScheduler, interval, Subscription, type SchedulerLike } from 'rxjs';
import { CONNECTION_STATES, type ConnectionState } from './connection-status.js';
import type { Component } from './registry.js';
import type { HistorySegment, MergedSegmentSummary } from './segment-timeline.js';

const warn = createDebug('storj-monitor:history:warn');

/** The first line of every journal: what the file is, and the version of its records. */
const HEADER = '{"storj_monitor_history":1}';
const STATES: ReadonlySet<string> = new Set<ConnectionState>(CONNECTION_STATES);
const COMPONENTS: ReadonlySet<string> = new Set<Component>(['log_reader', 'api_client']);
/** Longer errors read back from a file are cut (statuses cap theirs before this). */
const MAX_ERROR_LENGTH = 1024;

/**
 * One segment of one connection, as a journal line holds it:
 * `{"node":"node1","component":"log_reader","state":"error","from":1696800000000,"to":null,"last_error":"..."}`;
 * or, with `segment: null`, the connection's removal (its history goes with it):
 * `{"node":"node1","component":"log_reader","removed":true}`.
 *
 * @example
 * ```ts
 * const record: HistoryRecord = { node: 'node1', component: 'log_reader', segment: { state: 'connected', from: 1696800000000, to: null, last_error: null } };
 * ```
 */
export interface HistoryRecord {
  readonly node: string;
  readonly component: Component;
  readonly segment: HistorySegment | null;
}

/** What a journal held when it was opened. */
export interface JournalContents {
  /** Every readable record, in the order written. */
  readonly records: readonly HistoryRecord[];
  /** The last time the writing monitor was known to run (Unix ms), or `null`. */
  readonly aliveAt: number | null;
  /** Lines that could not be read (a record torn by a kill, or damage), skipped. */
  readonly skipped: number;
}

/** Options of {@link HistoryJournal}. */
export interface HistoryJournalOptions {
  /** Queued records and an "alive" stamp are appended this often while persisting. Defaults to 5000. */
  readonly flushIntervalMs?: number;
  /** The journal is compacted when it grows past this or twice its last compacted size, whichever is more. Defaults to 1 MiB. */
  readonly compactAtBytes?: number;
  /** Clock and flush timer. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * A connection history's file: an append-only journal of JSON lines (a header, then one
 * line per segment begun and an `{"alive":ms}` stamp per flush), compacted by writing the
 * whole (thinned) history to a temporary file and renaming it over the journal, so the
 * file is always either the old journal or the new one. It survives `kill -9`: a record
 * torn by the kill is skipped when read (and counted), never fatal, and what was not yet
 * flushed (at most `flushIntervalMs` of changes) is lost. On disk it stays under about
 * twice its compacted size, which the history's own bound (`maxSegments` per connection)
 * limits. One monitor per file.
 *
 * @example
 * ```ts
 * const journal = HistoryJournal.open('/var/lib/storj-monitor/history.jsonl');
 * console.log(journal.contents.records.length, journal.contents.skipped);
 * const persisting = journal.persist(() => currentRecords());
 * journal.append({ node: 'node1', component: 'api_client', segment });
 * persisting.unsubscribe(); // flushes and closes the file
 * ```
 */
export class HistoryJournal {
  /** What the file held when opened. */
  readonly contents: JournalContents;

  private readonly scheduler: SchedulerLike;
  private readonly flushIntervalMs: number;
  private readonly compactAtBytes: number;
  private queued: string[] = [];
  /** The file's size as this process last wrote it. */
  private bytes = 0;
  /** Its size after this process last wrote it whole; 0 until it has. */
  private compactedBytes = 0;
  /** A write failed: the next flush writes the whole history anew instead of appending. */
  private broken = false;

  /**
   * Reads the journal at `path` (none yet is an empty history). A file that is not a
   * journal (its first line is not the header) is refused with a `RangeError` rather
   * than overwritten, as is one that cannot be read.
   */
  static open(path: string, options: HistoryJournalOptions = {}): HistoryJournal {
    return new HistoryJournal(path, readJournal(path), options);
  }

  private constructor(
    /** The journal's path. */
    readonly path: string,
    contents: JournalContents,
    options: HistoryJournalOptions,
  ) {
    this.contents = contents;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
  }

  /** Queues one record; it is written at the next flush. */
  append(record: HistoryRecord): void {
    this.queued.push(recordLine(record));
  }

  /** Writes `records` as the whole journal (compaction), atomically; drops what was queued. */
  rewrite(records: Iterable<HistoryRecord>): void {
    const lines = [HEADER];
    for (const record of records) lines.push(recordLine(record));
    lines.push(aliveLine(this.scheduler.now()));
    this.queued = [];
    const text = `${lines.join('\n')}\n`;
    const temporary = `${this.path}.tmp`;
    try {
      withFile(temporary, 'w', (fd) => {
        writeSync(fd, text);
        // Without it, a power cut soon after the rename can leave an empty file on some file systems.
        fsyncSync(fd);
      });
      renameSync(temporary, this.path);
      this.bytes = this.compactedBytes = Buffer.byteLength(text);
      this.broken = false;
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Flushes queued records with an alive stamp every `flushIntervalMs` until
   * unsubscribed (then once more, and the file is closed). When this process has not
   * written the journal whole yet (so a new file begins with its header), when it has
   * grown past its compaction size, or when a write failed, the flush rewrites it from
   * `snapshot()` instead. Write errors (a full disk) are logged on
   * `storj-monitor:history:warn` and retried at the next flush, never thrown.
   */
  persist(snapshot: () => Iterable<HistoryRecord>): Subscription {
    const flush = (): void => {
      const whole = this.broken || this.compactedBytes === 0 || this.bytes > Math.max(this.compactAtBytes, 2 * this.compactedBytes);
      if (whole || !this.appendQueued()) this.rewrite(snapshot());
    };
    const subscription = new Subscription();
    subscription.add(interval(this.flushIntervalMs, this.scheduler).subscribe(flush));
    subscription.add(flush);
    return subscription;
  }

  /**
   * Appends what is queued and an alive stamp. False when the file is not as this
   * process wrote it (deleted, truncated, replaced: then it must be written whole) or
   * the write failed. The file is opened per flush, so a file that was moved or deleted
   * is noticed.
   */
  private appendQueued(): boolean {
    const text = `${[...this.queued, aliveLine(this.scheduler.now())].join('\n')}\n`;
    this.queued = [];
    try {
      return withFile(this.path, 'a', (fd) => {
        if (fstatSync(fd).size !== this.bytes) return false;
        writeSync(fd, text);
        this.bytes += Buffer.byteLength(text);
        return true;
      });
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private fail(error: unknown): void {
    if (!this.broken) warn('cannot write the history file %s: %s (retrying at every flush)', this.path, (error as Error).message);
    this.broken = true;
  }
}

function withFile<T>(path: string, flags: 'a' | 'w', work: (fd: number) => T): T {
  const fd = openSync(path, flags);
  try {
    return work(fd);
  } finally {
    closeSync(fd);
  }
}

function recordLine({ node, component, segment }: HistoryRecord): string {
  return JSON.stringify(segment ? { node, component, ...segment } : { node, component, removed: true });
}

function aliveLine(now: number): string {
  return `{"alive":${now}}`;
}

function readJournal(path: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], aliveAt: null, skipped: 0 };
    throw new RangeError(`historyFile ${JSON.stringify(path)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (text === '') return { records: [], aliveAt: null, skipped: 0 };
  const lines = text.split('\n');
  if (lines[0] !== HEADER) {
    throw new RangeError(`historyFile ${JSON.stringify(path)} is not a history journal (its first line is not ${HEADER}); refusing to overwrite it`);
  }
  const records: HistoryRecord[] = [];
  let aliveAt: number | null = null;
  let skipped = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const parsed = parseLine(line);
    if (parsed === undefined) skipped++;
    else if (typeof parsed === 'number') aliveAt = Math.max(aliveAt ?? parsed, parsed);
    else {
      records.push(parsed);
      if (parsed.segment) aliveAt = Math.max(aliveAt ?? parsed.segment.from, parsed.segment.to ?? parsed.segment.from);
    }
  }
  return { records, aliveAt, skipped };
}

/** One journal line: a record, an alive stamp (its time), or `undefined` when it cannot be read. */
function parseLine(line: string): HistoryRecord | number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if ('alive' in value) return isTime(value.alive) ? value.alive : undefined;
  const { node, component, state, from, to, last_error, reconnected_after_ms, merged } = value;
  if (typeof node !== 'string' || node === '' || typeof component !== 'string' || !COMPONENTS.has(component)) return undefined;
  if (value.removed === true) return { node, component: component as Component, segment: null };
  if (typeof state !== 'string' || !STATES.has(state) || !isTime(from) || !(to === null || (isTime(to) && to >= from))) return undefined;
  if (!(last_error === null || typeof last_error === 'string')) return undefined;
  if (!(reconnected_after_ms === undefined || isTime(reconnected_after_ms))) return undefined;
  const summary = parseSummary(merged);
  if (merged !== undefined && (summary === undefined || to === null)) return undefined;
  const segment: HistorySegment = {
    state: state as ConnectionState,
    from,
    to,
    last_error: last_error === null ? null : last_error.slice(0, MAX_ERROR_LENGTH),
    ...(reconnected_after_ms !== undefined && { reconnected_after_ms }),
    ...(summary && { merged: summary }),
  };
  return { node, component: component as Component, segment };
}

function parseSummary(value: unknown): MergedSegmentSummary | undefined {
  if (!isObject(value)) return undefined;
  const { segments, tracked_ms, connected_ms, reconnections, reconnection_ms } = value;
  if (!isTime(segments) || !isTime(tracked_ms) || !isTime(connected_ms) || !isTime(reconnections) || !isTime(reconnection_ms)) return undefined;
  return { segments, tracked_ms, connected_ms, reconnections, reconnection_ms };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite, non-negative number: every time and count in a journal is one. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
