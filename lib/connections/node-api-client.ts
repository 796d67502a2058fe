import { asyncScheduler, defer, mergeMap, Observable, race, Subject, tap, throwError, type SchedulerLike, type Subscription } from 'rxjs';
import { API_CLIENT_BACKOFF, toBackoff, type Backoff, type BackoffOptions } from '../reconnect/backoff.js';
import type { ConnectionEventSink } from '../reconnect/connection-event.js';
import { retryWithState } from '../operators/retry-with-state.js';
import { ApiRequestError } from '../sources/api-request-error.js';
import type { FetchLike, SignalLikeFetch } from '../sources/fetch-like.js';
import { httpJson, jsonRequester, splitCredentials, type HttpJsonRequest } from '../sources/http-json.js';
import { KeepAliveFetch } from '../sources/keep-alive-fetch.js';
import { peerText } from '../peer-text.js';
import { redactCredentials } from '../redact-credentials.js';
import { initialApiClientStatus, type ApiClientStatus } from '../state/connection-status.js';
import { RequestDegradationTracker, type RequestDegradationOptions } from '../state/request-degradation.js';
import type { ConnectionRegistry } from '../state/registry.js';
import { apiClientTransition, type ApiClientEvent } from '../state/transitions.js';
import { requireFinite, requireInteger, requireText } from '../validate.js';
import { checkTimer } from './check-timer.js';
import { apiClientLogger } from './node-api-log.js';
import { requireMonth, toEstimatedPayout, toPaystubs, type SnoEstimatedPayout, type SnoPaystub } from './node-api-payouts.js';
import { toSatellite, toSatellites, type SnoSatellite, type SnoSatellites } from './node-api-stats.js';
import { toDashboard, type SnoDashboard } from './node-api-types.js';
import { toSatelliteContact } from './satellite-contact.js';

/**
 * Options of {@link NodeApiClient.start}.
 *
 * @example
 * ```ts
 * const options: NodeApiClientStartOptions = { firstCheckDelayMs: 120 };
 * api.start(options);
 * ```
 */
export interface NodeApiClientStartOptions {
  /** How long the first check after this start waits, in ms (a timer's delay: 0 to 2^31 - 1). Defaults to 0. */
  readonly firstCheckDelayMs?: number;
}

/** Options of {@link NodeApiClient}; all but `node` and `url` have defaults (SPEC §5, §6). */
export interface NodeApiClientOptions {
  /** The node's name: keys the registry entry. */
  readonly node: string;
  /** The node API's base URL, e.g. `http://localhost:14002`; `user:pass@` is sent as Basic auth, never shown. */
  readonly url: string;
  /** From the end of one health check to the start of the next. Defaults to 30000. */
  readonly healthCheckIntervalMs?: number;
  /** Per request, body included. Defaults to 10000. */
  readonly timeoutMs?: number;
  /** Defaults to {@link API_CLIENT_BACKOFF}: min(2^N, 300) s. */
  readonly backoff?: Backoff | BackoffOptions;
  /** Per cycle; 0 is unlimited. Defaults to 10. */
  readonly maxReconnectAttempts?: number;
  /** Larger response bodies are rejected. Defaults to 4 MiB. */
  readonly maxBodyBytes?: number;
  readonly registry?: ConnectionRegistry;
  readonly onEvent?: ConnectionEventSink<ApiClientEvent>;
  /** Clock and timers (health checks, backoff, request timeouts). Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Sends the requests through this fetch (Node's global `fetch`, undici's, a test
   * double, or a {@link KeepAliveFetch} of your own, given as the object) instead of the
   * client's own {@link KeepAliveFetch} (`cross-fetch` over keep-alive agents of its
   * own); connection reuse is then that fetch's business, and `stop()` does not close it.
   */
  readonly fetch?: FetchLike | SignalLikeFetch;
  /**
   * When the health checks count as degraded (slow against their own baseline, or
   * failing now and then); see {@link RequestDegradationOptions} for the defaults.
   */
  readonly degradation?: RequestDegradationOptions;
}

/**
 * A query was not sent because the API is unavailable (or the client stopped): the
 * "API down" of graceful degradation, as opposed to an {@link ApiRequestError}.
 *
 * @example
 * ```ts
 * client.dashboard().subscribe({ error: (e) => e instanceof ApiUnavailableError && showLogOnlyMode() });
 * ```
 */
