import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { createMonitor, type ConnectionStatusFrame, type Monitor, type MonitorFrame, type NodeFeatures } from '../lib/index.js';
import { firstMatch, refusedPort, statusMatch, TestForwarder } from './support/forwarder.js';
import { FAST_SETTINGS, MonitorFixture, nodeOf, type NodePeers } from './support/monitor-fixture.js';
import { json } from './support/node-api.js';
import { eventually } from './support/wait.js';

const LOG_READER_KEYS = ['state', 'host', 'port', 'reconnect_attempts', 'last_error'];
const API_CLIENT_KEYS = ['state', 'is_available', 'last_error', 'reconnect_attempts', 'last_successful_request'];
const EXTRA_KEYS = ['next_retry_at', 'dropped_lines', 'resume', 'degraded'];

describe('createMonitor (real forwarders and node APIs on 127.0.0.1)', () => {
  const fixture = new MonitorFixture();
  let nodes: readonly NodePeers[];

  beforeEach(async () => (nodes = [await fixture.startPeers(), await fixture.startPeers()]));
  afterEach(() => fixture.stop());

  const start = (): Monitor => {
    const monitor = fixture.track(createMonitor({ nodes: nodes.map((peers, index) => nodeOf(`node${index + 1}`, peers)), ...FAST_SETTINGS }));
    monitor.start();
    return monitor;
  };
  const allConnected = (frame: MonitorFrame): boolean =>
    Object.values(frame.states).length === 2 &&
    Object.values(frame.states).every((node) => node.log_reader?.state === 'connected' && node.api_client?.state === 'connected');

  it('frames carry both nodes with exactly the SPEC §3.4 keys (plus the documented extras)', async () => {
    const monitor = start();
    const frame = await firstMatch(monitor.frames$, allConnected);
    expect(frame.type).to.equal('connection_status');
    expect(Object.keys(frame.states).sort()).to.deep.equal(['node1', 'node2']);
    for (const [index, node] of Object.values(frame.states).entries()) {
      expect(Object.keys(node).sort()).to.deep.equal(['api_client', 'log_reader']);
      expect(Object.keys(node.log_reader ?? {}).sort()).to.deep.equal([...LOG_READER_KEYS, ...EXTRA_KEYS].sort());
      expect(Object.keys(node.api_client ?? {}).sort()).to.deep.equal([...API_CLIENT_KEYS, 'next_retry_at', 'degraded'].sort());
      expect(node.log_reader).to.include({
        state: 'connected',
        host: '127.0.0.1',
        port: nodes[index]?.forwarder.port,
        reconnect_attempts: 0,
        last_error: null,
      });
      expect(node.api_client).to.include({ state: 'connected', is_available: true, last_error: null, reconnect_attempts: 0 });
      expect(node.api_client?.last_successful_request).to.be.a('number');
    }
    const wire = JSON.parse(JSON.stringify(frame)) as ConnectionStatusFrame;
    expect(wire).to.deep.equal(frame);
    // The additive keys: metrics and health beside the states, per node.
    expect(Object.keys(frame).sort()).to.deep.equal(['health', 'metrics', 'states', 'type']);
    expect(frame.health).to.deep.equal({ node1: { verdict: 'ok', reasons: [] }, node2: { verdict: 'ok', reasons: [] } });
    expect(frame.metrics.node1?.log_reader).to.include({ state: 'connected', reconnections: 0, failed_attempts: 0 });
    expect(frame.metrics.node1?.api_client?.health_checks?.success).to.be.greaterThan(0);
  });

  it('lines$ carries every node’s lines, tagged with its name', async () => {
    const monitor = start();
    const lines: string[] = [];
    fixture.subscriptions.add(monitor.lines$.subscribe((line) => lines.push(`${line.node}: ${line.line}`)));
    await firstMatch(monitor.frames$, allConnected);
    nodes[0]?.forwarder.send('1.0 from one\n');
    nodes[1]?.forwarder.send('2.0 from two\n');
    await eventually(() => lines.length === 2);
    expect(lines.sort()).to.deep.equal(['node1: from one', 'node2: from two']);
  });

  it('counts a node’s piecestore lines it cannot read (schema drift) in its metrics and frames', async () => {
    const monitor = start();
    await firstMatch(monitor.frames$, allConnected);
    const future = '2027-03-01T10:00:00Z\tINFO\tpiecestore\tdownloaded\t{"process": "storagenode", "pieceID": "X", "action": "GET", "bytes": 512}';
    nodes[0]?.forwarder.send(`1.0 ${future}\n2.0 ${future}\n3.0 2026-11-30T21:47:02Z\tINFO\tcollector\tcollect\t{"count": 1}\n`);
    const frame = await firstMatch(monitor.frames$, (candidate) => candidate.metrics.node1?.log_reader?.lines?.received === 3);
    expect(frame.metrics.node1?.log_reader?.lines?.unrecognized).to.equal(2);
    expect(frame.metrics.node2?.log_reader?.lines?.unrecognized).to.equal(0);
  });

  it('degrades gracefully: an API outage never stops the log, a log outage never stops the API', async () => {
    const monitor = start();
    const features: Array<Readonly<Record<string, NodeFeatures>>> = [];
    fixture.subscriptions.add(monitor.features$.subscribe((current) => features.push(current)));
    const lines: string[] = [];
    fixture.subscriptions.add(monitor.lines$.subscribe((line) => lines.push(line.line)));
    await firstMatch(monitor.frames$, allConnected);
    expect(features.at(-1)).to.deep.equal({ node1: { logs: true, api: true, mode: 'log+api' }, node2: { logs: true, api: true, mode: 'log+api' } });

    nodes[0]!.api.behaviour = (_request, response) => json(response, {}, 503);
    await nodes[1]!.forwarder.kill();
    await firstMatch(monitor.features$, (current) => current.node1?.mode === 'log-only' && current.node2?.mode === 'api-only');
    nodes[0]!.forwarder.send('1.0 node1 logs flow without its API\n');
    await eventually(() => lines.includes('node1 logs flow without its API'));
    expect((await firstMatch(monitor.states$, (states) => states.node2?.api_client?.state === 'connected')).node2?.api_client?.is_available).to.equal(true);

    nodes[0]!.api.behaviour = (_request, response) => json(response, { nodeID: 'back' });
    await firstMatch(monitor.features$, (current) => current.node1?.mode === 'log+api');
    expect(await new Promise((resolve) => monitor.apis.get('node1')!.dashboard().subscribe(resolve))).to.include({ nodeID: 'back' });
  });

  it('stop(): every source stopped, one final frame, harmless twice, sockets released', async () => {
    const monitor = start();
    await firstMatch(monitor.frames$, allConnected);
    const frames: ConnectionStatusFrame[] = [];
    fixture.subscriptions.add(monitor.frames$.subscribe((frame) => frames.push(frame)));
    const before = frames.length;
    await monitor.stop();
    await monitor.stop();
    expect(frames.length).to.equal(before + 1);
    const last = frames.at(-1)!;
    for (const node of Object.values(last.states)) {
      expect(node.log_reader?.state).to.equal('stopped');
      expect(node.api_client).to.include({ state: 'stopped', is_available: false });
    }
    for (const { forwarder } of nodes) await eventually(() => forwarder.clients.length === 0);
    // That no frame follows the last is checked in virtual time, below.
    expect(frames.length).to.equal(before + 1);
  });

  it('fails on bad config before any connection is made', () => {
    expect(() =>
      createMonitor({
        nodes: [
          { name: 'good', log: { host: '127.0.0.1', port: nodes[0]!.forwarder.port } },
          { name: 'bad', log: { host: '127.0.0.1', port: 0 } },
        ],
      }),
    ).to.throw(RangeError, /^nodes\[1\]\.log\.port must be an integer 1-65535; got 0$/);
    expect(nodes[0]!.forwarder.clients).to.have.length(0);
    expect(nodes[0]!.api.requests).to.have.length(0);
  });

  it('fails on a bad metricsWindowMs, naming it, before any connection is made', async () => {
    const config = { nodes: [{ name: 'good', log: { host: '127.0.0.1', port: nodes[0]!.forwarder.port }, api: { url: nodes[0]!.api.url } }] };
    for (const metricsWindowMs of [0, -1, 2.5]) {
      expect(() => createMonitor(config, { metricsWindowMs })).to.throw(RangeError, /^metricsWindowMs must be an integer >= 1/);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(nodes[0]!.forwarder.clients).to.have.length(0);
    expect(nodes[0]!.api.requests).to.have.length(0);
  });
});

describe('createMonitor with a historyFile', () => {
  it('keeps an outage in monitor.history; stop() flushes it; the next monitor on the file reads it back', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'storj-monitor-history-'));
    const historyFile = join(directory, 'history.jsonl');
    const forwarder = await TestForwarder.start();
    const config = { nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port } }], ...FAST_SETTINGS };
    const logStates = (monitor: Monitor) => monitor.history.snapshot().node1?.log_reader?.map((segment) => segment.state) ?? [];
    let monitor: Monitor | undefined = createMonitor(config, { historyFile });
    try {
      monitor.start();
      await statusMatch(monitor.states$, 'node1', 'log_reader', (status) => status.state === 'connected');
      await forwarder.kill();
      await statusMatch(monitor.states$, 'node1', 'log_reader', (status) => status.state === 'error');
      await forwarder.listen();
      await statusMatch(monitor.states$, 'node1', 'log_reader', (status) => status.state === 'connected');
      const before = monitor.history.snapshot().node1?.log_reader ?? [];
      expect(logStates(monitor).slice(0, 3)).to.deep.equal(['disconnected', 'connecting', 'connected']);
      expect(logStates(monitor).slice(3)).to.include('error');
      expect(before.at(-1)).to.deep.include({ state: 'connected', to: null });
      await monitor.stop();
      monitor = createMonitor(config, { historyFile });
      const after = monitor.history.snapshot().node1?.log_reader ?? [];
      expect(after.slice(0, before.length - 1)).to.deep.equal(before.slice(0, -1));
      expect(after.map((segment) => segment.state).slice(before.length - 1)).to.deep.equal(['connected', 'stopped', 'disconnected']);
      expect(after.at(-1)?.to).to.equal(null);
    } finally {
      await monitor?.stop();
      await forwarder.kill();
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('createMonitor frame cadence (virtual time)', () => {
  it('emits a frame every broadcastIntervalMs (10 s by default), with sources registered from the start', async () => {
    const scheduler = new VirtualTimeScheduler();
    const port = await refusedPort();
    const monitor = createMonitor(
      { nodes: [{ name: 'node1', log: { host: '127.0.0.1', port } }], logReader: { initialBackoffMs: 600_000, maxBackoffMs: 600_000 } },
      { scheduler },
    );
    expect(monitor.frame().states.node1?.log_reader?.state).to.equal('disconnected');
    const times: number[] = [];
    const subscription = monitor.frames$.subscribe(() => times.push(scheduler.now()));
    monitor.start();
    scheduler.maxFrames = 35_000;
    scheduler.flush();
    expect(times).to.deep.equal([10_000, 20_000, 30_000]);
    await monitor.stop();
    expect(times).to.have.length(4);
    // Stopped: however much time passes, no frame follows the final one.
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.schedule(() => undefined, 600_000);
    scheduler.flush();
    expect(times).to.have.length(4);
    subscription.unsubscribe();
  });
});
