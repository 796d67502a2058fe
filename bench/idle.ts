// 5. Idle cost: connected, silent log sources and API clients checking every 30 s
// against loopback peers (in a child process): our CPU ms per minute.
import { Subscription } from 'rxjs';
import { ConnectionRegistry, NodeApiClient, tcpLogSource } from 'storj-monitor-rx';
import { collectGarbage, cpuMs, startPeer } from './support.js';

export interface IdleResult {
  cpu_ms_per_min: number;
  /** The same process over the same window before any source existed: its own idle cost. */
  empty_process_cpu_ms_per_min: number;
  sources: number;
  measured_s: number;
}

export async function runIdle(quick: boolean): Promise<IdleResult> {
  const count = quick ? 100 : 1000;
  const seconds = quick ? 5 : 60;
  const peer = await startPeer('idle');
  const window = (): Promise<number> => cpuMs(() => new Promise((resolve) => setTimeout(resolve, seconds * 1000)));
  // The earlier benchmarks' garbage is not this one's cost.
  collectGarbage();
  const empty = await window();
  const registry = new ConnectionRegistry();
  const subscriptions = new Subscription();
  const apis: NodeApiClient[] = [];
  try {
    for (let index = 0; index < count; index++) {
      subscriptions.add(tcpLogSource({ node: `node${index}`, host: '127.0.0.1', port: Number(peer.ready.logPort), registry }).subscribe());
      const api = new NodeApiClient({ node: `node${index}`, url: `http://127.0.0.1:${Number(peer.ready.apiPort)}`, registry });
      api.start();
      apis.push(api);
    }
    const allUp = (): boolean =>
      Object.values(registry.snapshot()).every((node) => node.log_reader?.state === 'connected' && node.api_client?.state === 'connected');
    while (!allUp()) await new Promise((resolve) => setTimeout(resolve, 50));
    // Nor is the garbage of creating 2,000 sources: the window measures them idle. (The
    // garbage of the health checks inside the window, and its collection, is counted.)
    collectGarbage();
    // Every client checks twice in the 60 s window.
    const used = await window();
    const perMinute = (ms: number): number => Math.round((ms * 60) / seconds);
    return { cpu_ms_per_min: perMinute(used), empty_process_cpu_ms_per_min: perMinute(empty), sources: count * 2, measured_s: seconds };
  } finally {
    subscriptions.unsubscribe();
    for (const api of apis) api.stop();
    await peer.stop();
  }
}
