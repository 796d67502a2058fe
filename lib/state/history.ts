import createDebug from 'debug';
import { asyncScheduler, map, of, Subscription, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import { requireInteger, requireText } from '../validate.js';
import type { ConnectionState } from './connection-status.js';
import { HistoryJournal, type HistoryRecord } from './history-journal.js';
import type { Component, ConnectionRegistry } from './registry.js';
import { SegmentTimeline, type HistorySegment } from './segment-timeline.js';

const info = createDebug('storj-monitor:history');
const COMPONENTS: readonly Component[] = ['log_reader', 'api_client'];

/**
 * Node name -> that node's segments per component, oldest first (SPEC §3.4's
 * component keys). The first segment may begin before the window; the last one of a
 * tracked connection is open (`to: null`).
 *
 * @example
 * ```ts
 * const history: HistoryMap = { node1: { log_reader: [{ state: 'connected', from: 1696800000000, to: null, last_error: null }] } };
 * ```
 */
export type HistoryMap = Readonly<Record<string, { readonly log_reader?: readonly HistorySegment[]; readonly api_client?: readonly HistorySegment[] }>>;

/** Options of {@link ConnectionHistory}; `createMonitor` takes the `history*` ones too. */
export interface HistoryOptions {
  /** How far back the history reaches, in ms (>= 60000). Defaults to 86400000 (24 h). */
  readonly historyWindowMs?: number;
  /** Segments kept per connection (>= 16); past that, old ones are thinned. Defaults to 512. */
  readonly historyMaxSegments?: number;
  /** Keep the history in this file across restarts (a journal, see {@link HistoryJournal}). Defaults to none (memory only). */
  readonly historyFile?: string;
  /** With `historyFile`: how often the segments begun are appended (what a `kill -9` can lose). Defaults to 5000. */
  readonly historyFlushMs?: number;
  /** `history$` emits this often (an Observable: each new value applies from then on). Defaults to 10000. */
  readonly intervalMs?: number | Observable<number>;
  /** Clock and timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Each connection's states over time, derived from a registry's transitions (the one
 * source of truth, as for the metrics): per node and component, the segments
 * `{ state, from, to }` of the last `historyWindowMs`. Memory stays bounded whatever the
 * flapping rate: a connection keeps at most `historyMaxSegments` segments, older ones
 * merged ({@link SegmentTimeline}). With `historyFile`, the history is read back at once
 * (what the file held is compacted into it) and, while `persist()`'s subscription
 * lives, journalled. A connection that leaves the registry (a node removed) takes its
 * history with it; one added later starts when it is tracked.
 *
 * @example
 * ```ts
 * const history = new ConnectionHistory(registry, { historyFile: 'history.jsonl' });
 * const persisting = history.persist();
 * history.history$.subscribe((all) => console.log(all.node1?.log_reader?.at(-1)?.state));
 * // later
 * persisting.unsubscribe();
 * history.stop();
 * ```
 */
export class ConnectionHistory {
  /** How far back the history reaches, in ms. */
  readonly windowMs: number;
  /** The history now, then every `intervalMs`. */
  readonly history$: Observable<HistoryMap>;
  /** Journal lines that could not be read back (a record torn by a kill), skipped. */
  readonly skippedRecords: number;

  private readonly timelines = new Map<string, Map<Component, SegmentTimeline>>();
  private readonly scheduler: SchedulerLike;
  private readonly maxSegments: number;
  private readonly journal: HistoryJournal | undefined;
  private readonly subscription: Subscription;

  constructor(registry: ConnectionRegistry, options: HistoryOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.windowMs = requireInteger('historyWindowMs', options.historyWindowMs ?? 86_400_000, 60_000);
    this.maxSegments = requireInteger('historyMaxSegments', options.historyMaxSegments ?? 512, 16);
    const file = options.historyFile === undefined ? undefined : requireText('historyFile', options.historyFile);
    this.journal =
      file === undefined
        ? undefined
        : HistoryJournal.open(file, {
            scheduler: this.scheduler,
            flushIntervalMs: requireInteger('historyFlushMs', options.historyFlushMs ?? 5000, 1),
          });
    this.skippedRecords = this.journal?.contents.skipped ?? 0;
    if (this.journal) this.restore(this.journal);
    const now = this.scheduler.now();
    for (const [node, states] of Object.entries(registry.snapshot())) {
      for (const component of COMPONENTS) {
        const status = states[component];
        if (status) this.begin(node, component, status.state, now, status.last_error);
      }
    }
    this.subscription = registry.transitions$.subscribe(({ node, component, status }) => {
      this.begin(node, component, status.state, this.scheduler.now(), status.last_error);
    });
    this.subscription.add(
      registry.membership$.subscribe(({ type, node, component, status }) => {
        if (type === 'tracked') this.begin(node, component, status.state, this.scheduler.now(), status.last_error);
        else {
          this.forget(node, component);
          this.journal?.append({ node, component, segment: null });
        }
      }),
    );
    const intervals$ = typeof options.intervalMs === 'object' ? options.intervalMs : of(options.intervalMs ?? 10_000);
    this.history$ = intervals$.pipe(
      switchMap((intervalMs) => timer(0, intervalMs, this.scheduler)),
      map(() => this.snapshot()),
    );
  }

  /** The history of the last `windowMs`, synchronously. */
  snapshot(): HistoryMap {
    this.prune();
    return Object.fromEntries(
      [...this.timelines].map(([node, components]) => [
        node,
        Object.fromEntries([...components].map(([component, timeline]) => [component, timeline.segments()])),
      ]),
    );
  }

  /**
   * Journals the history to `historyFile` until unsubscribed (a no-op without one): the
   * segments begun are appended every few seconds, and the file is compacted as it
   * grows. `Monitor.start()` calls it.
   */
  persist(): Subscription {
    return this.journal ? this.journal.persist(() => this.records()) : Subscription.EMPTY;
  }

  /** Stops following the registry. */
  stop(): void {
    this.subscription.unsubscribe();
  }

  private begin(node: string, component: Component, state: ConnectionState, at: number, lastError: string | null): void {
    const segment = this.timeline(node, component).begin(state, at, lastError);
    if (segment) this.journal?.append({ node, component, segment });
  }

  private timeline(node: string, component: Component): SegmentTimeline {
    let components = this.timelines.get(node);
    if (!components) this.timelines.set(node, (components = new Map<Component, SegmentTimeline>()));
    let timeline = components.get(component);
    if (!timeline) components.set(component, (timeline = new SegmentTimeline(this.maxSegments)));
    return timeline;
  }

  /** Replays the journal, ends every connection where the writing monitor was last alive, and compacts the file. */
  private restore(journal: HistoryJournal): void {
    const { records, aliveAt, skipped } = journal.contents;
    for (const { node, component, segment } of records) {
      if (segment) this.timeline(node, component).restore(segment);
      else this.forget(node, component);
    }
    for (const components of this.timelines.values()) for (const timeline of components.values()) timeline.end(aliveAt ?? 0);
    this.prune();
    journal.rewrite(this.records());
    info('read %d records back from %s (%d unreadable, skipped)', records.length, journal.path, skipped);
  }

  /** A connection removed from the registry (a node removed) takes its history with it (a node left with none goes at the next {@link prune}). */
  private forget(node: string, component: Component): void {
    this.timelines.get(node)?.delete(component);
  }

  /** Drops what has left the window; a connection with nothing left is forgotten. */
  private prune(): void {
    const windowStart = this.scheduler.now() - this.windowMs;
    for (const [node, components] of this.timelines) {
      for (const [component, timeline] of components) if (timeline.prune(windowStart)) components.delete(component);
      if (components.size === 0) this.timelines.delete(node);
    }
  }

  private *records(): Iterable<HistoryRecord> {
    this.prune();
    for (const [node, components] of this.timelines) {
      for (const [component, timeline] of components) for (const segment of timeline.segments()) yield { node, component, segment };
    }
  }
}
