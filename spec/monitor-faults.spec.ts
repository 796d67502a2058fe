import { expect } from 'chai';
import { WebSocket } from 'ws';
import { createMonitor, serveFrames, type ConnectionStatusFrame, type Monitor } from '../lib/index.js';
import { firstMatch, TestForwarder } from './support/forwarder.js';
import { FreezingProxy } from './support/freezing-proxy.js';
import { TestNodeApi } from './support/node-api.js';
import { eventually } from './support/wait.js';

describe('createMonitor against a frozen peer (kernel answers, process does not)', () => {
  let forwarder: TestForwarder;
  let api: TestNodeApi;
  let logProxy: FreezingProxy;
  let apiProxy: FreezingProxy;
  let monitor: Monitor;
  let feeding: NodeJS.Timeout;

  beforeEach(async () => {
    forwarder = await TestForwarder.start();
    api = await TestNodeApi.start();
    logProxy = await FreezingProxy.start(forwarder.port);
    apiProxy = await FreezingProxy.start(api.port);
    let sequence = 0;
    feeding = setInterval(() => forwarder.send(`${++sequence}.0 line ${sequence}\n`), 20);
  });
  afterEach(async () => {
    clearInterval(feeding);
    await monitor.stop();
    await logProxy.close();
    await apiProxy.close();
    await forwarder.kill();
    await api.stop();
  });

  it('only the idle timeout and the API request timeout see it; both recover after the thaw', async () => {
    monitor = createMonitor({
      nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: logProxy.port }, api: { url: `http://127.0.0.1:${apiProxy.port}` } }],
      logReader: { idleTimeoutMs: 300, initialBackoffMs: 100, maxBackoffMs: 100 },
      apiClient: { healthCheckIntervalMs: 100, timeoutMs: 300, initialBackoffMs: 100, maxBackoffMs: 100 },
      broadcastIntervalMs: 50,
    });
    const lines: string[] = [];
    monitor.lines$.subscribe((line) => lines.push(line.line));
    monitor.start();
    await firstMatch(monitor.states$, (states) => states.node1?.log_reader?.state === 'connected' && states.node1.api_client?.state === 'connected');

    logProxy.freeze();
    apiProxy.freeze();
    const frozen = await firstMatch(
      monitor.states$,
      (states) =>
        states.node1?.log_reader?.last_error?.startsWith('Idle timeout') === true &&
        states.node1.api_client?.last_error?.startsWith('Connection timeout') === true,
    );
    expect(frozen.node1?.log_reader?.last_error).to.equal('Idle timeout: no data for 300 ms');
    expect(frozen.node1?.api_client).to.include({ is_available: false, last_error: 'Connection timeout (no response within 300 ms)' });

    logProxy.thaw();
    apiProxy.thaw();
    await firstMatch(monitor.states$, (states) => states.node1?.log_reader?.state === 'connected' && states.node1.api_client?.state === 'connected');
    const received = lines.length;
    await eventually(() => lines.length > received + 3);
  });
});

describe('stop() with dashboards connected', () => {
  it('sends the final frame, closes clients with 1001, and leaves no socket or timer open', async () => {
    const forwarder = await TestForwarder.start();
    const api = await TestNodeApi.start();
    const baseline = openHandles();
    const monitor = createMonitor({
      nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port }, api: { url: api.url } }],
      apiClient: { healthCheckIntervalMs: 100 },
      broadcastIntervalMs: 50,
    });
    const broadcast = await serveFrames(monitor, { port: 0, heartbeatMs: 50 });
    monitor.start();
    const client = new WebSocket(`ws://127.0.0.1:${broadcast.port}/ws`);
    const frames: ConnectionStatusFrame[] = [];
    client.on('message', (data) => frames.push(JSON.parse((data as Buffer).toString('utf8')) as ConnectionStatusFrame));
    const code = new Promise<number>((resolve) => client.once('close', resolve));
    await eventually(() => frames.at(-1)?.states.node1?.api_client?.state === 'connected' && frames.at(-1)?.states.node1?.log_reader?.state === 'connected');

    await monitor.stop();
    await broadcast.close();
    expect(await code).to.equal(1001);
    expect(frames.at(-1)?.states.node1?.log_reader?.state).to.equal('stopped');
    expect(frames.at(-1)?.states.node1?.api_client?.state).to.equal('stopped');
    await forwarder.kill();
    await api.stop();
    await eventually(() => sameHandles(openHandles(), baseline));
  });
});

/** Counts of the sockets, servers and timers keeping the process alive. */
function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function sameHandles(now: Record<string, number>, before: Record<string, number>): boolean {
  return ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'].every((kind) => (now[kind] ?? 0) <= (before[kind] ?? 0));
}
