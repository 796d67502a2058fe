import { BehaviorSubject, distinctUntilChanged, map, merge, share, Subject, Subscription, switchMap, type Observable, type SchedulerLike } from 'rxjs';
import { connectionStatusFrames } from './broadcast/frames.js';
import { resolveMonitorConfig, sourceHosts, type MonitorConfig, type NodeConfig, type ResolvedMonitorConfig } from './config.js';
import type { NodeApiClient } from './connections/node-api-client.js';
import { reputationReadings } from './connections/reputation-watch.js';
import { FleetSources } from './fleet/fleet-sources.js';
import { sourceChanges, type SourceChange } from './fleet/source-changes.js';
import type { ForwarderLine } from './log-lines/forwarder-line.js';
import type { FetchLike } from './sources/fetch-like.js';
import type { TcpConnect } from './sources/tcp-connection.js';
import type { ConnectionStates, ConnectionStatusFrame } from './state/connection-status.js';
import { connectionAlerts, type ConnectionAlert } from './state/alerts.js';
import { ConnectionHistory, type HistoryOptions } from './state/history.js';
import { ConnectionMetricsCollector, type MetricsMap } from './state/metrics.js';
import { keyedRecord } from './keyed-record.js';
import { NodeHealthTracker } from './state/health-tracker.js';
import type { LineRateOptions } from './state/line-rate-degradation.js';
import type { RequestDegradationOptions } from './state/request-degradation.js';
import type { HealthMap } from './state/node-verdict.js';
import { ConnectionRegistry } from './state/registry.js';
import type { ReputationAlert, ReputationThresholds } from './state/reputation.js';
import { requireInteger, requireText } from './validate.js';

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
export interface MonitorOptions extends Pick<HistoryOptions, 'historyWindowMs' | 'historyMaxSegments' | 'historyFile' | 'historyFlushMs'> {
  /** Clock and timers of every source and the frames. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Sends the API clients' requests through this fetch instead of each client's own cross-fetch over keep-alive agents. */
  readonly fetch?: FetchLike;
  /** The log sources' connect step. Defaults to `net.connect`. */
  readonly connect?: TcpConnect;
  /** `alerts$` fires when a source has been away from `connected` this long. Defaults to 300000 (5 min). */
  readonly alertThresholdMs?: number;
  /** The sliding window of `uptime_ratio_window`, in ms (an integer >= 1). Defaults to 3600000 (1 h). */
  readonly metricsWindowMs?: number;
  /**
   * Where resuming log sources (`nodes[].log.resume`) keep their positions, one file per
   * node, so that a restarted monitor resumes where it stopped. None: positions live in
   * memory, and a restart starts from "now".
   */
  readonly stateDir?: string;
  /** How often each API client reads the per-satellite scores (`/api/sno/satellites`, heavy for the node), in ms. Defaults to 3600000 (1 h). */
  readonly reputationIntervalMs?: number;
  /** Warning thresholds of the scores. Defaults to audit 0.99, suspension 0.9, online 0.9 (`REPUTATION_WARNING_THRESHOLDS`). */
  readonly reputationThresholds?: Partial<ReputationThresholds>;
  /** `lastPinged` older than this makes a node `satellites-unreachable`, in ms. Defaults to 7200000 (2 h). */
  readonly lastPingedStaleMs?: number;
  /** When an API client counts as degraded (`RequestDegradationOptions`). Defaults: median of the last 5 checks above 4 x the usual and above 500 ms, or above half the timeout; or 2 of 5 checks failed. */
  readonly degradation?: RequestDegradationOptions;
  /** When a log's line rate counts as collapsed (`LineRateOptions`). Defaults: 1 min buckets, under 0.1 x the usual rate for 5 min. */
  readonly lineRate?: LineRateOptions;
  /** Outages of one host's nodes within this many ms are one `host_down`. Defaults to 60000. */
  readonly hostAlertWindowMs?: number;
}

/** A monitor's frame: `connection_status` (SPEC §3.4) with the additive keys `metrics` and `health`. */
export interface MonitorFrame extends ConnectionStatusFrame {
  readonly metrics: MetricsMap;
  readonly health: HealthMap;
}

/** Everything `monitor.alerts$` says: connection and host outages, reputation warnings. */
export type MonitorAlert = ConnectionAlert | ReputationAlert;

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
  if (options.stateDir !== undefined) requireText('stateDir', options.stateDir);
  return new Monitor(resolveMonitorConfig(config), options);
}

