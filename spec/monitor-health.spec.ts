import { expect } from 'chai';
import { createMonitor, type HealthMap, type Monitor, type MonitorAlert, type MonitorOptions } from '../lib/index.js';
import { firstMatch } from './support/forwarder.js';
import { FAST_SETTINGS, MonitorFixture, nodeOf, type NodePeers } from './support/monitor-fixture.js';
import { DASHBOARD, healthy, json } from './support/node-api.js';
import { eventually } from './support/wait.js';

interface Node extends NodePeers {
  readonly name: string;
}

/**
 * Verdicts, reputation alerts and host alerts of createMonitor against real forwarders
 * and node APIs on 127.0.0.1. Real time, short intervals: what is waited for is an event
 * (a state, a verdict, an alert), never a fixed time.
 */
describe('createMonitor health (real forwarders and node APIs on 127.0.0.1)', () => {
  const fixture = new MonitorFixture();
  let nodes: Node[];
  let alerts: MonitorAlert[];

  const startNodes = async (count: number): Promise<void> => {
    for (let index = 0; index < count; index++) nodes.push({ name: `n${index + 1}`, ...(await fixture.startPeers()) });
  };
  const start = (options: MonitorOptions = {}): Monitor => {
    const started = fixture.track(createMonitor({ nodes: nodes.map((node) => nodeOf(node.name, node)), ...FAST_SETTINGS }, options));
    fixture.subscriptions.add(started.alerts$.subscribe((alert) => alerts.push(alert)));
    started.start();
    return started;
  };
  const verdictOf = (name: string, verdict: string) => (health: HealthMap) => health[name]?.verdict === verdict;

  beforeEach(() => {
    nodes = [];
    alerts = [];
  });
  afterEach(() => fixture.stop());

  it('a verdict per node in every frame and on health$: ok, then offline with its reasons when the node goes down, ok again when back', async () => {
    await startNodes(2);
    const monitor = start();
    const frame = await firstMatch(monitor.frames$, (candidate) => Object.values(candidate.states).every((node) => node.api_client?.state === 'connected'));
    expect(frame.health).to.deep.equal({ n1: { verdict: 'ok', reasons: [] }, n2: { verdict: 'ok', reasons: [] } });

    const [first] = nodes;
    await first?.api.stop();
    await first?.forwarder.stop();
    const down = await firstMatch(monitor.health$, verdictOf('n1', 'offline'));
    expect(down.n1?.reasons[0]).to.equal('the host answers but the node does not');
    expect(down.n1?.reasons.some((reason) => /^API: Connection refused/.test(reason))).to.equal(true);
    expect(down.n2).to.deep.equal({ verdict: 'ok', reasons: [] });

    await first?.api.listen();
    await first?.forwarder.listen();
    await firstMatch(monitor.health$, verdictOf('n1', 'ok'));
  });

  it('the log forwarder down while the API answers is degraded, not offline', async () => {
    await startNodes(1);
    const monitor = start();
    await eventually(() => monitor.registry.snapshot().n1?.log_reader?.state === 'connected' && monitor.frame().health.n1?.verdict === 'ok');
    await nodes[0]?.forwarder.kill();
    const health = await firstMatch(monitor.health$, verdictOf('n1', 'degraded'));
    expect(health.n1?.reasons[0]).to.equal("the node's API answers but its log forwarder does not");
  });

  it('scores below a warning threshold: at-risk, one reputation alert per crossing, reputation_recovered when back', async () => {
    await startNodes(1);
    let online = 0.95;
    nodes[0]!.api.behaviour = (request, response) =>
      request.url === '/api/sno/satellites'
        ? json(response, { audits: [{ auditScore: 0.999, suspensionScore: 1, onlineScore: online, satelliteName: 'us1.storj.io:7777' }], storageDaily: [] })
        : healthy(request, response);
    const monitor = start({ reputationIntervalMs: 100 });
    await eventually(() => monitor.health.scores().get('n1')?.[0]?.online === 0.95);
    expect(monitor.frame().health.n1?.verdict).to.equal('ok');

    online = 0.71;
    const atRisk = await firstMatch(monitor.health$, verdictOf('n1', 'at-risk'));
    expect(atRisk.n1?.reasons).to.deep.equal(['us1.storj.io:7777: online score 0.71 is below the warning threshold 0.9 (the satellite acts at 0.6)']);
    // Several readings later, still one alert.
    const readings = monitor.health.scores();
    await eventually(
      () => monitor.health.scores() !== readings && nodes[0]!.api.requests.filter((request) => request.url === '/api/sno/satellites').length >= 5,
    );
    expect(alerts).to.deep.equal([{ type: 'reputation', node: 'n1', satellite: 'us1.storj.io:7777', score: 'online', value: 0.71, threshold: 0.9 }]);

    online = 0.92;
    await firstMatch(monitor.health$, verdictOf('n1', 'ok'));
    expect(alerts.at(-1)).to.deep.equal({
      type: 'reputation_recovered',
      node: 'n1',
      satellite: 'us1.storj.io:7777',
      score: 'online',
      value: 0.92,
      threshold: 0.9,
    });
    expect(alerts).to.have.length(2);
  });

  it('satellites-unreachable while up: lastPinged stale for longer than lastPingedStaleMs, or QUIC misconfigured; ok again when pinged', async () => {
    await startNodes(1);
    let dashboard: Record<string, unknown> = { ...DASHBOARD, lastPinged: new Date(Date.now() - 3 * 3_600_000).toISOString() };
    nodes[0]!.api.behaviour = (request, response) => (request.url === '/api/sno/' ? json(response, dashboard) : healthy(request, response));
    const monitor = start();
    const stale = await firstMatch(monitor.health$, verdictOf('n1', 'satellites-unreachable'));
    expect(stale.n1?.reasons).to.have.length(1);
    expect(stale.n1?.reasons[0]).to.match(/^no satellite has pinged the node for 3 h 0 min \(lastPinged /);
    expect(monitor.registry.snapshot().n1?.api_client?.state, 'the node itself is up').to.equal('connected');

    dashboard = { ...DASHBOARD, lastPinged: new Date().toISOString(), quicStatus: 'Misconfigured' };
    const quic = await firstMatch(monitor.health$, (health) => health.n1?.reasons[0]?.includes('QUIC') === true);
    expect(quic.n1).to.deep.equal({
      verdict: 'satellites-unreachable',
      reasons: ['the satellites\' QUIC check of the node failed (quicStatus "Misconfigured")'],
    });

    dashboard = { ...DASHBOARD, lastPinged: new Date().toISOString() };
    await firstMatch(monitor.health$, verdictOf('n1', 'ok'));
  });

  it('four nodes of one host failing together: one host_down, one host_recovered, no per-source down; a stopped monitor never alerts', async () => {
    await startNodes(4);
    const monitor = start({ alertThresholdMs: 300, hostAlertWindowMs: 600 });
    await eventually(() =>
      Object.values(monitor.registry.snapshot()).every((node) => node.log_reader?.state === 'connected' && node.api_client?.state === 'connected'),
    );
    for (const { forwarder, api } of nodes) {
      await forwarder.kill();
      await api.stop();
    }
    await eventually(() => alerts.length > 0, 5000);
    expect(alerts).to.deep.equal([{ type: 'host_down', host: '127.0.0.1', nodes: ['n1', 'n2', 'n3', 'n4'], since: (alerts[0] as { since: number }).since }]);
    for (const { forwarder, api } of nodes) {
      await forwarder.listen();
      await api.listen();
    }
    await eventually(() => alerts.length > 1, 5000);
    expect(alerts.map((alert) => alert.type)).to.deep.equal(['host_down', 'host_recovered']);
    expect(alerts[1]).to.include({ host: '127.0.0.1' });

    for (const { forwarder, api } of nodes) {
      await forwarder.kill();
      await api.stop();
    }
    await monitor.stop();
    expect(alerts).to.have.length(2);
  });
});
