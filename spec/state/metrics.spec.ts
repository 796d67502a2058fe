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

  it('a bad windowMs or intervalMs throws a RangeError naming it; a bad interval from an Observable errors metrics$ the same way', () => {
    const registry = new ConnectionRegistry();
    for (const windowMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ConnectionMetricsCollector(registry, { windowMs })).to.throw(RangeError, /^windowMs must be an integer >= 1/);
    }
    for (const intervalMs of [0, -10, 0.5, Number.POSITIVE_INFINITY]) {
      expect(() => new ConnectionMetricsCollector(registry, { intervalMs })).to.throw(RangeError, /^intervalMs must be an integer >= 1/);
    }
    const scheduler = new VirtualTimeScheduler();
    const interval = new BehaviorSubject(10_000);
    const metrics = new ConnectionMetricsCollector(registry, { scheduler, intervalMs: interval });
    const seen: string[] = [];
    metrics.metrics$.subscribe({ next: () => seen.push(`next@${scheduler.now()}`), error: (error: Error) => seen.push(`${error.name}: ${error.message}`) });
    scheduler.schedule(() => interval.next(0), 15_000);
    scheduler.flush();
    expect(seen).to.deep.equal(['next@0', 'next@10000', 'RangeError: intervalMs must be an integer >= 1; got 0']);
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

describe('ConnectionMetricsCollector: each figure from its own events only (virtual time)', () => {
  const HOUR_MS = 3_600_000;

  it('an exhausted attempt counts as a failed attempt', () => {
    const { scheduler, log, metrics } = setup();
    log(failed);
    log({ type: 'exhausted', error: 'x', reconnectAttempts: 10, retryAt: null });
    scheduler.flush();
    expect(metrics.snapshot().node1?.log_reader?.failed_attempts).to.equal(2);
  });

  it('connection events leave lines and health checks at zero; no reconnection before the first one', () => {
    const { scheduler, log, api, metrics } = setup();
    for (const sink of [log, api]) {
      sink({ type: 'connecting' });
      sink({ type: 'connected', reconnectAttempts: 0 });
      sink({ type: 'stable' });
      sink(failed);
      sink({ type: 'stopped' });
    }
    scheduler.flush();
    const node = metrics.snapshot().node1;
    expect(node?.log_reader?.lines).to.deep.equal({ received: 0, malformed: 0, oversize: 0, partial: 0, gap: 0, gap_bytes: 0, unrecognized: 0 });
    expect(node?.api_client?.health_checks).to.deep.equal({ success: 0, failure: 0, success_rate: null });
    expect(node?.api_client).to.not.have.property('lines');
    expect(node?.log_reader?.reconnection_duration_ms).to.deep.equal({ last: null, mean: null, max: null });
  });

  it('a gap counts its lines and, where the forwarder knows it, its size in bytes', () => {
    const { scheduler, log, metrics } = setup();
    log({ type: 'lines_dropped', reason: 'gap', count: 3, bytes: 4096 });
    log({ type: 'lines_dropped', reason: 'gap', count: 1, bytes: null });
    log({ type: 'lines_dropped', reason: 'gap', count: 2, bytes: 100 });
    scheduler.flush();
    expect(metrics.snapshot().node1?.log_reader?.lines).to.include({ gap: 6, gap_bytes: 4196 });
  });

  it('a success rate is successes over all checks', () => {
    const { scheduler, api, metrics } = setup();
    api({ type: 'health_checked', ok: true });
    api({ type: 'health_checked', ok: false });
    api({ type: 'health_checked', ok: false });
    api({ type: 'health_checked', ok: false });
    scheduler.flush();
    expect(metrics.snapshot().node1?.api_client?.health_checks).to.deep.equal({ success: 1, failure: 3, success_rate: 0.25 });
  });

  it('an event that keeps the state is no reconnection and no new segment', () => {
    const { scheduler, log, metrics, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(1000, () => log({ type: 'lines_received', count: 1 }));
    at(2000, () => log({ type: 'stable' }));
    scheduler.schedule(() => undefined, 3000);
    scheduler.flush();
    const m = metrics.snapshot().node1?.log_reader;
    expect(m?.reconnections).to.equal(0);
    expect(m?.reconnection_duration_ms.last).to.equal(null);
    expect(m?.time_in_state_ms.connected).to.equal(3000);
  });

  it('the window counts only the part of each state inside it', () => {
    const { scheduler, log, metrics, at } = setup(); // a 60 s window
    at(0, () => log({ type: 'connecting' }));
    at(10_000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(100_000, () => log(failed));
    scheduler.schedule(() => undefined, 130_000);
    scheduler.flush();
    // [70 s, 130 s]: 30 s connected, 30 s in error; the connecting second is outside.
    expect(metrics.snapshot().node1?.log_reader?.uptime_ratio_window).to.equal(0.5);
  });

  it('a reconnection counts in reconnections_per_hour for exactly one hour', () => {
    const { scheduler, log, metrics, at } = setup();
    at(0, () => log({ type: 'connected', reconnectAttempts: 0 }));
    at(1000, () => log(failed));
    at(5000, () => log({ type: 'connected', reconnectAttempts: 0 }));
    const perHour: number[] = [];
    for (const ms of [5000, 5000 + HOUR_MS - 1, 5000 + HOUR_MS]) at(ms, () => perHour.push(metrics.snapshot().node1?.log_reader?.reconnections_per_hour ?? -1));
    scheduler.flush();
    expect(perHour).to.deep.equal([1, 1, 0]);
  });

  it('starts from the registry as it is: each tracked source, only those', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    registry.track('api-only', 'api_client', initialApiClientStatus());
    registry.track('log-only', 'log_reader', initialLogReaderStatus('h', 1));
    const metrics = new ConnectionMetricsCollector(registry, { scheduler });
    scheduler.schedule(() => undefined, 1000);
    scheduler.flush();
    const snapshot = metrics.snapshot();
    expect(Object.keys(snapshot['api-only'] ?? {})).to.deep.equal(['api_client']);
    expect(Object.keys(snapshot['log-only'] ?? {})).to.deep.equal(['log_reader']);
    expect(snapshot['api-only']?.api_client?.time_in_state_ms.disconnected).to.equal(1000);
  });

  it('metrics$ emits the metrics as they are at each tick', () => {
    const { scheduler, log, metrics, at } = setup();
    const seen: unknown[] = [];
    const subscription = metrics.metrics$.subscribe((all) =>
      seen.push([scheduler.now(), all.node1?.log_reader?.state, all.node1?.log_reader?.failed_attempts]),
    );
    at(15_000, () => log(failed));
    at(25_000, () => subscription.unsubscribe());
    scheduler.flush();
    expect(seen).to.deep.equal([
      [0, 'disconnected', 0],
      [10_000, 'disconnected', 0],
      [20_000, 'error', 1],
    ]);
  });

  it('metrics$ emits every 10 s by default', () => {
    const scheduler = new VirtualTimeScheduler();
    const metrics = new ConnectionMetricsCollector(new ConnectionRegistry({ scheduler }), { scheduler });
    const times: number[] = [];
    const subscription = metrics.metrics$.subscribe(() => times.push(scheduler.now()));
    scheduler.schedule(() => subscription.unsubscribe(), 25_000);
    scheduler.flush();
    expect(times).to.deep.equal([0, 10_000, 20_000]);
  });

  it('stop(): no more updates, and reconnections$ and removed$ complete', () => {
    const { scheduler, log, registry, metrics } = setup();
    const completed: string[] = [];
    metrics.reconnections$.subscribe({ complete: () => completed.push('reconnections$') });
    metrics.removed$.subscribe({ complete: () => completed.push('removed$') });
    metrics.stop();
    log(failed);
    registry.remove('node1', 'api_client');
    scheduler.flush();
    expect(completed).to.deep.equal(['reconnections$', 'removed$']);
    expect(metrics.snapshot().node1?.log_reader?.failed_attempts).to.equal(0);
    expect(Object.keys(metrics.snapshot().node1 ?? {})).to.deep.equal(['log_reader', 'api_client']);
  });
});
