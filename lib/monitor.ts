import { catchError, distinctUntilChanged, EMPTY, map, share, Subject, Subscription, type Observable, type SchedulerLike } from 'rxjs';
import { connectionStatusFrames } from './broadcast/frames.js';
import { resolveMonitorConfig, type MonitorConfig, type ResolvedMonitorConfig } from './config.js';
import { NodeApiClient } from './connections/node-api-client.js';
import { tcpLogSource } from './connections/tcp-log-source.js';
import type { ForwarderLine } from './log-lines/forwarder-line.js';
import type { FetchLike } from './sources/fetch-like.js';
import type { TcpConnect } from './sources/tcp-connection.js';
import type { ConnectionStates, ConnectionStatusFrame } from './state/connection-status.js';
import { connectionAlerts, type ConnectionAlert } from './state/alerts.js';
import { ConnectionMetricsCollector, type MetricsMap } from './state/metrics.js';
import { ConnectionRegistry } from './state/registry.js';

/**
 * What a node can do right now: stream its log, answer API queries, both, or neither.
 * `mode` says it in one word; `'log-only'` is the graceful degradation of SPEC §6.
 */
export interface NodeFeatures {
  readonly logs: boolean;
  readonly api: boolean;
  readonly mode: 'log+api' | 'log-only' | 'api-only' | 'offline';
}

/** The edges of a monitor, injectable for tests and unusual runtimes. */
export interface MonitorOptions {
  /** Clock and timers of every source and the frames. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Sends the API clients' requests through this fetch instead of each client's own cross-fetch over keep-alive agents. */
  readonly fetch?: FetchLike;
  /** The log sources' connect step. Defaults to `net.connect`. */
  readonly connect?: TcpConnect;
  /** `alerts$` fires when a source has been away from `connected` this long. Defaults to 300000 (5 min). */
  readonly alertThresholdMs?: number;
  /** The sliding window of `uptime_ratio_window`. Defaults to 3600000 (1 h). */
  readonly metricsWindowMs?: number;
}

/** A monitor's frame: `connection_status` (SPEC §3.4) with the additive key `metrics`. */
export interface MonitorFrame extends ConnectionStatusFrame {
  readonly metrics: MetricsMap;
}

/**
 * Composes one monitor from config (SPEC §6): a self-healing log source and a
 * health-checked API client per node, one connection registry, and status frames.
 * The config is checked first, before any connection is made, and a bad field throws a
 * `RangeError` naming it. A node's API outage never stops its log stream, nor the
 * other way round; a node whose API is down is in `'log-only'` mode until its health
 * checks pass again.
 *
 * @example
 * ```ts
 * import { createMonitor } from 'storj-monitor-rx';
 *
 * const monitor = createMonitor({
 *   nodes: [{ name: 'node1', log: { host: '192.168.1.100', port: 9001 }, api: { url: 'http://192.168.1.100:14002' } }],
 * });
 * monitor.frames$.subscribe((frame) => console.log(JSON.stringify(frame)));
 * monitor.lines$.subscribe((line) => console.log(line.node, line.entry.message));
 * monitor.start();
 * process.once('SIGINT', () => void monitor.stop());
 * ```
 */
export function createMonitor(config: MonitorConfig, options: MonitorOptions = {}): Monitor {
  return new Monitor(resolveMonitorConfig(config), options);
}

/**
 * A running composition of every node's sources (SPEC §6), made by
 * {@link createMonitor} (the package exports this class as a type only).
 */
export class Monitor {
  readonly registry = new ConnectionRegistry();
  /** The current connection map on subscribe, then every (coalesced) change. */
  readonly states$ = this.registry.states$;
  /** A `connection_status` frame every `broadcastIntervalMs` while started, and a last one on `stop()`. */
  readonly frames$: Observable<MonitorFrame>;
  /** Every node's log lines while started, tagged with the node's name. */
  readonly lines$: Observable<ForwarderLine>;
  /** Per node, what works right now; emits when that changes. */
  readonly features$: Observable<Readonly<Record<string, NodeFeatures>>>;
  /** Each node's API client, for queries (`monitor.apis.get('node1')?.dashboard()`). */
  readonly apis: ReadonlyMap<string, NodeApiClient>;
  /** Connection metrics (uptime, reconnections, failures, health checks, lines), derived from the registry. */
  readonly metrics: ConnectionMetricsCollector;
  /** The metrics now, then every `broadcastIntervalMs`. */
  readonly metrics$: Observable<MetricsMap>;
  /** `down` once per outage longer than `alertThresholdMs`, `recovered` when it ends. */
  readonly alerts$: Observable<ConnectionAlert>;

  private readonly framesSubject = new Subject<MonitorFrame>();
  private readonly linesSubject = new Subject<ForwarderLine>();
  private readonly logSources: ReadonlyArray<Observable<ForwarderLine>>;
  private running: Subscription | undefined;

