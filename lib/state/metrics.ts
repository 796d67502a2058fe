import { asyncScheduler, map, of, Subject, switchMap, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { CONNECTION_STATES, type ConnectionState } from './connection-status.js';
import { keyedRecord } from '../keyed-record.js';
import { requireInteger } from '../validate.js';
import type { Component, ConnectionRegistry, Transition } from './registry.js';

const HOUR_MS = 3_600_000;

/**
 * The figures operators track per connection (the seed's "Key Metrics"), in the wire's
 * snake_case. Times are in ms; ratios in [0, 1], `null` before there is anything to
 * divide.
 *
 * @example
 * ```ts
 * const m = monitor.metrics.snapshot().node1?.log_reader;
 * console.log(`${((m?.uptime_ratio ?? 0) * 100).toFixed(2)} % up, ${m?.reconnections} reconnections`);
 * ```
 */
export interface ConnectionMetrics {
  readonly state: ConnectionState;
  readonly time_in_state_ms: Readonly<Record<ConnectionState, number>>;
  /** Time connected over time tracked, since the monitor started tracking it. */
  readonly uptime_ratio: number | null;
  /** The same over the sliding window (`windowMs`, 1 h by default). */
  readonly uptime_ratio_window: number | null;
  /** Times it became connected again after having been connected. */
  readonly reconnections: number;
  /** Reconnections within the last hour. */
  readonly reconnections_per_hour: number;
  /** From leaving `connected` to being `connected` again. */
  readonly reconnection_duration_ms: { readonly last: number | null; readonly mean: number | null; readonly max: number | null };
  readonly failed_attempts: number;
  /** API clients only. */
  readonly health_checks?: { readonly success: number; readonly failure: number; readonly success_rate: number | null };
  /**
   * Log readers only: lines emitted, dropped by reason (`gap`: gaps a resuming forwarder
   * reported, `gap_bytes` their known size), and `unrecognized`: of those emitted,
   * piecestore lines that look like transfers but could not be read (schema drift: a
   * storagenode release whose format this library does not know).
   */
  readonly lines?: {
    readonly received: number;
    readonly malformed: number;
    readonly oversize: number;
    readonly partial: number;
    readonly gap: number;
    readonly gap_bytes: number;
    readonly unrecognized: number;
  };
}

/** Node name -> that node's metrics per component. */
export type MetricsMap = Readonly<Record<string, { readonly log_reader?: ConnectionMetrics; readonly api_client?: ConnectionMetrics }>>;

/** One completed reconnection, as `reconnections$` reports it. */
export interface Reconnection {
  readonly node: string;
  readonly component: Component;
  readonly durationMs: number;
}

/** Options of {@link ConnectionMetricsCollector}. */
export interface MetricsOptions {
  /** The sliding window of `uptime_ratio_window`, in ms (an integer >= 1). Defaults to 3600000 (1 h). */
  readonly windowMs?: number;
  /**
   * `metrics$` emits this often, in ms (an integer >= 1); an Observable of intervals
   * changes it as it emits (each change emits at once; a bad one errors `metrics$` with a
   * `RangeError` naming `intervalMs`). Defaults to 10000.
   */
  readonly intervalMs?: number | Observable<number>;
  /** Clock and timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

interface Segment {
  readonly state: ConnectionState;
  readonly start: number;
  readonly end: number;
}

/** The running figures of one source; `apply` folds one transition at time `now`. */
class SourceMetrics {
  private state: ConnectionState;
  private since: number;
  private readonly totals: Record<ConnectionState, number> = { disconnected: 0, connecting: 0, connected: 0, error: 0, stopped: 0 };
  private readonly segments: Segment[] = [];
  private readonly reconnectedAt: number[] = [];
  private leftConnectedAt: number | null = null;
  private reconnections = 0;
  private durationSum = 0;
  private durationMax: number | null = null;
  private durationLast: number | null = null;
  private failed = 0;
  private checksOk = 0;
  private checksFailed = 0;
  private received = 0;
  private unrecognized = 0;
  private readonly dropped = { malformed: 0, oversize: 0, partial: 0, gap: 0, gap_bytes: 0 };

  constructor(
    private readonly component: Component,
    state: ConnectionState,
    now: number,
  ) {
    this.state = state;
    this.since = now;
  }

  apply(transition: Transition, now: number, windowMs: number, onReconnection: (durationMs: number) => void): void {
    const { event } = transition;
    if (event.type === 'failed' || event.type === 'exhausted') this.failed++;
    else if (event.type === 'health_checked') {
      if (event.ok) this.checksOk++;
      else this.checksFailed++;
    } else if (event.type === 'lines_received') this.received += event.count;
    else if (event.type === 'lines_unrecognized') this.unrecognized += event.count;
    else if (event.type === 'lines_dropped') {
      this.dropped[event.reason] += event.count;
      this.dropped.gap_bytes += event.bytes ?? 0;
    }
    this.enter(transition.status.state, now, windowMs, onReconnection);
  }

  /** The source is in `next` from `now` on (a transition, or a replacement source's initial state). */
  enter(next: ConnectionState, now: number, windowMs: number, onReconnection: (durationMs: number) => void): void {
    if (next === this.state) return;
    this.closeSegment(now);
    this.prune(now, windowMs);
    if (this.state === 'connected') this.leftConnectedAt = now;
    if (next === 'connected' && this.leftConnectedAt !== null) {
      const duration = now - this.leftConnectedAt;
      this.reconnections++;
      this.durationSum += duration;
      this.durationLast = duration;
      this.durationMax = Math.max(this.durationMax ?? 0, duration);
      this.reconnectedAt.push(now);
      this.leftConnectedAt = null;
      onReconnection(duration);
    }
    this.state = next;
  }

  read(now: number, windowMs: number): ConnectionMetrics {
    this.prune(now, windowMs);
    const timeInState = { ...this.totals, [this.state]: this.totals[this.state] + (now - this.since) };
    const tracked = CONNECTION_STATES.reduce((sum, state) => sum + timeInState[state], 0);
    const windowStart = now - windowMs;
    let windowTracked = 0;
    let windowConnected = 0;
    for (const segment of [...this.segments, { state: this.state, start: this.since, end: now }]) {
      const overlap = segment.end - Math.max(segment.start, windowStart);
      windowTracked += overlap;
      if (segment.state === 'connected') windowConnected += overlap;
    }
    return {
      state: this.state,
      time_in_state_ms: timeInState,
      uptime_ratio: tracked > 0 ? timeInState.connected / tracked : null,
      uptime_ratio_window: windowTracked > 0 ? windowConnected / windowTracked : null,
      reconnections: this.reconnections,
      reconnections_per_hour: this.reconnectedAt.length,
      reconnection_duration_ms: {
        last: this.durationLast,
        mean: this.reconnections > 0 ? this.durationSum / this.reconnections : null,
        max: this.durationMax,
      },
      failed_attempts: this.failed,
      ...(this.component === 'api_client' && {
        health_checks: {
          success: this.checksOk,
          failure: this.checksFailed,
          success_rate: this.checksOk + this.checksFailed > 0 ? this.checksOk / (this.checksOk + this.checksFailed) : null,
        },
      }),
      ...(this.component === 'log_reader' && { lines: { received: this.received, ...this.dropped, unrecognized: this.unrecognized } }),
    };
  }

  private closeSegment(now: number): void {
    this.totals[this.state] += now - this.since;
    this.segments.push({ state: this.state, start: this.since, end: now });
    this.since = now;
  }

  /**
   * Segments that ended before the window and reconnections of more than an hour ago go:
   * memory stays bounded, and `read` (which prunes first) counts only what is left.
   */
  private prune(now: number, windowMs: number): void {
    const keepFrom = now - windowMs;
    while ((this.segments[0]?.end ?? Number.POSITIVE_INFINITY) <= keepFrom) this.segments.shift();
    while ((this.reconnectedAt[0] ?? Number.POSITIVE_INFINITY) <= now - HOUR_MS) this.reconnectedAt.shift();
  }
}

/**
 * Connection metrics derived from a registry's transitions (no second source of
 * truth): per node and component, time in each state, uptime over the monitor's life
 * and over a sliding window, reconnections (count, per hour, duration: last, mean,
 * max), failed attempts, health checks and lines. `snapshot()` reads them now;
 * `metrics$` emits them at once and every `intervalMs`; `reconnections$` reports each
 * reconnection as it completes. A source removed from the registry is forgotten (it
 * leaves `snapshot()`, and `removed$` says so); one replaced in the registry keeps its
 * figures and goes on in the new source's state.
 *
 * @example
 * ```ts
 * const metrics = new ConnectionMetricsCollector(registry);
 * metrics.metrics$.subscribe((all) => console.log(all.node1?.api_client?.health_checks?.success_rate));
 * // later
 * metrics.stop();
 * ```
 */
export class ConnectionMetricsCollector {
  readonly metrics$: Observable<MetricsMap>;
  readonly reconnections$: Observable<Reconnection>;
  /** Each source forgotten because it left the registry. */
  readonly removed$: Observable<{ readonly node: string; readonly component: Component }>;

  private readonly sources = new Map<string, Map<Component, SourceMetrics>>();
  private readonly scheduler: SchedulerLike;
  private readonly windowMs: number;
  private readonly subscription: Subscription;
  private readonly reconnectionsSubject = new Subject<Reconnection>();
  private readonly removedSubject = new Subject<{ readonly node: string; readonly component: Component }>();

  constructor(registry: ConnectionRegistry, options: MetricsOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.windowMs = requireInteger('windowMs', options.windowMs ?? HOUR_MS, 1);
    // Checked before anything subscribes to the registry, so that a bad one leaves nothing
    // behind; one from an Observable as it comes (0 would be a timer that never yields).
    const intervals$ =
      typeof options.intervalMs === 'object'
        ? options.intervalMs.pipe(map((intervalMs) => requireInteger('intervalMs', intervalMs, 1)))
        : of(requireInteger('intervalMs', options.intervalMs ?? 10_000, 1));
    const now = this.scheduler.now();
    for (const [node, states] of Object.entries(registry.snapshot())) {
      if (states.log_reader) this.source(node, 'log_reader', states.log_reader.state, now);
      if (states.api_client) this.source(node, 'api_client', states.api_client.state, now);
    }
    this.subscription = registry.transitions$.subscribe((transition) => {
      const { node, component, status } = transition;
      const at = this.scheduler.now();
      this.source(node, component, status.state, at).apply(transition, at, this.windowMs, this.reconnected(node, component));
    });
    this.subscription.add(
      registry.membership$.subscribe(({ type, node, component, status }) => {
        const at = this.scheduler.now();
        if (type === 'tracked') this.source(node, component, status.state, at).enter(status.state, at, this.windowMs, this.reconnected(node, component));
        else this.forget(node, component);
      }),
    );
    this.metrics$ = intervals$.pipe(
      switchMap((intervalMs) => timer(0, intervalMs, this.scheduler)),
      map(() => this.snapshot()),
    );
    this.reconnections$ = this.reconnectionsSubject.asObservable();
    this.removed$ = this.removedSubject.asObservable();
  }

  /** The metrics now, synchronously. */
  snapshot(): MetricsMap {
    const now = this.scheduler.now();
    const result = keyedRecord<{ log_reader?: ConnectionMetrics; api_client?: ConnectionMetrics }>();
    for (const [node, components] of this.sources) {
      const entry: { log_reader?: ConnectionMetrics; api_client?: ConnectionMetrics } = {};
      for (const [component, metrics] of components) entry[component] = metrics.read(now, this.windowMs);
      result[node] = entry;
    }
    return result;
  }

  /** Stops following the registry. */
  stop(): void {
    this.subscription.unsubscribe();
    this.reconnectionsSubject.complete();
    this.removedSubject.complete();
  }

  private reconnected(node: string, component: Component): (durationMs: number) => void {
    return (durationMs) => this.reconnectionsSubject.next({ node, component, durationMs });
  }

  private forget(node: string, component: Component): void {
    const components = this.sources.get(node);
    if (!components?.delete(component)) return;
    if (components.size === 0) this.sources.delete(node);
    this.removedSubject.next({ node, component });
  }

  private source(node: string, component: Component, state: ConnectionState, now: number): SourceMetrics {
    let components = this.sources.get(node);
    if (!components) this.sources.set(node, (components = new Map<Component, SourceMetrics>()));
    let metrics = components.get(component);
    if (!metrics) components.set(component, (metrics = new SourceMetrics(component, state, now)));
    return metrics;
  }
}