export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError';
  constructor(
    readonly node: string,
    reason: string,
  ) {
    super(`[${node}] API unavailable: ${reason}`);
  }
}

/**
 * Health-checked, self-healing access to one node's API (SPEC §3.3, §4). `start()`
 * begins health checks of `GET /api/sno/` every 30 s; a failed check, or a query that
 * fails with 5xx, timeout or transport error, marks the API unavailable and starts
 * reconnect attempts with {@link API_CLIENT_BACKOFF}, at most `maxReconnectAttempts`
 * per cycle, a new cycle one health-check interval after an exhausted one;
 * `reconnect()` starts one at once. The status goes to the registry as the node's
 * `api_client`. While unavailable, queries fail fast with {@link ApiUnavailableError};
 * a 4xx or a wrong-shape body fails that query only ({@link ApiRequestError}).
 *
 * @example
 * ```ts
 * import { NodeApiClient, ConnectionRegistry } from 'storj-monitor-rx';
 *
 * const registry = new ConnectionRegistry();
 * const api = new NodeApiClient({ node: 'node1', url: 'http://localhost:14002', registry });
 * api.start();
 * api.dashboard().subscribe((dashboard) => console.log(dashboard.nodeID));
 * // later
 * api.stop();
 * ```
 */
export class NodeApiClient {
  readonly node: string;
  /** The base URL without credentials. */
  readonly url: string;
  /**
   * The health-check loop: while subscribed it checks the node and reconnects as
   * described, emitting each healthy dashboard. `start()` subscribes it for you.
   */
  readonly connection$: Observable<SnoDashboard>;
  /** Emits each time the client becomes connected, once its status says so (`isAvailable` is then true). */
  readonly connected$: Observable<void>;

  private currentStatus = initialApiClientStatus();
  private readonly connects = new Subject<void>();
  /** The registry's sink, which folds the status for us; without a registry we fold it here. */
  private readonly track: ((event: ApiClientEvent) => ApiClientStatus) | undefined;
  /** Fails the health loop's current check: set while the loop runs (a query's failure that means "API down"). */
  private failHealthLoop: ((error: ApiRequestError) => void) | undefined;
  private readonly reconnects = new Subject<void>();
  /** Made by the first query (most clients only ever health-check): emits on `stop()`. */
  private stops: Subject<void> | undefined;
  private readonly scheduler: SchedulerLike;
  private readonly fetch: FetchLike | SignalLikeFetch;
  /** The client's own connections (unless a `fetch` was given): kept open between health checks. */
  private readonly connections: KeepAliveFetch | undefined;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private running: Subscription | undefined;
  private lastNodeId = '';
  private lastVersion: string | null = null;
  private readonly checks: RequestDegradationTracker;
  /** `start()`'s `firstCheckDelayMs`, until that check has been scheduled. */
  private firstCheckDelayMs = 0;
  private readonly logEvent: ConnectionEventSink<ApiClientEvent>;

