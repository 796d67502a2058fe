import { Subscription } from 'rxjs';
import type { Monitor, NodeConfig } from '../../lib/index.js';
import { TestForwarder } from './forwarder.js';
import { TestNodeApi } from './node-api.js';

/** Monitor settings for tests in real time: 50 ms backoff, a health check and a frame every 100 ms. */
export const FAST_SETTINGS = {
  logReader: { initialBackoffMs: 50, maxBackoffMs: 50, keepAliveMs: 1000 },
  apiClient: { healthCheckIntervalMs: 100, timeoutMs: 1000, initialBackoffMs: 50, maxBackoffMs: 50 },
  broadcastIntervalMs: 100,
};

/** A node's two peers: a log forwarder and a node API, both real servers on 127.0.0.1. */
export interface NodePeers {
  readonly forwarder: TestForwarder;
  readonly api: TestNodeApi;
}

/** The config of a node named `name` that reads the log of `peers.forwarder` and checks `peers.api`. */
export function nodeOf(name: string, { forwarder, api }: NodePeers): NodeConfig {
  return { name, log: { host: '127.0.0.1', port: forwarder.port }, api: { url: api.url } };
}

/**
 * What a spec of a monitor against real peers starts, ended together by {@link stop}:
 * the peers, the monitors and the subscriptions to their streams. One fixture serves a
 * whole `describe`; `stop()` leaves it empty for the next test.
 *
 * @example
 * ```ts
 * const fixture = new MonitorFixture();
 * afterEach(() => fixture.stop());
 * it('connects', async () => {
 *   const monitor = fixture.track(createMonitor({ nodes: [nodeOf('node1', await fixture.startPeers())], ...FAST_SETTINGS }));
 *   fixture.subscriptions.add(monitor.frames$.subscribe((frame) => frames.push(frame)));
 *   monitor.start();
 * });
 * ```
 */
export class MonitorFixture {
  private current = new Subscription();
  private monitors: Monitor[] = [];
  private started: NodePeers[] = [];

  /** Subscriptions made by the test, unsubscribed first by {@link stop}. */
  get subscriptions(): Subscription {
    return this.current;
  }

  /** The peers started so far, in order. */
  get peers(): readonly NodePeers[] {
    return this.started;
  }

  /** Starts a forwarder and a node API, stopped by {@link stop}. */
  async startPeers(): Promise<NodePeers> {
    const forwarder = await TestForwarder.start();
    try {
      const peers = { forwarder, api: await TestNodeApi.start() };
      this.started.push(peers);
      return peers;
    } catch (error) {
      await forwarder.kill();
      throw error;
    }
  }

  /** `monitor`, to be stopped by {@link stop}. */
  track(monitor: Monitor): Monitor {
    this.monitors.push(monitor);
    return monitor;
  }

  /** Unsubscribes, stops every monitor, then kills every forwarder and stops every node API. */
  async stop(): Promise<void> {
    const [subscriptions, monitors, started] = [this.current, this.monitors, this.started];
    this.current = new Subscription();
    this.monitors = [];
    this.started = [];
    subscriptions.unsubscribe();
    // Every peer is stopped even when one fails to; the first failure is thrown after.
    const stopped = await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
    const killed = await Promise.allSettled(started.flatMap(({ forwarder, api }) => [forwarder.kill(), api.stop()]));
    const failed = [...stopped, ...killed].find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
