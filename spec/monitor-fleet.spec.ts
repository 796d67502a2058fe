import { expect } from 'chai';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { Subscription, VirtualTimeScheduler } from 'rxjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMonitor, type ConnectionStates, type MonitorFrame, type NodeConfig, type NodeFeatures, type Transition } from '../lib/index.js';
import { registerPrometheusMetrics } from '../lib/prometheus.js';
import { firstMatch, refusedPort } from './support/forwarder.js';
import { FAST_SETTINGS, MonitorFixture, nodeOf } from './support/monitor-fixture.js';
import { eventually } from './support/wait.js';

const connected = (states: ConnectionStates, names: readonly string[]): boolean =>
  names.every((name) => states[name]?.log_reader?.state === 'connected' && states[name]?.api_client?.state === 'connected');

describe('Monitor at run time: reconfigure, addNode, removeNode (real forwarders and node APIs on 127.0.0.1)', () => {
  const fixture = new MonitorFixture();
  afterEach(() => fixture.stop());

  it('a reload adds, removes, changes and keeps nodes: only what changed reconnects, and every stream goes on', async () => {
    const [keep, drop, relog, reapi, added] = [
      await fixture.startPeers(),
      await fixture.startPeers(),
      await fixture.startPeers(),
      await fixture.startPeers(),
      await fixture.startPeers(),
    ] as const;
    const { forwarder: relogMoved, api: reapiMoved } = await fixture.startPeers();
    const monitor = fixture.track(
      createMonitor({ nodes: [nodeOf('keep', keep), nodeOf('drop', drop), nodeOf('relog', relog), nodeOf('reapi', reapi)], ...FAST_SETTINGS }),
    );
    const prometheus = new Registry();
    fixture.subscriptions.add(registerPrometheusMetrics(monitor, { registry: prometheus }));
    const lines: string[] = [];
    fixture.subscriptions.add(monitor.lines$.subscribe((line) => lines.push(`${line.node}: ${line.line}`)));
    const features: Array<Readonly<Record<string, NodeFeatures>>> = [];
    fixture.subscriptions.add(monitor.features$.subscribe((current) => features.push(current)));
    const transitions: Transition[] = [];
    fixture.subscriptions.add(monitor.registry.transitions$.subscribe((transition) => transitions.push(transition)));
    monitor.start();
    await firstMatch(monitor.states$, (states) => connected(states, ['keep', 'drop', 'relog', 'reapi']));
    const keptSocket = keep.forwarder.clients[0];
    const apiConnections = { keep: keep.api.connections, relog: relog.api.connections };
    const keptRequests = keep.api.requests.length;

    const changes = monitor.reconfigure({
      nodes: [
        nodeOf('keep', keep),
        { name: 'relog', log: { host: '127.0.0.1', port: relogMoved.port }, api: { url: relog.api.url } },
        { name: 'reapi', log: { host: '127.0.0.1', port: reapi.forwarder.port }, api: { url: reapiMoved.url } },
        nodeOf('added', added),
      ],
      ...FAST_SETTINGS,
    });

    expect(changes.map(({ action, node, component }) => `${action} ${node.name} ${component}`)).to.deep.equal([
      'stop drop log_reader',
      'stop drop api_client',
      'restart relog log_reader',
      'restart reapi api_client',
      'start added log_reader',
      'start added api_client',
    ]);
    // The removed node's sources ended `stopped`, then it left the map.
    expect(transitions.filter(({ node }) => node === 'drop').map(({ component, status }) => `${component} ${status.state}`)).to.include.members([
      'log_reader stopped',
      'api_client stopped',
    ]);
    expect(transitions.filter(({ node }) => node === 'drop').at(-1)?.status.state).to.equal('stopped');
    expect(monitor.registry.snapshot()).to.not.have.property('drop');

    const frame = await firstMatch(monitor.frames$, (candidate: MonitorFrame) => connected(candidate.states, ['keep', 'relog', 'reapi', 'added']));
    expect(Object.keys(frame.states).sort()).to.deep.equal(['added', 'keep', 'reapi', 'relog']);
    expect(Object.keys(frame.metrics).sort()).to.deep.equal(['added', 'keep', 'reapi', 'relog']);
    expect(frame.states.relog?.log_reader?.port).to.equal(relogMoved.port);
    // Released: the removed node's sockets and the replaced sources' old ones.
    await eventually(
      () => drop.forwarder.clients.length === 0 && drop.api.sockets.size === 0 && relog.forwarder.clients.length === 0 && reapi.api.sockets.size === 0,
    );
    // Opened: one connection per new or changed source.
    expect([relogMoved.connections, added.forwarder.connections]).to.deep.equal([1, 1]);
    expect(reapiMoved.connections).to.be.at.least(1);
    expect(added.api.connections).to.be.at.least(1);
    // Kept: the unchanged node's forwarder saw no new connection, its API's health checks go on over the same one,
    // and each changed node's other source was not touched.
    await eventually(() => keep.api.requests.length >= keptRequests + 3);
    expect(keep.forwarder.connections).to.equal(1);
    expect(keep.forwarder.clients).to.deep.equal([keptSocket]);
    expect(keep.api.connections).to.equal(apiConnections.keep);
    expect(relog.api.connections).to.equal(apiConnections.relog);
    expect(reapi.forwarder.connections).to.equal(1);

    // The subscriptions made before the reload see the new nodes.
    keep.forwarder.send('1.0 kept\n');
    relogMoved.send('2.0 moved\n');
    added.forwarder.send('3.0 added\n');
    await eventually(() => lines.length === 3);
    expect(lines.sort()).to.deep.equal(['added: added', 'keep: kept', 'relog: moved']);
    await eventually(() => Object.keys(features.at(-1) ?? {}).length === 4 && features.at(-1)?.added?.mode === 'log+api');
    expect(Object.keys(features.at(-1) ?? {}).sort()).to.deep.equal(['added', 'keep', 'reapi', 'relog']);
    const exposition = await prometheus.metrics();
    expect(exposition).to.include('node="added"');
    expect(exposition).to.not.include('node="drop"');
  });

  it('addNode registers a node at once and connects it at once when the monitor runs; removeNode releases it', async () => {
    const [first, second, third] = [await fixture.startPeers(), await fixture.startPeers(), await fixture.startPeers()] as const;
    const monitor = fixture.track(createMonitor({ nodes: [nodeOf('first', first)], ...FAST_SETTINGS }));
    monitor.addNode(nodeOf('second', second));
    expect(monitor.registry.snapshot().second?.log_reader?.state).to.equal('disconnected');
    expect(monitor.apis.has('second')).to.equal(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect([second.forwarder.connections, second.api.connections]).to.deep.equal([0, 0]);

    monitor.start();
    await firstMatch(monitor.states$, (states) => connected(states, ['first', 'second']));
    monitor.addNode(nodeOf('third', third));
    await firstMatch(monitor.states$, (states) => connected(states, ['third']));
    expect(third.forwarder.connections).to.equal(1);

    const removed = monitor.apis.get('second');
    expect(monitor.removeNode('second').map(({ action, component }) => `${action} ${component}`)).to.deep.equal(['stop log_reader', 'stop api_client']);
    expect(removed?.status.state).to.equal('stopped');
    expect(monitor.apis.has('second')).to.equal(false);
    expect(Object.keys(monitor.frame().states).sort()).to.deep.equal(['first', 'third']);
    expect(Object.keys(monitor.frame().metrics).sort()).to.deep.equal(['first', 'third']);
    expect(monitor.config.nodes.map(({ name }) => name)).to.deep.equal(['first', 'third']);
    await eventually(() => second.forwarder.clients.length === 0 && second.api.sockets.size === 0);
  });

  it('a bad change throws the RangeError createMonitor would, naming the field, and changes nothing', async () => {
    const [first, second, unused] = [await fixture.startPeers(), await fixture.startPeers(), await fixture.startPeers()] as const;
    const monitor = fixture.track(createMonitor({ nodes: [nodeOf('first', first), nodeOf('second', second)], ...FAST_SETTINGS }));
    monitor.start();
    await firstMatch(monitor.states$, (states) => connected(states, ['first', 'second']));
    const config = monitor.config;
    const sockets = [first.forwarder.clients[0], second.forwarder.clients[0]];
    const bad: Array<[() => unknown, RegExp]> = [
      [() => monitor.addNode({ name: 'third', log: { host: '127.0.0.1', port: 0 } }), /^nodes\[2\]\.log\.port must be an integer 1-65535; got 0$/],
      [() => monitor.addNode(nodeOf('first', unused)), /^nodes\[2\]\.name "first" is already the name of nodes\[0\]$/],
      [() => monitor.addNode({ name: 'third' }), /^nodes\[2\] must have a log, an api, or both$/],
      [() => monitor.removeNode('nobody'), /^name "nobody" is not a node of this monitor$/],
      [() => monitor.reconfigure({ nodes: [nodeOf('first', first)], logReader: { backof: 1 } } as never), /^logReader\.backof is not a known option/],
      [() => monitor.reconfigure({ nodes: [] }), /^nodes must be a non-empty array/],
      [() => monitor.reconfigure({ nodes: [nodeOf('unused', unused)], shard: { index: 3, count: 2 } }), /^shard\.index must be an integer 1-2; got 3$/],
    ];
    for (const [change, message] of bad) expect(change).to.throw(RangeError, message);
    expect(monitor.config).to.equal(config);
    expect(Object.keys(monitor.registry.snapshot()).sort()).to.deep.equal(['first', 'second']);
    await eventually(() => first.api.requests.length >= 3);
    expect([first.forwarder.clients[0], second.forwarder.clients[0]]).to.deep.equal(sockets);
    expect([first.forwarder.connections, second.forwarder.connections, unused.forwarder.connections, unused.api.connections]).to.deep.equal([1, 1, 0, 0]);
    monitor.removeNode('second');
    expect(() => monitor.removeNode('first')).to.throw(RangeError, /^nodes must be a non-empty array/);
    expect(Object.keys(monitor.registry.snapshot())).to.deep.equal(['first']);
  });

  it('1,000 add/remove cycles leave no sockets, timers or memory behind', async function () {
    this.timeout(120_000);
    const settleGarbage = exposedGc();
    const [anchor, cycled] = [await fixture.startPeers(), await fixture.startPeers()] as const;
    const monitor = fixture.track(createMonitor({ nodes: [{ name: 'anchor', log: { host: '127.0.0.1', port: anchor.forwarder.port } }], ...FAST_SETTINGS }));
    const prometheus = new Registry();
    fixture.subscriptions.add(registerPrometheusMetrics(monitor, { registry: prometheus }));
    fixture.subscriptions.add(monitor.alerts$.subscribe());
    fixture.subscriptions.add(monitor.features$.subscribe());
    fixture.subscriptions.add(monitor.frames$.subscribe());
    monitor.start();
    await firstMatch(monitor.states$, (states) => states.anchor?.log_reader?.state === 'connected');
    const released: Array<WeakRef<object>> = [];
    const cycles = async (from: number, to: number): Promise<void> => {
      for (let cycle = from; cycle < to; cycle++) {
        const name = `cycle${cycle}`;
        monitor.addNode(nodeOf(name, cycled));
        const api = monitor.apis.get(name);
        if (api) released.push(new WeakRef(api));
        await firstMatch(monitor.states$, (states) => connected(states, [name]));
        monitor.removeNode(name);
      }
      await eventually(() => cycled.forwarder.clients.length === 0 && cycled.api.sockets.size === 0);
      // The test server's own record of requests is not the monitor's memory.
      cycled.api.requests.length = 0;
      await settleGarbage();
    };
    // A first hundred compiles what the cycles run, so that the heap below is not the JIT's.
    await cycles(0, 100);
    const baseline = activeHandles();
    const heapBefore = process.memoryUsage().heapUsed;
    await cycles(100, 1100);
    expect(cycled.forwarder.connections).to.equal(1100);
    expect(activeHandles()).to.deep.equal(baseline);
    expect(Object.keys(monitor.frame().states)).to.deep.equal(['anchor']);
    expect(Object.keys(monitor.metrics.snapshot())).to.deep.equal(['anchor']);
    expect(await prometheus.metrics()).to.not.include('cycle');
    expect(released).to.have.length(1100);
    // Every removed node's API client is collected (the last closed sockets' handles can hold one for a few ms).
    await eventually(async () => {
      await settleGarbage();
      return released.every((reference) => reference.deref() === undefined);
    });
    // What is left is the collector's noise (about 0.7 MB either way here), not a thousand nodes' worth (~20 KB each).
    expect(process.memoryUsage().heapUsed - heapBefore).to.be.below(2_000_000);
  });
});

describe('Monitor at run time, in virtual time', () => {
  it('alerts$, frames$, metrics$ and the history go on across changes; a removed node never alerts; a new broadcastIntervalMs applies at once', async () => {
    const scheduler = new VirtualTimeScheduler();
    const port = await refusedPort();
    const down = (name: string): NodeConfig => ({ name, log: { host: '127.0.0.1', port } });
    const settings = { logReader: { initialBackoffMs: 600_000, maxBackoffMs: 600_000 }, broadcastIntervalMs: 10_000 };
    // Every node here is on 127.0.0.1: a window of 0 keeps them from being one host_down (monitor-health.spec tests that).
    const monitor = createMonitor({ nodes: [down('a'), down('b')], ...settings }, { scheduler, alertThresholdMs: 60_000, hostAlertWindowMs: 0 });
    const alerts: string[] = [];
    const frames: string[] = [];
    const metrics: number[] = [];
    const subscriptions = new Subscription();
    subscriptions.add(monitor.alerts$.subscribe((alert) => alerts.push(`${scheduler.now()} ${alert.type} ${'node' in alert ? alert.node : alert.host}`)));
    subscriptions.add(monitor.frames$.subscribe((frame) => frames.push(`${scheduler.now()} ${Object.keys(frame.states).join(',')}`)));
    subscriptions.add(monitor.metrics$.subscribe(() => metrics.push(scheduler.now())));
    const history: string[] = [];
    subscriptions.add(monitor.history.history$.subscribe((nodes) => history.push(`${scheduler.now()} ${Object.keys(nodes).join(',')}`)));
    monitor.start();
    scheduler.schedule(() => void monitor.reconfigure({ nodes: [down('a'), down('b')], ...settings, broadcastIntervalMs: 20_000 }), 25_000);
    scheduler.schedule(() => void monitor.removeNode('b'), 30_000);
    scheduler.schedule(() => void monitor.addNode(down('c')), 40_000);
    scheduler.maxFrames = 110_000;
    scheduler.flush();
    expect(alerts).to.deep.equal(['60000 down a', '100000 down c']);
    expect(frames).to.deep.equal(['10000 a,b', '20000 a,b', '45000 a,c', '65000 a,c', '85000 a,c', '105000 a,c']);
    expect(metrics).to.deep.equal([0, 10_000, 20_000, 25_000, 45_000, 65_000, 85_000, 105_000]);
    expect(history).to.deep.equal(['0 a,b', '10000 a,b', '20000 a,b', '25000 a,b', '45000 a,c', '65000 a,c', '85000 a,c', '105000 a,c']);
    await monitor.stop();
    subscriptions.unsubscribe();
  });
});

describe('Monitor shards', () => {
  it('N sharded monitors of one config watch every node exactly once, and a node added later joins exactly one (property)', () => {
    const name = fc.string({ maxLength: 24 }).map((text) => `node ${text}`);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), name, (fleet, count, extra) => {
        fc.pre(!fleet.includes(extra));
        const nodes = fleet.map((name): NodeConfig => ({ name, log: { host: '127.0.0.1', port: 9 } }));
        const monitors = Array.from({ length: count }, (_, index) => createMonitor({ nodes, shard: { index: index + 1, count } }));
        const watched = (): string[][] => monitors.map((monitor) => Object.keys(monitor.registry.snapshot()));
        const before = watched();
        expect(before.flat().sort()).to.deep.equal([...fleet].sort());
        for (const monitor of monitors) monitor.addNode({ name: extra, log: { host: '127.0.0.1', port: 9 } });
        const after = watched();
        expect(after.flat().sort()).to.deep.equal([...fleet, extra].sort());
        expect(after.map((names) => names.filter((name) => name !== extra))).to.deep.equal(before);
      }),
      { seed: 22, numRuns: 100 },
    );
  });
});

/**
 * Three full collections, a turn of the event loop before each, with Node's `gc()` taken
 * without `--expose-gc` on the command line (V8 takes the flag at run time; a new context
 * sees it).
 */
function exposedGc(): () => Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => {
    for (let pass = 0; pass < 3; pass++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
  };
}

/** Open sockets and pending timers of this process, by kind. */
function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (kind === 'TCPSocketWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
