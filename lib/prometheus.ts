/**
 * storj-monitor-rx/prometheus: a monitor's connection metrics for Prometheus, with
 * `prom-client` (an optional peer dependency: only users of this entry point need it).
 */
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { CONNECTION_STATES, type ConnectionStates } from './state/connection-status.js';
import type { NodeHealthTracker } from './state/health-tracker.js';
import type { ConnectionMetrics, ConnectionMetricsCollector } from './state/metrics.js';
import { NODE_VERDICTS } from './state/node-verdict.js';
import { REPUTATION_SCORES } from './state/reputation.js';

/** Options of {@link registerPrometheusMetrics}. */
export interface PrometheusOptions {
  /** Where the metrics are registered. Defaults to prom-client's global `register`. */
  readonly registry?: Registry;
  /** Buckets of the reconnection-duration histogram, in seconds. */
  readonly durationBuckets?: readonly number[];
}

/**
 * Registers a monitor's metrics (read at each scrape from its
 * `ConnectionMetricsCollector`), all under `storj_monitor_` with the labels `node` and
 * `component` (`log_reader`, `api_client`):
 *
 * - `storj_monitor_connection_state{state}`: 1 for the current state, 0 for the others;
 * - `storj_monitor_connection_uptime_ratio`, `..._uptime_ratio_window`;
 * - `storj_monitor_reconnections_total`, `storj_monitor_failed_attempts_total`;
 * - `storj_monitor_reconnection_duration_seconds` (histogram);
 * - `storj_monitor_health_checks_total{result}` (API clients);
 * - `storj_monitor_lines_total{outcome}` (log readers: received, malformed, oversize, partial, gap);
 * - `storj_monitor_log_gap_bytes_total` (log readers: bytes lost in gaps a resuming forwarder reported);
 * - `storj_monitor_unrecognized_lines_total` (log readers: piecestore lines that look like
 *   transfers but could not be read, a storagenode log format this version does not know);
 * - `storj_monitor_degraded`: 1 while the source is degraded, else 0 (with the monitor's `registry`);
 * - `storj_monitor_node_verdict{verdict}`, labels `node` and `verdict` only: 1 for the
 *   node's verdict, 0 for the other five (with the monitor's `health`);
 * - `storj_monitor_satellite_score{satellite,score}`, labels `node`, `satellite` and
 *   `score` (`audit`, `suspension`, `online`): the latest reading (with `health`).
 *
 * Label values come from the config (node names) or fixed sets, so the label sets stay
 * bounded; prom-client escapes them. A node removed from the monitor leaves every
 * metric, the histogram's series included. Returns a function that unregisters
 * everything.
 *
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * import { registerPrometheusMetrics } from 'storj-monitor-rx/prometheus';
 *
 * registerPrometheusMetrics(monitor);
 * server.on('request', async (request, response) => {
 *   if (request.url === '/metrics') response.writeHead(200, { 'content-type': register.contentType }).end(await register.metrics());
 * });
 * ```
 */