  constructor(
    /** The checked config, defaults filled in. */
    readonly config: ResolvedMonitorConfig,
    private readonly options: MonitorOptions,
  ) {
    const { logReader, apiClient } = config;
    const { scheduler, fetch, connect } = options;
    const registry = this.registry;
    this.logSources = config.nodes.flatMap(({ name, log }) =>
      log
        ? [
            tcpLogSource({
              node: name,
              host: log.host,
              port: log.port,
              registry,
              connectTimeoutMs: logReader.connectTimeoutMs,
              keepAliveMs: logReader.keepAliveMs,
              idleTimeoutMs: logReader.idleTimeoutMs,
              maxLineBytes: logReader.maxLineBytes,
              maxReconnectAttempts: logReader.maxReconnectAttempts,
              backoff: { initialMs: logReader.initialBackoffMs, maxMs: logReader.maxBackoffMs },
              // A node whose release writes a format we do not know shows as a count (lines.unrecognized).
              detectSchemaDrift: true,
              nodeVersion: () => this.apis.get(name)?.version ?? null,
              ...(scheduler && { scheduler }),
              ...(connect && { connect }),
            }),
          ]
        : [],
    );
    this.apis = new Map(
      config.nodes.flatMap(({ name, api }) =>
        api
          ? [
              [
                name,
                new NodeApiClient({
                  node: name,
                  url: api.url,
                  registry,
                  healthCheckIntervalMs: apiClient.healthCheckIntervalMs,
                  timeoutMs: apiClient.timeoutMs,
                  maxReconnectAttempts: apiClient.maxReconnectAttempts,
                  backoff: { initialMs: apiClient.initialBackoffMs, maxMs: apiClient.maxBackoffMs },
                  ...(scheduler && { scheduler }),
                  ...(fetch && { fetch }),
                }),
              ] as const,
            ]
          : [],
      ),
    );
    this.metrics = new ConnectionMetricsCollector(registry, {
      intervalMs: config.broadcastIntervalMs,
      ...(options.metricsWindowMs !== undefined && { windowMs: options.metricsWindowMs }),
      ...(scheduler && { scheduler }),
    });
    this.metrics$ = this.metrics.metrics$;
    this.alerts$ = connectionAlerts(registry.transitions$, {
      ...(options.alertThresholdMs !== undefined && { thresholdMs: options.alertThresholdMs }),
      ...(scheduler && { scheduler }),
    }).pipe(share());
    this.frames$ = this.framesSubject.asObservable();
    this.lines$ = this.linesSubject.asObservable();
    this.features$ = this.states$.pipe(map(featuresOf), distinctUntilChanged(sameFeatures));
  }

  /** The current frame, synchronously: what a newly connected dashboard is sent. */
  frame(): MonitorFrame {
    return this.frameOf(this.registry.snapshot());
  }

  /** Connects every source (idempotent). */
  start(): void {
    if (this.running) return;
    const running = new Subscription();
    for (const source$ of this.logSources) {
      // A source that gave up (maxReconnectAttempts) stays in `error`; the others go on.
      running.add(source$.pipe(catchError(() => EMPTY)).subscribe((line) => this.linesSubject.next(line)));
    }
    for (const api of this.apis.values()) {
      api.start();
      running.add(() => api.stop());
    }
    const frames$ = connectionStatusFrames(() => this.registry.snapshot(), {
      intervalMs: this.config.broadcastIntervalMs,
      ...(this.options.scheduler && { scheduler: this.options.scheduler }),
    });
    running.add(frames$.subscribe(({ states }) => this.framesSubject.next(this.frameOf(states))));
    this.running = running;
  }

  private frameOf(states: ConnectionStates): MonitorFrame {
    return { type: 'connection_status', states, metrics: this.metrics.snapshot() };
  }

  /** Graceful shutdown: every source `stopped`, a final frame, sockets and timers released. Harmless twice. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.unsubscribe();
    this.framesSubject.next(this.frame());
    // Destroyed sockets finish closing on the next turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function featuresOf(states: ConnectionStates): Readonly<Record<string, NodeFeatures>> {
  const features: Record<string, NodeFeatures> = {};
  for (const [node, { log_reader, api_client }] of Object.entries(states)) {
    const logs = log_reader?.state === 'connected';
    const api = api_client?.is_available === true;
    features[node] = { logs, api, mode: logs ? (api ? 'log+api' : 'log-only') : api ? 'api-only' : 'offline' };
  }
  return features;
}

function sameFeatures(a: Readonly<Record<string, NodeFeatures>>, b: Readonly<Record<string, NodeFeatures>>): boolean {
  const nodes = Object.keys(a);
  if (nodes.length !== Object.keys(b).length) return false;
  return nodes.every((node) => a[node]?.mode === b[node]?.mode);
}
