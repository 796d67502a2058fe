import { expect } from 'chai';
import { BehaviorSubject, VirtualTimeScheduler } from 'rxjs';
import { ConnectionMetricsCollector, ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, type Reconnection } from '../../lib/index.js';

/** A registry and collector on a virtual clock; `at(ms, work)` runs work at that time. */
function setup() {
  const scheduler = new VirtualTimeScheduler();
  const registry = new ConnectionRegistry({ scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const api = registry.track('node1', 'api_client', initialApiClientStatus());
  const metrics = new ConnectionMetricsCollector(registry, { scheduler, windowMs: 60_000 });
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
  return { scheduler, registry, log, api, metrics, at };
}

const failed = { type: 'failed', error: 'x', reconnectAttempts: 1, retryInMs: 1000, retryAt: 0 } as const;

describe('ConnectionMetricsCollector (virtual time)', () => {
  it('times each state, and the uptime ratio over the life and over the window', () => {
    const { scheduler, log, metrics, at } = setup();
    at(0, () => log({ type: 'connecting' }));
    at(1000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(31_000, () => log(failed));
    at(41_000, () => log({ type: 'connecting' }));
    at(41_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    scheduler.schedule(() => undefined, 101_000);
    scheduler.flush();
    const m = metrics.snapshot().node1?.log_reader;
    expect(m?.state).to.equal('connected');
    expect(m?.time_in_state_ms).to.deep.equal({ disconnected: 0, connecting: 1000, connected: 90_000, error: 10_000, stopped: 0 });
    expect(m?.uptime_ratio).to.be.closeTo(90 / 101, 1e-9);
    expect(m?.uptime_ratio_window).to.equal(1);
  });

  it('counts reconnections, their durations (last, mean, max) and per hour, and failed attempts', () => {
    const { scheduler, log, metrics, at } = setup();
    const seen: Reconnection[] = [];
    metrics.reconnections$.subscribe((reconnection) => seen.push(reconnection));
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(10_000, () => log(failed));
    at(12_000, () => log(failed));
    at(16_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(20_000, () => log({ type: 'disconnected', error: null, reconnectAttempts: 1, retryInMs: 2000, retryAt: 22_000 }));
    at(22_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(4_000_000, () => undefined);
    scheduler.flush();
    const m = metrics.snapshot().node1?.log_reader;
    expect(m?.reconnections).to.equal(2);
    expect(m?.reconnection_duration_ms).to.deep.equal({ last: 2000, mean: 4000, max: 6000 });
    expect(m?.failed_attempts).to.equal(2);
    expect(m?.reconnections_per_hour).to.equal(0);
    expect(seen).to.deep.equal([
      { node: 'node1', component: 'log_reader', durationMs: 6000 },
      { node: 'node1', component: 'log_reader', durationMs: 2000 },
    ]);
  });

  it('counts health checks and lines', () => {
    const { scheduler, log, api, metrics } = setup();
    api({ type: 'health_checked', ok: true });
    api({ type: 'health_checked', ok: true });
    api({ type: 'health_checked', ok: true });
    api({ type: 'health_checked', ok: false });
    log({ type: 'lines_received', count: 250 });
    log({ type: 'lines_dropped', reason: 'malformed', count: 2 });
    log({ type: 'lines_unrecognized', count: 3 });
    scheduler.flush();
    const node = metrics.snapshot().node1;
    expect(node?.api_client?.health_checks).to.deep.equal({ success: 3, failure: 1, success_rate: 0.75 });
    expect(node?.log_reader?.lines).to.deep.equal({ received: 250, malformed: 2, oversize: 0, partial: 0, gap: 0, gap_bytes: 0, unrecognized: 3 });
    expect(node?.log_reader).to.not.have.property('health_checks');
  });

  it('metrics$ emits at once and every interval', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    registry.track('n', 'log_reader', initialLogReaderStatus('h', 1));
    const metrics = new ConnectionMetricsCollector(registry, { scheduler, intervalMs: 10_000 });
    const times: number[] = [];
    const subscription = metrics.metrics$.subscribe(() => times.push(scheduler.now()));
    scheduler.schedule(() => subscription.unsubscribe(), 25_000);
    scheduler.flush();
    expect(times).to.deep.equal([0, 10_000, 20_000]);
    metrics.stop();
  });

  it('metrics$ follows an Observable interval: a new one emits at once, then at its own pace', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    registry.track('n', 'log_reader', initialLogReaderStatus('h', 1));
    const interval = new BehaviorSubject(10_000);
    const metrics = new ConnectionMetricsCollector(registry, { scheduler, intervalMs: interval });
    const times: number[] = [];
    const subscription = metrics.metrics$.subscribe(() => times.push(scheduler.now()));
    scheduler.schedule(() => interval.next(4000), 15_000);
    scheduler.schedule(() => subscription.unsubscribe(), 25_000);
    scheduler.flush();
    expect(times).to.deep.equal([0, 10_000, 15_000, 19_000, 23_000]);
    metrics.stop();
  });

  it('forgets a source removed from the registry (removed$ says so); a replaced one keeps its figures, in the new one’s state', () => {
    const { scheduler, registry, log, metrics, at } = setup();
    const removed: string[] = [];
    metrics.removed$.subscribe(({ node, component }) => removed.push(`${node} ${component}`));
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(1000, () => log({ type: 'stopped' }));
    at(1000, () => registry.track('node1', 'log_reader', initialLogReaderStatus('h', 2)));
    at(3000, () => registry.remove('node1', 'api_client'));
    scheduler.schedule(() => undefined, 4000);
    scheduler.flush();
    const node = metrics.snapshot().node1;
    expect(Object.keys(node ?? {})).to.deep.equal(['log_reader']);
    expect(node?.log_reader).to.include({ state: 'disconnected' });
    expect(node?.log_reader?.time_in_state_ms).to.include({ connected: 1000, disconnected: 3000 });
    expect(removed).to.deep.equal(['node1 api_client']);
    registry.remove('node1');
    expect(metrics.snapshot()).to.deep.equal({});
    expect(removed).to.deep.equal(['node1 api_client', 'node1 log_reader']);
  });

  it('ratios are null before any time has passed', () => {
    const { metrics } = setup();
    expect(metrics.snapshot().node1?.log_reader).to.include({ uptime_ratio: null, uptime_ratio_window: null });
  });
});
