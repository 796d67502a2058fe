// 6. Fleet: how many nodes one process holds within 1 CPU core and 1 GiB at the default
// intervals. createMonitor with N nodes (a log source and an API client each; health
// checks every 30 s, frames every 10 s) doing the example CLI's work: every frame
// serialised, lines counted per node, Prometheus scraped every 15 s. The forwarders and
// node APIs are in a child process (bench/peer.ts), so their work is not counted.
// `-- --only=fleet --nodes=2000,5000,9000 --lines=5` picks the sizes and each forwarder's
// lines per second.
import { loadavg } from 'node:os';
import { Registry } from 'prom-client';
import { createMonitor } from 'storj-monitor-rx';
import { registerPrometheusMetrics } from 'storj-monitor-rx/prometheus';
import { allConnected, cpuMs, settleGarbage, sleep, startPeer } from './support.js';

export interface FleetRound {
  readonly nodes: number;
  readonly lines_per_node_per_s: number;
  /** From start() until every source was connected. */
  readonly connect_s: number;
  /** CPU time over wall time in the measured window: 1 is one core. */
  readonly cpu_cores: number;
  readonly rss_bytes: number;
  readonly heap_bytes: number;
  readonly lines_per_s: number;
  /** The machine's 1-minute load average at the end of the window (2 cores, shared). */
  readonly load_average: number;
}

export interface FleetResult {
  readonly rounds: readonly FleetRound[];
  readonly warm_up_s: number;
  readonly measured_s: number;
}

const SCRAPE_INTERVAL_MS = 15_000;

export async function runFleet(quick: boolean): Promise<FleetResult> {
  const sizes = numbers('--nodes') ?? (quick ? [100] : [2000, 5000, 9000]);
  const linesPerSecond = numbers('--lines')?.[0] ?? 5;
  // One round of health checks before the window, so the connect burst's garbage is not counted; then two rounds.
  const warmUpSeconds = quick ? 2 : 30;
  const seconds = quick ? 5 : 60;
  const rounds: FleetRound[] = [];
  for (const nodes of sizes) rounds.push(await fleetRound(nodes, linesPerSecond, warmUpSeconds, seconds));
  return { rounds, warm_up_s: warmUpSeconds, measured_s: seconds };
}

async function fleetRound(count: number, linesPerSecond: number, warmUpSeconds: number, seconds: number): Promise<FleetRound> {
  await settleGarbage();
  const peer = await startPeer('idle', { linesPerSecond });
  const log = { host: '127.0.0.1', port: Number(peer.ready.logPort) };
  const api = { url: `http://127.0.0.1:${Number(peer.ready.apiPort)}` };
  const monitor = createMonitor({ nodes: Array.from({ length: count }, (_, index) => ({ name: `node${index}`, log, api })) });
  const prometheus = new Registry();
  const unregister = registerPrometheusMetrics(monitor, { registry: prometheus });
  const lines = new Map<string, number>();
  let received = 0;
  const subscriptions = [
    monitor.lines$.subscribe((line) => {
      received++;
      lines.set(line.node, (lines.get(line.node) ?? 0) + 1);
    }),
    monitor.frames$.subscribe((frame) => void JSON.stringify(frame)),
    monitor.alerts$.subscribe(),
  ];
  const scrapes = setInterval(() => void prometheus.metrics(), SCRAPE_INTERVAL_MS);
  try {
    const started = performance.now();
    monitor.start();
    await allConnected(monitor.registry, ['log_reader', 'api_client']);
    const connectSeconds = (performance.now() - started) / 1000;
    await sleep(warmUpSeconds * 1000);
    const receivedBefore = received;
    const used = await cpuMs(() => sleep(seconds * 1000));
    const memory = process.memoryUsage();
    return {
      nodes: count,
      lines_per_node_per_s: linesPerSecond,
      connect_s: Math.round(connectSeconds * 10) / 10,
      cpu_cores: Math.round(used / (seconds * 10)) / 100,
      rss_bytes: memory.rss,
      heap_bytes: memory.heapUsed,
      lines_per_s: Math.round((received - receivedBefore) / seconds),
      load_average: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    };
  } finally {
    clearInterval(scrapes);
    for (const subscription of subscriptions) subscription.unsubscribe();
    unregister();
    await monitor.stop();
    await peer.stop();
  }
}

/** `--name=1,2,3` from the command line. */
function numbers(name: string): number[] | undefined {
  const value = process.argv.find((argument) => argument.startsWith(`${name}=`))?.slice(name.length + 1);
  return value === undefined ? undefined : value.split(',').map(Number);
}