  constructor(private readonly options: NodeApiClientOptions) {
    this.node = requireText('node', options.node);
    const { base, headers } = splitCredentials(options.url);
    this.url = base;
    this.headers = headers;
    const healthCheckIntervalMs = requireInteger('healthCheckIntervalMs', options.healthCheckIntervalMs ?? 30_000, 1);
    this.timeoutMs = requireInteger('timeoutMs', options.timeoutMs ?? 10_000, 1);
    this.maxBodyBytes = requireInteger('maxBodyBytes', options.maxBodyBytes ?? 4 * 1024 * 1024, 1);
    const maxReconnectAttempts = requireInteger('maxReconnectAttempts', options.maxReconnectAttempts ?? 10, 0);
    const backoff = toBackoff(options.backoff, API_CLIENT_BACKOFF);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.connected$ = this.connects.asObservable();
    this.connections = options.fetch ? undefined : new KeepAliveFetch();
    this.fetch = options.fetch ?? (this.connections as KeepAliveFetch);
    this.checks = new RequestDegradationTracker(options.degradation, this.timeoutMs);
    this.track = options.registry?.track(this.node, 'api_client', this.currentStatus);
    this.logEvent = apiClientLogger(this.node, this.url, maxReconnectAttempts, () => this.lastNodeId);

    // A check, then another one interval after each ended; the first healthy one is
    // `connected`; a query's failure that means "API down" fails it at once. One
    // Observable over a callback request, not a request Observable with a tap and a
    // delayed resubscription, merged with the failures: a thousand nodes' checks run here,
    // and those layers were ~2 KB of the ~7.5 KB of garbage per check and 4.6 KB of heap
    // per client (README, Performance).
    const check = jsonRequester(this.jsonRequest('/api/sno/', toDashboard));
    const checks$ = new Observable<SnoDashboard>((subscriber) => {
      let abandon: (() => void) | undefined;
      let sentAt = 0;
      const run = (): void => {
        sentAt = this.scheduler.now();
        abandon = check(healthy, failed);
      };
      const next = checkTimer(this.scheduler, run);
      const healthy = (dashboard: SnoDashboard): void => {
        abandon = undefined;
        // The same text as last time stays: what a check keeps until the next check outlives V8's young collections.
        if (dashboard.nodeID !== this.lastNodeId) this.lastNodeId = dashboard.nodeID;
        if (typeof dashboard.version === 'string' && dashboard.version !== this.lastVersion) this.lastVersion = dashboard.version;
        this.succeeded();
        this.judge(true, sentAt);
        this.report({ type: 'health_checked', ok: true, contact: toSatelliteContact(dashboard) });
        subscriber.next(dashboard);
        if (!subscriber.closed) next.arm(healthCheckIntervalMs);
      };
      const failed = (error: ApiRequestError): void => {
        abandon = undefined;
        this.judge(false, sentAt);
        this.report({ type: 'health_checked', ok: false });
        subscriber.error(error);
      };
      const fail = (error: ApiRequestError): void => subscriber.error(error);
      this.failHealthLoop = fail;
      // Only the first check after `start()` waits; a reconnect attempt's goes out at once.
      const delay = this.firstCheckDelayMs;
      this.firstCheckDelayMs = 0;
      if (delay > 0) next.arm(delay);
      else run();
      return () => {
        if (this.failHealthLoop === fail) this.failHealthLoop = undefined;
        abandon?.();
        next.cancel();
      };
    });
    this.connection$ = checks$.pipe(
      retryWithState<SnoDashboard>({
        connectedOn: 'value',
        backoff,
        maxReconnectAttempts,
        cycleRestartMs: healthCheckIntervalMs,
        reconnect$: this.reconnects,
        scheduler: this.scheduler,
        describeError: (error) => peerText(redactCredentials(error instanceof Error ? error.message : String(error))),
        onEvent: (event) => this.report(event),
      }),
    );
  }

  /** The client's own status (the same the registry holds). */
  get status(): ApiClientStatus {
    return this.currentStatus;
  }

  /** True from `start()` to `stop()`. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** True while the last health check passed. */
  get isAvailable(): boolean {
    return this.currentStatus.is_available;
  }

  /** The node's storagenode version (`1.162.3`) from the last healthy dashboard; `null` before one. */
  get version(): string | null {
    return this.lastVersion;
  }

  /**
   * Starts the health checks (idempotent: while started, a second call does nothing).
   * `firstCheckDelayMs` (default 0) delays the first check; the later ones, and the
   * reconnect attempts, are not delayed. Clients of a fleet started together otherwise
   * check in the same moment every interval; the monitor spreads them
   * (`apiClient.firstChecksPerSecond`, `DEFAULT_FIRST_CHECKS_PER_SECOND`).
   *
   * @example
   * ```ts
   * apis.forEach((api, index) => api.start({ firstCheckDelayMs: index * 2 })); // 500 first checks a second
   * ```
   */
  start({ firstCheckDelayMs = 0 }: NodeApiClientStartOptions = {}): void {
    if (this.running) return;
    // A timer's longest delay (Node's setTimeout, the default scheduler's).
    this.firstCheckDelayMs = requireFinite('firstCheckDelayMs', firstCheckDelayMs, 0, 2_147_483_647);
    this.running = this.connection$.subscribe({ error: () => undefined });
  }