export function registerPrometheusMetrics(
  monitor: {
    readonly metrics: ConnectionMetricsCollector;
    readonly registry?: { snapshot(): ConnectionStates };
    readonly health?: Pick<NodeHealthTracker, 'snapshot' | 'scores'>;
  },
  options: PrometheusOptions = {},
): () => void {
  const registry = options.registry ?? defaultRegistry;
  const collector = monitor.metrics;
  // Every metric of one scrape reads the same snapshot, taken once.
  let scraped: Array<[node: string, component: string, metrics: ConnectionMetrics]> | undefined;
  const sources = (): Array<[node: string, component: string, metrics: ConnectionMetrics]> => {
    if (!scraped) {
      scraped = Object.entries(collector.snapshot()).flatMap(([node, components]) =>
        Object.entries(components).flatMap(([component, metrics]) => (metrics ? [[node, component, metrics] as [string, string, ConnectionMetrics]] : [])),
      );
      setImmediate(() => (scraped = undefined));
    }
    return scraped;
  };
  const labelNames = ['node', 'component'] as const;
  const created: string[] = [];
  const named = (name: string): string => {
    created.push(name);
    return name;
  };

  new Gauge({
    name: named('storj_monitor_connection_state'),
    help: 'Connection state: 1 for the current state, 0 for the others.',
    labelNames: [...labelNames, 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [node, component, metrics] of sources()) {
        for (const candidate of CONNECTION_STATES) this.set({ node, component, state: candidate }, candidate === metrics.state ? 1 : 0);
      }
    },
  });
  const ratio = (name: string, help: string, read: (metrics: ConnectionMetrics) => number | null): Gauge =>
    new Gauge({
      name: named(name),
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [node, component, metrics] of sources()) {
          const value = read(metrics);
          if (value !== null) this.set({ node, component }, value);
        }
      },
    });
  const total = <Label extends string>(
    name: string,
    help: string,
    labels: readonly Label[],
    read: (node: string, component: string, metrics: ConnectionMetrics) => Array<[Partial<Record<Label | 'node' | 'component', string>>, number]>,
  ): Counter =>
    new Counter({
      name: named(name),
      help,
      labelNames: [...labelNames, ...labels],
      registers: [registry],
      collect() {
        this.reset();
        for (const [node, component, metrics] of sources()) {
          for (const [labelValues, value] of read(node, component, metrics)) this.inc(labelValues, value);
        }
      },
    });

  ratio('storj_monitor_connection_uptime_ratio', 'Time connected over time tracked, since the monitor started.', (m) => m.uptime_ratio);
  ratio('storj_monitor_connection_uptime_ratio_window', 'Time connected over time tracked, over the sliding window.', (m) => m.uptime_ratio_window);
  total('storj_monitor_reconnections_total', 'Times a connection became connected again.', [], (node, component, m) => [
    [{ node, component }, m.reconnections],
  ]);
  total('storj_monitor_failed_attempts_total', 'Failed connection attempts and failed health checks or requests.', [], (node, component, m) => [
    [{ node, component }, m.failed_attempts],
  ]);
  total('storj_monitor_health_checks_total', 'API health checks by result.', ['result'], (node, component, m) =>
    m.health_checks
      ? [
          [{ node, component, result: 'success' }, m.health_checks.success],
          [{ node, component, result: 'failure' }, m.health_checks.failure],
        ]
      : [],
  );
  total('storj_monitor_lines_total', 'Log lines received, and dropped by reason.', ['outcome'], (node, component, m) =>
    m.lines ? (['received', 'malformed', 'oversize', 'partial', 'gap'] as const).map((outcome) => [{ node, component, outcome }, m.lines?.[outcome] ?? 0]) : [],
  );
  total('storj_monitor_log_gap_bytes_total', 'Bytes of log lost in gaps a resuming forwarder reported (of known size).', [], (node, component, m) =>
    m.lines ? [[{ node, component }, m.lines.gap_bytes]] : [],
  );
  total(
    'storj_monitor_unrecognized_lines_total',
    'Piecestore lines that look like transfers but could not be read (a storagenode log format this version does not know).',
    [],
    (node, component, m) => (m.lines ? [[{ node, component }, m.lines.unrecognized]] : []),
  );
  const { registry: connections, health } = monitor;
  if (connections) {
    new Gauge({
      name: named('storj_monitor_degraded'),
      help: 'Whether the source is degraded (slow or failing API, collapsed log line rate) while its state may still be connected: 1 or 0.',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [node, { log_reader, api_client }] of Object.entries(connections.snapshot())) {
          if (log_reader) this.set({ node, component: 'log_reader' }, log_reader.degraded ? 1 : 0);
          if (api_client) this.set({ node, component: 'api_client' }, api_client.degraded ? 1 : 0);
        }
      },
    });
  }
  if (health) {
    new Gauge({
      name: named('storj_monitor_node_verdict'),
      help: "The node's health verdict: 1 for the current one, 0 for the others.",
      labelNames: ['node', 'verdict'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [node, { verdict }] of Object.entries(health.snapshot())) {
          for (const candidate of NODE_VERDICTS) this.set({ node, verdict: candidate }, candidate === verdict ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: named('storj_monitor_satellite_score'),
      help: "A satellite's audit, suspension or online score of the node, as the node last reported it.",
      labelNames: ['node', 'satellite', 'score'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [node, satellites] of health.scores()) {
          for (const scores of satellites) for (const score of REPUTATION_SCORES) this.set({ node, satellite: scores.satellite, score }, scores[score]);
        }
      },
    });
  }
  const durations = new Histogram({
    name: named('storj_monitor_reconnection_duration_seconds'),
    help: 'From leaving connected to being connected again.',
    labelNames,
    buckets: [...(options.durationBuckets ?? [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600])],
    registers: [registry],
  });
  const observing = collector.reconnections$.subscribe(({ node, component, durationMs }) => durations.observe({ node, component }, durationMs / 1000));
  observing.add(collector.removed$.subscribe(({ node, component }) => durations.remove({ node, component })));

  return () => {
    observing.unsubscribe();
    for (const name of created) registry.removeSingleMetric(name);
  };
}