/**
 * A running composition of every node's sources (SPEC §6), made by
 * {@link createMonitor} (the package exports this class as a type only). Nodes can be
 * added, removed and changed while it runs: {@link Monitor.reconfigure}.
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
  /**
   * Each watched node's API client, for queries (`monitor.apis.get('node1')?.dashboard()`).
   * A node's client is replaced when its API settings change, and goes with the node.
   */
  readonly apis: ReadonlyMap<string, NodeApiClient>;
  /** Connection metrics (uptime, reconnections, failures, health checks, lines), derived from the registry. */
  readonly metrics: ConnectionMetricsCollector;
  /** The metrics now, then every `broadcastIntervalMs`. */
  readonly metrics$: Observable<MetricsMap>;
  /** Each connection's states over the last `historyWindowMs` (24 h), kept in `historyFile` across restarts when given. */
  readonly history: ConnectionHistory;
  /** `down` once per outage longer than `alertThresholdMs`, `recovered` when it ends; `host_down`/`host_recovered` for several nodes of one host; `reputation`/`reputation_recovered`. */
  readonly alerts$: Observable<MonitorAlert>;
  /** One verdict per node (`ok`, `degraded`, `offline`, `unreachable`, `satellites-unreachable`, `at-risk`) and its reasons. */
  readonly health: NodeHealthTracker;
  /** The verdicts now, then every change. */
  readonly health$: Observable<HealthMap>;

  private current: ResolvedMonitorConfig;
  private readonly framesSubject = new Subject<MonitorFrame>();
  private readonly linesSubject = new Subject<ForwarderLine>();
  private readonly broadcastIntervalMs: BehaviorSubject<number>;
  private readonly sources: FleetSources;
  private running: Subscription | undefined;
  private persisting = Subscription.EMPTY;
  /** The host of each source, for host alerts; follows the config. */
  private hostOf: ReturnType<typeof sourceHosts>;

  constructor(
    config: ResolvedMonitorConfig,
    private readonly options: MonitorOptions,
  ) {
    const { scheduler, fetch, connect } = options;
    this.current = config;
    this.hostOf = sourceHosts(config.nodes);
    this.broadcastIntervalMs = new BehaviorSubject(config.broadcastIntervalMs);
    this.health = new NodeHealthTracker(this.registry, {
      ...(options.reputationThresholds && { reputationThresholds: options.reputationThresholds }),
      ...(options.lastPingedStaleMs !== undefined && { lastPingedStaleMs: options.lastPingedStaleMs }),
      ...(scheduler && { scheduler }),
    });
    this.health$ = this.health.health$;
    this.sources = new FleetSources({
      registry: this.registry,
      onLine: (line) => this.linesSubject.next(line),
      lineRate: options.lineRate ?? {},
      ...(options.degradation && { degradation: options.degradation }),
      whileRunning: (api) => this.readReputation(api),
      ...(scheduler && { scheduler }),
      ...(fetch && { fetch }),
      ...(connect && { connect }),
      ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
    });
    this.sources.apply(sourceChanges(undefined, config), config);
    this.apis = this.sources.apis;
    this.metrics = new ConnectionMetricsCollector(this.registry, {
      intervalMs: this.broadcastIntervalMs.pipe(distinctUntilChanged()),
      ...(options.metricsWindowMs !== undefined && { windowMs: requireInteger('metricsWindowMs', options.metricsWindowMs, 1) }),
      ...(scheduler && { scheduler }),
    });
    this.metrics$ = this.metrics.metrics$;
    const { historyWindowMs, historyMaxSegments, historyFile, historyFlushMs } = options;
    const intervalMs = this.broadcastIntervalMs.pipe(distinctUntilChanged());
    this.history = new ConnectionHistory(this.registry, { historyWindowMs, historyMaxSegments, historyFile, historyFlushMs, intervalMs, scheduler });
    const connectionAlerts$ = connectionAlerts(this.registry.transitions$, {
      hostOf: (node, component) => this.hostOf(node, component),
      ...(options.alertThresholdMs !== undefined && { thresholdMs: options.alertThresholdMs }),
      ...(options.hostAlertWindowMs !== undefined && { hostWindowMs: options.hostAlertWindowMs }),
      ...(scheduler && { scheduler }),
    });
    this.alerts$ = merge(connectionAlerts$, this.health.alerts$).pipe(share());
    this.frames$ = this.framesSubject.asObservable();
    this.lines$ = this.linesSubject.asObservable();
    this.features$ = this.states$.pipe(map(featuresOf), distinctUntilChanged(sameFeatures));
  }

  /** The checked config now, defaults filled in: the one given, or the last one that {@link reconfigure} accepted. */
  get config(): ResolvedMonitorConfig {
    return this.current;
  }

  /** The current frame, synchronously: what a newly connected dashboard is sent. */
  frame(): MonitorFrame {
    return this.frameOf(this.registry.snapshot());
  }

  /** Connects every source (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = new Subscription();
    this.sources.start();
    const { scheduler } = this.options;
    const frames$ = this.broadcastIntervalMs.pipe(
      distinctUntilChanged(),
      switchMap((intervalMs) => connectionStatusFrames(() => this.registry.snapshot(), { intervalMs, ...(scheduler && { scheduler }) })),
    );
    this.running.add(frames$.subscribe(({ states }) => this.framesSubject.next(this.frameOf(states))));
    this.persisting = this.history.persist();
  }

  /**
   * Moves the monitor to a new config (the whole of it, as `createMonitor` takes it),
   * changing only what differs: a new node's sources are made (and connected at once
   * if the monitor runs); a node that is gone has its sources stopped (they end
   * `stopped`, their sockets and timers are released) and leaves the map, the frames,
   * the metrics and Prometheus; a node whose `log` or `api` settings changed (its own,
   * or the shared `logReader` / `apiClient` section) reconnects that source only; every
   * other source keeps its connection. A new `broadcastIntervalMs` or `shard` applies
   * too. `states$`, `frames$`, `lines$`, `features$`, `metrics$` and `alerts$` go on
   * across it. A bad config throws the `RangeError` `createMonitor` would, naming the
   * field, and changes nothing. Returns what it did, stops first.
   *
   * @example
   * ```ts
   * const changes = monitor.reconfigure(JSON.parse(await readFile('monitor.json', 'utf8')));
   * console.log(changes.map(({ node, component, action }) => `${action} ${node.name} ${component}`));
   * ```
   */
  reconfigure(config: MonitorConfig): readonly SourceChange[] {
    const next = resolveMonitorConfig(config);
    const changes = sourceChanges(this.current, next);
    this.current = next;
    this.hostOf = sourceHosts(next.nodes);
    this.sources.apply(changes, next);
    this.broadcastIntervalMs.next(next.broadcastIntervalMs);
    return changes;
  }

  /**
   * Adds one node (checked as part of the config: a bad field throws a `RangeError`
   * naming it, `nodes[3].log.port must be ...`, and nothing changes); if the monitor
   * runs, its sources connect at once. In a sharded monitor, a node of another shard is
   * added to the config but not watched.
   *
   * @example
   * ```ts
   * monitor.addNode({ name: 'node4', log: { host: '10.0.0.5', port: 9001 }, api: { url: 'http://10.0.0.5:14002' } });
   * ```
   */
  addNode(node: NodeConfig): readonly SourceChange[] {
    return this.reconfigure({ ...this.current, nodes: [...this.current.nodes, node] });
  }

  /**
   * Removes the node named `name`: its sources end `stopped`, their sockets and timers
   * are released, and it leaves the map, the frames, the metrics and Prometheus. An
   * unknown name, or the last node (a config needs one), throws a `RangeError` and
   * changes nothing.
   *
   * @example
   * ```ts
   * monitor.removeNode('node4');
   * ```
   */
  removeNode(name: string): readonly SourceChange[] {
    if (!this.current.nodes.some((node) => node.name === name)) {
      throw new RangeError(`name ${JSON.stringify(name)} is not a node of this monitor`);
    }
    return this.reconfigure({ ...this.current, nodes: this.current.nodes.filter((node) => node.name !== name) });
  }

  /** Graceful shutdown: every source `stopped`, a final frame, sockets and timers released. Harmless twice. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.unsubscribe();
    this.sources.stop();
    // After the sources, so that their `stopped` is in the journal's last flush.
    this.persisting.unsubscribe();
    this.framesSubject.next(this.frame());
    // Destroyed sockets finish closing on the next turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private frameOf(states: ConnectionStates): MonitorFrame {
    return { type: 'connection_status', states, metrics: this.metrics.snapshot(), health: this.health.snapshot() };
  }

  /** Reads a running API client's satellite scores every `reputationIntervalMs`, into the verdicts and `alerts$`. */
  private readReputation(api: NodeApiClient): Subscription {
    const { reputationIntervalMs, scheduler } = this.options;
    // The client's own signal: a filter of `registry.transitions$` per client would run every client's filter on every transition of the fleet.
    return reputationReadings(api, api.connected$, {
      ...(reputationIntervalMs !== undefined && { intervalMs: reputationIntervalMs }),
      ...(scheduler && { scheduler }),
    }).subscribe((reading) => this.health.record(reading));
  }
}

function featuresOf(states: ConnectionStates): Readonly<Record<string, NodeFeatures>> {
  const features = keyedRecord<NodeFeatures>();
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
