import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import {
  connectionAlerts,
  ConnectionRegistry,
  initialApiClientStatus,
  initialLogReaderStatus,
  type ConnectionAlert,
  type ConnectionEvent,
} from '../../lib/index.js';

const failed = (error: string) => ({ type: 'failed', error, reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 }) as const;

function setup(thresholdMs = 60_000) {
  const scheduler = new VirtualTimeScheduler();
  const registry = new ConnectionRegistry({ scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const alerts: Array<[number, ConnectionAlert]> = [];
  const subscription = connectionAlerts(registry.transitions$, { thresholdMs, scheduler }).subscribe((alert) => alerts.push([scheduler.now(), alert]));
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
  return { scheduler, log, alerts, at, subscription };
}

describe('connectionAlerts (virtual time)', () => {
  it('one down alert per outage longer than the threshold, however many retries, then recovered', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(10_000, () => log(failed('refused')));
    for (let retry = 1; retry <= 20; retry++) at(10_000 + retry * 5000, () => (log({ type: 'connecting' }), log(failed(`refused ${retry}`))));
    at(200_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.flush();
    expect(alerts).to.deep.equal([
      [70_000, { type: 'down', node: 'node1', component: 'log_reader', since: 10, last_error: 'refused 12' }],
      [200_000, { type: 'recovered', node: 'node1', component: 'log_reader', since: 10, down_for_ms: 190_000 }],
    ]);
  });

  it('a short outage does not alert', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(10_000, () => log(failed('reset')));
    at(69_999, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.flush();
    expect(alerts).to.deep.equal([]);
  });

  it('a source that never connects alerts too; one stopped on purpose does not', () => {
    const { scheduler, log, alerts, at } = setup();
    at(0, () => log({ type: 'connecting' }));
    at(1000, () => log(failed('refused')));
    at(100_000, () => log({ type: 'stopped' }));
    scheduler.flush();
    expect(alerts.map(([time, alert]) => [time, alert.type])).to.deep.equal([[60_000, 'down']]);

    const quiet = setup();
    quiet.at(0, () => quiet.log({ type: 'connected', reconnectAttempts: 0 }));
    quiet.at(1000, () => quiet.log({ type: 'stopped' }));
    quiet.scheduler.flush();
    expect(quiet.alerts).to.deep.equal([]);
  });

  it('unsubscribing cancels pending timers and stops following the transitions', () => {
    const { scheduler, log, alerts, at, subscription } = setup();
    const pending: number[] = [];
    at(0, () => log(failed('x')));
    at(1000, () => {
      subscription.unsubscribe();
      pending.push(scheduler.actions.length);
      log({ type: 'connected', reconnectAttempts: 0 });
      log(failed('y'));
      pending.push(scheduler.actions.length);
    });
    scheduler.flush();
    expect(alerts).to.deep.equal([]);
    expect(pending).to.deep.equal([0, 0]);
  });

  it('unsubscribing while a source is down (alerted, no timer pending) ends quietly, and its recovery is not reported', () => {
    const { scheduler, log, alerts, at, subscription } = setup();
    const pending: number[] = [];
    at(0, () => log(failed('refused')));
    at(70_000, () => {
      subscription.unsubscribe();
      pending.push(scheduler.actions.length);
    });
    at(80_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.flush();
    expect(alerts.map(([time, alert]) => [time, alert.type])).to.deep.equal([[60_000, 'down']]);
    expect(pending, "only the test's own step at 80 s").to.deep.equal([1]);
  });

  it('each source has its own outage: two down at once, two alerts, each with its own error', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    const first = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    const second = registry.track('node2', 'log_reader', initialLogReaderStatus('h', 2));
    const alerts: ConnectionAlert[] = [];
    connectionAlerts(registry.transitions$, { thresholdMs: 1000, scheduler }).subscribe((alert) => alerts.push(alert));
    first(failed('refused'));
    second(failed('reset'));
    scheduler.flush();
    expect(alerts.map((alert) => (alert.type === 'down' ? `${alert.node} ${alert.last_error}` : alert.type))).to.deep.equal(['node1 refused', 'node2 reset']);
  });

  describe('one alert for one cause: nodes of one host', () => {
    /** Four nodes on 10.0.0.2 (log and API each), one on 10.0.0.3; threshold 60 s, window 60 s unless given. */
    function fleet(thresholdMs = 60_000, hostWindowMs?: number) {
      const scheduler = new VirtualTimeScheduler();
      const registry = new ConnectionRegistry({ scheduler });
      const hosts = new Map([...['n1', 'n2', 'n3', 'n4'].map((node) => [node, '10.0.0.2'] as const), ['other', '10.0.0.3']]);
      const sources = new Map<string, (event: ConnectionEvent) => unknown>(
        [...hosts].flatMap(([node, host]) => [
          [`${node}/log`, registry.track(node, 'log_reader', initialLogReaderStatus(host, 9001))] as const,
          [`${node}/api`, registry.track(node, 'api_client', initialApiClientStatus())] as const,
        ]),
      );
      const alerts: Array<[number, ConnectionAlert]> = [];
      connectionAlerts(registry.transitions$, { thresholdMs, hostWindowMs, scheduler, hostOf: (node) => hosts.get(node) }).subscribe((alert) =>
        alerts.push([scheduler.now(), alert]),
      );
      const report = (source: string, event: ConnectionEvent) => sources.get(source)?.(event);
      const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
      const connectAll = (ms: number) => at(ms, () => [...sources.keys()].forEach((source) => report(source, { type: 'connected', reconnectAttempts: 0 })));
      return { scheduler, alerts, report, at, connectAll };
    }

    it('four nodes of one host failing together are one host_down and one host_recovered, however their sources flap', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      ['n1', 'n2', 'n3', 'n4'].forEach((node, index) => {
        at(10_000 + index * 5000, () => report(`${node}/log`, failed('Host unreachable (connect EHOSTUNREACH 10.0.0.2:9001)')));
        at(20_000 + index * 5000, () => report(`${node}/api`, failed('Connection timeout (no response within 10000 ms)')));
      });
      // n2's log comes back and goes again while the host is down: no alert of its own.
      at(100_000, () => report('n2/log', { type: 'connected', reconnectAttempts: 0 }));
      at(110_000, () => report('n2/log', failed('Host unreachable')));
      at(300_000, () =>
        ['n1', 'n2', 'n3', 'n4'].forEach(
          (node) => (report(`${node}/log`, { type: 'connected', reconnectAttempts: 0 }), report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })),
        ),
      );
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2', 'n3', 'n4'], since: 10 }],
        [300_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n1', 'n2', 'n3', 'n4'], since: 10, down_for_ms: 290_000 }],
      ]);
    });

    it('one node of a host alone, another host, and a node of the host that fails later alert per source as before', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      at(10_000, () => report('n1/log', failed('refused')));
      at(10_000, () => report('n1/api', failed('refused')));
      at(15_000, () => report('other/api', failed('refused')));
      at(200_000, () => report('n2/api', failed('refused')));
      scheduler.flush();
      expect(alerts.map(([time, alert]) => [time, alert.type, 'node' in alert ? `${alert.node}/${alert.component}` : alert.host])).to.deep.equal([
        [70_000, 'down', 'n1/log_reader'],
        [70_000, 'down', 'n1/api_client'],
        [75_000, 'down', 'other/api_client'],
        [260_000, 'down', 'n2/api_client'],
      ]);
    });

    it('outages beyond the window after the first are not part of it; sources stopped on purpose never alert, nor recover', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(30_000, () => report('n2/api', failed('x')));
      at(80_000, () => report('n3/api', failed('x')));
      at(100_000, () => ['n1', 'n2'].forEach((node) => report(`${node}/api`, { type: 'stopped' })));
      at(120_000, () => report('n4/api', failed('x')));
      at(125_000, () => report('n4/api', { type: 'stopped' }));
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [140_000, { type: 'down', node: 'n3', component: 'api_client', since: 80, last_error: 'x' }],
      ]);
    });

    it('a second host_down of the host while the first is on: the first ending leaves the second on, and its node that fails again joins it', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      at(10_000, () => ['n1', 'n2'].forEach((node) => report(`${node}/api`, failed('x'))));
      // Past the first's window: a host outage of their own.
      at(200_000, () => ['n3', 'n4'].forEach((node) => report(`${node}/api`, failed('y'))));
      at(300_000, () => ['n1', 'n2'].forEach((node) => report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })));
      // n4 comes back and fails again while the second is on: it is one of its nodes, so it joins it silently.
      at(310_000, () => report('n4/api', { type: 'connected', reconnectAttempts: 0 }));
      at(320_000, () => report('n4/api', failed('y')));
      at(400_000, () => report('n3/api', { type: 'connected', reconnectAttempts: 0 }));
      at(500_000, () => report('n4/api', { type: 'connected', reconnectAttempts: 0 }));
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [260_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n3', 'n4'], since: 200 }],
        [300_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10, down_for_ms: 290_000 }],
        [500_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n3', 'n4'], since: 200, down_for_ms: 300_000 }],
      ]);
    });

    it('a node of the host going down after the host_down but within the window joins it silently and recovers with it', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet(50_000);
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(69_000, () => report('n3/api', failed('x')));
      at(71_000, () => report('n4/api', failed('x')));
      at(200_000, () => ['n1', 'n2', 'n3', 'n4'].forEach((node) => report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })));
      scheduler.flush();
      // Threshold 50 s, window 60 s: n3 (69 s) joins the host_down of 60 s, n4 (71 s) is past the window.
      expect(alerts).to.deep.equal([
        [60_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [121_000, { type: 'down', node: 'n4', component: 'api_client', since: 71, last_error: 'x' }],
        [200_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n1', 'n2', 'n3'], since: 10, down_for_ms: 190_000 }],
        [200_000, { type: 'recovered', node: 'n4', component: 'api_client', since: 71, down_for_ms: 129_000 }],
      ]);
    });

    it('a window shorter than the threshold: an outage that began exactly hostWindowMs after the first is part of it, one a ms later is not', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet(60_000, 10_000);
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(20_001, () => report('n3/api', failed('x')));
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [80_001, { type: 'down', node: 'n3', component: 'api_client', since: 20.001, last_error: 'x' }],
      ]);
    });

    it('nodes are listed sorted, whatever the order they went down in, also those that join later', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet(50_000);
      connectAll(0);
      at(10_000, () => report('n4/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(65_000, () => report('n1/api', failed('x')));
      at(200_000, () => ['n1', 'n2', 'n4'].forEach((node) => report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })));
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [60_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n2', 'n4'], since: 10 }],
        [200_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n1', 'n2', 'n4'], since: 10, down_for_ms: 190_000 }],
      ]);
    });

    it('a node going down exactly hostWindowMs after the host’s outage began still joins it', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet(50_000);
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(70_000, () => report('n3/api', failed('x')));
      at(200_000, () => ['n1', 'n2', 'n3'].forEach((node) => report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })));
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [60_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [200_000, { type: 'host_recovered', host: '10.0.0.2', nodes: ['n1', 'n2', 'n3'], since: 10, down_for_ms: 190_000 }],
      ]);
    });

    it('a source that joined the host’s outage silently is not taken again into a later outage’s group', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(80_000, () => report('n3/api', failed('x'))); // past the window: an outage of its own
      at(90_000, () => report('n1/log', failed('x'))); // n1 is part of the host's outage: joins it
      scheduler.flush();
      expect(alerts).to.deep.equal([
        [70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }],
        [140_000, { type: 'down', node: 'n3', component: 'api_client', since: 80, last_error: 'x' }],
      ]);
    });

    it('a short outage of one of a host’s sources leaves the host’s other outages grouped', () => {
      const { scheduler, alerts, report, at, connectAll } = fleet();
      connectAll(0);
      at(10_000, () => report('n1/api', failed('x')));
      at(15_000, () => report('n3/log', failed('x')));
      at(20_000, () => report('n3/log', { type: 'connected', reconnectAttempts: 0 }));
      at(30_000, () => report('n2/api', failed('x')));
      scheduler.flush();
      expect(alerts).to.deep.equal([[70_000, { type: 'host_down', host: '10.0.0.2', nodes: ['n1', 'n2'], since: 10 }]]);
    });

    it('once the host has recovered, a node of it going down again alerts again, while another outage of the host is still on', () => {
      const { scheduler, alerts, report, at } = fleet();
      at(10_000, () => report('n1/api', failed('x')));
      at(20_000, () => report('n2/api', failed('x')));
      at(80_000, () => report('n3/api', failed('x')));
      at(100_000, () => ['n1', 'n2'].forEach((node) => report(`${node}/api`, { type: 'connected', reconnectAttempts: 0 })));
      at(150_000, () => report('n1/api', failed('again')));
      scheduler.flush();
      expect(alerts.map(([time, alert]) => [time, alert.type, 'node' in alert ? alert.node : alert.host])).to.deep.equal([
        [70_000, 'host_down', '10.0.0.2'],
        [100_000, 'host_recovered', '10.0.0.2'],
        [140_000, 'down', 'n3'],
        [210_000, 'down', 'n1'],
      ]);
    });

    it('rejects a bad hostWindowMs at once, naming it', () => {
      expect(() => connectionAlerts(new ConnectionRegistry().transitions$, { hostWindowMs: -1 })).to.throw(
        RangeError,
        'hostWindowMs must be an integer >= 0; got -1',
      );
    });

    it('rejects a bad hostMinNodes at once', () => {
      expect(() => connectionAlerts(new ConnectionRegistry().transitions$, { hostMinNodes: 1 })).to.throw(
        RangeError,
        'hostMinNodes must be an integer >= 2; got 1',
      );
    });
  });
});
