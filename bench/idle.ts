// 5. Idle cost: connected, silent log sources and API clients checking every 30 s
// against loopback peers (in a child process): our CPU ms per minute, in the steady state.
import { Subscription } from 'rxjs';
import { ConnectionRegistry, NodeApiClient, tcpLogSource } from 'storj-monitor-rx';
import { allConnected, collectGarbage, cpuMs, sleep, startPeer } from './support.js';

export interface IdleResult {
  cpu_ms_per_min: number;
  /** The same process before any source existed (a 15 s window): its own idle cost. */
  empty_process_cpu_ms_per_min: number;
  /** A hand-written client doing the same checks over bare sockets (bench/peer.ts), in the same window. */
  baseline_cpu_ms_per_min: number;
  sources: number;
  measured_s: number;
}

export async function runIdle(quick: boolean): Promise<IdleResult> {
  const count = quick ? 100 : 1000;
  const seconds = quick ? 5 : 90;
  const warmUpSeconds = quick ? 1 : 30;
  const peer = await startPeer('idle');
  const window = (windowSeconds: number): Promise<number> => cpuMs(() => sleep(windowSeconds * 1000));
  const emptySeconds = quick ? 2 : 15;
  // The earlier benchmarks' garbage is not this one's cost.
  collectGarbage();
  const empty = await window(emptySeconds);
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
    const baseline = await startPeer('idle-baseline', { logPort: Number(peer.ready.logPort), apiPort: Number(peer.ready.apiPort), count, intervalMs: 30_000 });
    await allConnected(registry, ['log_reader', 'api_client']);
    // Nor is setting up 2,000 sources: one round of health checks (30 s) passes before the
    // window, so the collection of the setup's garbage is over and the window sees the
    // steady state. Every client then checks three times in the 90 s window; the health
    // checks' garbage and its collection are counted.
    await sleep(warmUpSeconds * 1000);
    baseline.send({ type: 'measure', seconds });
    const [used, measured] = await Promise.all([window(seconds), baseline.next<{ cpu_ms: number }>('measured')]);
    await baseline.stop();
    const perMinute = (ms: number, windowSeconds: number): number => Math.round((ms * 60) / windowSeconds);
    return {
      cpu_ms_per_min: perMinute(used, seconds),
      empty_process_cpu_ms_per_min: perMinute(empty, emptySeconds),
      baseline_cpu_ms_per_min: perMinute(measured.cpu_ms, seconds),
      sources: count * 2,
      measured_s: seconds,
    };
  } finally {
    subscriptions.unsubscribe();
    for (const api of apis) api.stop();
    await peer.stop();
  }
}
