// The example CLI's /metrics: the monitor's metrics in Prometheus' format, when
// prom-client (an optional peer dependency of the package) is installed beside it.
import type { Monitor } from 'storj-monitor-rx';

export interface MetricsExport {
  readonly contentType: string;
  /** The exposition text of one scrape. */
  metrics(): Promise<string>;
  /** Unregisters the metrics. */
  close(): void;
}

/** The monitor's metrics in a registry of their own, or `undefined` when prom-client is not installed. */
export async function metricsExport(monitor: Monitor): Promise<MetricsExport | undefined> {
  let modules: [typeof import('prom-client'), typeof import('storj-monitor-rx/prometheus')];
  try {
    modules = await Promise.all([import('prom-client'), import('storj-monitor-rx/prometheus')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  const [{ Registry }, { registerPrometheusMetrics }] = modules;
  const registry = new Registry();
  const unregister = registerPrometheusMetrics(monitor, { registry });
  return { contentType: registry.contentType, metrics: () => registry.metrics(), close: unregister };
}
