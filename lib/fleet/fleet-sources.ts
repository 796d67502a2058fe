import { join } from 'node:path';
import { asyncScheduler, catchError, EMPTY, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { NodeConfig, ResolvedMonitorConfig } from '../config.js';
import { NodeApiClient } from '../connections/node-api-client.js';
import { tcpLogSource } from '../connections/tcp-log-source.js';
import type { ForwarderLine } from '../log-lines/forwarder-line.js';
import type { FetchLike } from '../sources/fetch-like.js';
import type { TcpConnect } from '../sources/tcp-connection.js';
import type { LineRateOptions } from '../state/line-rate-degradation.js';
import type { Component, ConnectionRegistry } from '../state/registry.js';
import type { RequestDegradationOptions } from '../state/request-degradation.js';
import { firstCheckSpacingMs, nextFirstCheckAt } from './first-check-pacing.js';
import type { SourceChange } from './source-changes.js';

/** What {@link FleetSources} builds sources with. */
export interface FleetSourcesOptions {
  /** Where every source's status goes. */
  readonly registry: ConnectionRegistry;
  /** Receives every log line of every node while started. */
  readonly onLine: (line: ForwarderLine) => void;
  readonly scheduler?: SchedulerLike;
  readonly fetch?: FetchLike;
  readonly connect?: TcpConnect;
  /** Where resuming log sources keep their positions (`log-position-<node>`); none: in memory. */
  readonly stateDir?: string;
  /** Each log source's line-rate watch (`tcpLogSource`'s `lineRate`); off when absent. */
  readonly lineRate?: LineRateOptions;
  /** Each API client's degradation rule (`NodeApiClient`'s `degradation`). */
  readonly degradation?: RequestDegradationOptions;
  /** Runs beside each API client while it runs (started with it, unsubscribed when it stops). */
  readonly whileRunning?: (api: NodeApiClient) => Subscription;
}

/** A node's log source and, while started, its subscription. */
interface LogReader {
  readonly lines$: Observable<ForwarderLine>;
  running: Subscription | undefined;
}

/**
 * The sources of every watched node (a log source, an API client, or both per node),
 * changed in place by {@link SourceChange}s: a source that no change names is never
 * touched, so its connection stays open. A new source registers in the registry when it
 * is made and connects at once if the sources are started; a stopped one ends `stopped`
 * and releases its sockets and timers, and one that is gone leaves the registry.
 *
 * @example
 * ```ts
 * const sources = new FleetSources({ registry, onLine: (line) => lines.next(line) });
 * sources.apply(sourceChanges(undefined, config), config);
 * sources.start();
 * sources.apply(sourceChanges(config, next), next); // only what changed reconnects
 * sources.stop();
 * ```
 */
export class FleetSources {
  /** Each node's API client, by node name. */
  readonly apis: ReadonlyMap<string, NodeApiClient>;

  private readonly logReaders = new Map<string, LogReader>();
  private readonly apiClients = new Map<string, NodeApiClient>();
  private readonly companions = new Map<NodeApiClient, Subscription>();
  private readonly scheduler: SchedulerLike;
  private started = false;
  /** When the last API client's first check was given to go out (`nextFirstCheckAt`). */
  private lastFirstCheckAt = -Infinity;
  /** From the config last applied: `apiClient.firstChecksPerSecond` as a spacing. */
  private firstCheckSpacingMs = 0;

  constructor(private readonly options: FleetSourcesOptions) {
    this.apis = this.apiClients;
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Connects every source (idempotent). */
  start(): void {
    this.started = true;
    for (const reader of this.logReaders.values()) this.subscribe(reader);
    for (const api of this.apiClients.values()) this.startApi(api);
  }

  /** Stops every source (each ends `stopped`); they stay registered and `start()` connects them again. */
  stop(): void {
    this.started = false;
    // First checks given out but not sent yet will not be: the next start does not queue behind them.
    this.lastFirstCheckAt = Math.min(this.lastFirstCheckAt, this.scheduler.now());
    for (const reader of this.logReaders.values()) this.unsubscribe(reader);
    for (const api of this.apiClients.values()) this.stopApi(api);
  }

  /** Applies `changes` (from `sourceChanges(current, config)`), building new sources with `config`'s settings. */
  apply(changes: readonly SourceChange[], config: ResolvedMonitorConfig): void {
    this.firstCheckSpacingMs = firstCheckSpacingMs(config.apiClient.firstChecksPerSecond);
    for (const { node, component, action } of changes) {
      if (action !== 'start') this.stopSource(node.name, component);
      if (action === 'stop') this.options.registry.remove(node.name, component);
      else this.startSource(node, component, config);
    }
  }

  private stopSource(name: string, component: Component): void {
    if (component === 'log_reader') {
      const reader = this.logReaders.get(name);
      if (reader) this.unsubscribe(reader);
      this.logReaders.delete(name);
    } else {
      const api = this.apiClients.get(name);
      if (api) this.stopApi(api);
      this.apiClients.delete(name);
    }
  }

  /** Makes a node's source (which registers it), and connects it if started. */
  private startSource(node: NodeConfig, component: Component, { logReader, apiClient }: ResolvedMonitorConfig): void {
    const { registry, scheduler, fetch, connect, stateDir } = this.options;
    const { name } = node;
    if (component === 'log_reader' && node.log) {
      const reader: LogReader = {
        lines$: tcpLogSource({
          node: name,
          host: node.log.host,
          port: node.log.port,
          registry,
          connectTimeoutMs: logReader.connectTimeoutMs,
          keepAliveMs: logReader.keepAliveMs,
          idleTimeoutMs: logReader.idleTimeoutMs,
          maxLineBytes: logReader.maxLineBytes,
          maxReconnectAttempts: logReader.maxReconnectAttempts,
          backoff: { initialMs: logReader.initialBackoffMs, maxMs: logReader.maxBackoffMs },
          // A node whose release writes a format we do not know shows as a count (lines.unrecognized).
          detectSchemaDrift: true,
          nodeVersion: () => this.apiClients.get(name)?.version ?? null,
          resume: node.log.resume ?? false,
          ...(stateDir !== undefined && { positionFile: join(stateDir, `log-position-${encodeURIComponent(name)}`) }),
          ...(this.options.lineRate && { lineRate: this.options.lineRate }),
          ...(scheduler && { scheduler }),
          ...(connect && { connect }),
        }),
        running: undefined,
      };
      this.logReaders.set(name, reader);
      if (this.started) this.subscribe(reader);
    } else if (component === 'api_client' && node.api) {
      const api = new NodeApiClient({
        node: name,
        url: node.api.url,
        registry,
        healthCheckIntervalMs: apiClient.healthCheckIntervalMs,
        timeoutMs: apiClient.timeoutMs,
        maxReconnectAttempts: apiClient.maxReconnectAttempts,
        backoff: { initialMs: apiClient.initialBackoffMs, maxMs: apiClient.maxBackoffMs },
        ...(this.options.degradation && { degradation: this.options.degradation }),
        ...(scheduler && { scheduler }),
        ...(fetch && { fetch }),
      });
      this.apiClients.set(name, api);
      if (this.started) this.startApi(api);
    }
  }

  /** Starts `api` with its first check paced after the others' (a started one keeps its schedule). */
  private startApi(api: NodeApiClient): void {
    if (!api.started) {
      const now = this.scheduler.now();
      // At most one slot per client from now: slots given to clients removed or restarted
      // before their check, or before the wall clock was set back, delay the next no further.
      const latest = Math.min(this.lastFirstCheckAt, now + this.firstCheckSpacingMs * this.apiClients.size);
      this.lastFirstCheckAt = nextFirstCheckAt(latest, now, this.firstCheckSpacingMs);
      api.start({ firstCheckDelayMs: this.lastFirstCheckAt - now });
    }
    if (this.options.whileRunning && !this.companions.has(api)) this.companions.set(api, this.options.whileRunning(api));
  }

  private stopApi(api: NodeApiClient): void {
    this.companions.get(api)?.unsubscribe();
    this.companions.delete(api);
    api.stop();
  }

  private subscribe(reader: LogReader): void {
    // A source that gave up (maxReconnectAttempts) stays in `error`; the others go on.
    reader.running ??= reader.lines$.pipe(catchError(() => EMPTY)).subscribe(this.options.onLine);
  }

  private unsubscribe(reader: LogReader): void {
    reader.running?.unsubscribe();
    reader.running = undefined;
  }
}