  /** Stops health checks and reconnects, aborts in-flight requests, releases sockets; state `stopped`. */
  stop(): void {
    this.running?.unsubscribe();
    this.running = undefined;
    this.stops?.next();
    this.connections?.close();
    if (this.currentStatus.state !== 'stopped') this.report({ type: 'stopped' });
  }

  /**
   * The next request goes over a new connection: idle ones close now, those carrying a
   * request close when it ends. (With a `fetch` of your own, its connections are its
   * business: this does nothing.)
   */
  resetConnections(): void {
    this.connections?.resetConnections();
  }

  /** Ends a backoff wait and starts a new cycle of reconnect attempts at once. */
  reconnect(): void {
    this.reconnects.next();
  }

  /** `GET /api/sno/`: the dashboard. */
  dashboard(): Observable<SnoDashboard> {
    return this.query('/api/sno/', toDashboard);
  }

  /** `GET /api/sno/satellites`: per-satellite totals (expensive for the node: not for polling). */
  satellites(): Observable<SnoSatellites> {
    return this.query('/api/sno/satellites', toSatellites);
  }

  /** `GET /api/sno/satellite/{id}`. */
  satellite(id: string): Observable<SnoSatellite> {
    return this.query(`/api/sno/satellite/${encodeURIComponent(requireText('id', id))}`, toSatellite);
  }

  /** `GET /api/sno/estimated-payout`. */
  estimatedPayout(): Observable<SnoEstimatedPayout> {
    return this.query('/api/sno/estimated-payout', toEstimatedPayout);
  }

  /** `GET /api/heldamount/paystubs/{from}/{to}`, months as `YYYY-MM`. */
  paystubs(from: string, to: string): Observable<readonly SnoPaystub[]> {
    return this.query(`/api/heldamount/paystubs/${requireMonth('from', from)}/${requireMonth('to', to)}`, toPaystubs);
  }

  /** A query: fails fast while unavailable; a failure that means "API down" also fails the health loop. */
  private query<T>(path: string, accept: (body: unknown) => T): Observable<T> {
    return defer(() => {
      if (!this.isAvailable) {
        return throwError(() => new ApiUnavailableError(this.node, this.currentStatus.last_error ?? `state is ${this.currentStatus.state}`));
      }
      const stopped$ = (this.stops ??= new Subject<void>()).pipe(mergeMap(() => throwError(() => new ApiUnavailableError(this.node, 'client stopped'))));
      return race(this.request(path, accept), stopped$);
    }).pipe(
      tap({
        error: (error: unknown) => {
          if (error instanceof ApiRequestError && error.marksUnavailable) this.failHealthLoop?.(error);
        },
      }),
    );
  }

  /** One request; every success counts as the last successful request. */
  private request<T>(path: string, accept: (body: unknown) => T): Observable<T> {
    return httpJson(this.jsonRequest(path, accept)).pipe(tap(() => this.succeeded()));
  }

  /**
   * A health check's latency and outcome go to the degradation rule; when it changes its
   * mind the status's `degraded` follows, and on becoming degraded the next request goes
   * over a new connection (the proactive reconnection: a connection gone bad, such as
   * one stuck in retransmissions, is not what the next check waits on).
   */
  private judge(ok: boolean, sentAt: number): void {
    if (!this.checks.judge(this.scheduler.now() - sentAt, ok)) return;
    const event: ApiClientEvent = { type: 'degradation', degraded: this.checks.degraded, reason: this.checks.reason };
    this.report(event);
    if (this.checks.degraded) this.resetConnections();
  }

  /** Every successful request, health check or query, is the last successful request. */
  private succeeded(): void {
    this.report({ type: 'request_succeeded', at: this.scheduler.now() });
  }

  private jsonRequest<T>(path: string, accept: (body: unknown) => T): HttpJsonRequest<T> {
    return {
      url: `${this.url}${path}`,
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      maxBodyBytes: this.maxBodyBytes,
      scheduler: this.scheduler,
      headers: this.headers,
      accept,
    };
  }

  private report(event: ApiClientEvent): void {
    this.currentStatus = this.track ? this.track(event) : apiClientTransition(this.currentStatus, event);
    this.options.onEvent?.(event);
    this.logEvent(event);
    if (event.type === 'connected') this.connects.next();
  }
}
