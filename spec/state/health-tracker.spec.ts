import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import {
  ConnectionRegistry,
  initialApiClientStatus,
  initialLogReaderStatus,
  NodeHealthTracker,
  type HealthMap,
  type ReputationAlert,
} from '../../lib/index.js';

const REFUSED = 'Connection refused (connect ECONNREFUSED 10.0.0.2:14002)';
const failed = (error: string) => ({ type: 'failed', error, reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 }) as const;

function setup(nodes = ['node1']) {
  const scheduler = new VirtualTimeScheduler();
  const registry = new ConnectionRegistry({ scheduler });
  const sources = nodes.map((node) => ({
    log: registry.track(node, 'log_reader', initialLogReaderStatus('10.0.0.2', 9001)),
    api: registry.track(node, 'api_client', initialApiClientStatus()),
  }));
  const tracker = new NodeHealthTracker(registry, { scheduler, coalesceScheduler: scheduler, reputationThresholds: { online: 0.95 } });
  const emitted: HealthMap[] = [];
  const alerts: ReputationAlert[] = [];
  tracker.health$.subscribe((health) => emitted.push(health));
  tracker.alerts$.subscribe((alert) => alerts.push(alert));
  return { scheduler, registry, sources, tracker, emitted, alerts };
}

describe('NodeHealthTracker (virtual time)', () => {
  it('emits the map at once, then once per tick that changed a verdict; an unchanged map is the same object', () => {
    const { scheduler, sources, tracker, emitted } = setup(['node1', 'node2']);
    expect(emitted).to.deep.equal([{ node1: { verdict: 'ok', reasons: [] }, node2: { verdict: 'ok', reasons: [] } }]);
    for (const { log, api } of sources) {
      log({ type: 'connected', reconnectAttempts: 0 });
      api({ type: 'connected', reconnectAttempts: 0 });
      api({ type: 'request_succeeded', at: 1000 });
    }
    scheduler.flush();
    expect(emitted, 'connecting to connected changes no verdict').to.have.length(1);
    expect(tracker.snapshot()).to.equal(emitted[0]);

    sources[0]?.api(failed(REFUSED));
    sources[0]?.api({ type: 'connecting' });
    sources[0]?.api(failed(REFUSED));
    scheduler.flush();
    expect(emitted).to.have.length(2);
    expect(emitted[1]?.node1).to.deep.equal({ verdict: 'offline', reasons: ['the host answers but the node does not', `API: ${REFUSED}`] });
    expect(emitted[1]?.node2, 'the other node keeps its object').to.equal(emitted[0]?.node2);
  });

  it('degradation reasons and satellite contact from the transitions go into the verdict', () => {
    const { scheduler, sources, tracker } = setup();
    const { log, api } = sources[0]!;
    log({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'degradation', degraded: true, reason: '2 of the last 5 checks failed' });
    expect(tracker.snapshot().node1).to.deep.equal({ verdict: 'degraded', reasons: ['API degraded: 2 of the last 5 checks failed'] });
    api({ type: 'degradation', degraded: false, reason: null });
    scheduler.schedule(() => api({ type: 'health_checked', ok: true, contact: { lastPingedMs: 1000, startedAtMs: null, quicStatus: 'OK' } }), 3 * 3_600_000);
    scheduler.flush();
    expect(tracker.snapshot().node1?.verdict).to.equal('satellites-unreachable');
  });

  it('readings make warnings and one alert per crossing; scores() has the latest; a removed node goes', () => {
    const { registry, tracker, alerts } = setup();
    const reading = (online: number) => ({ node: 'node1', satellites: [{ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online }] });
    tracker.record(reading(0.97));
    tracker.record(reading(0.93));
    tracker.record(reading(0.91));
    expect(tracker.snapshot().node1?.verdict).to.equal('at-risk');
    tracker.record(reading(0.96));
    expect(alerts.map((alert) => [alert.type, alert.value, alert.threshold])).to.deep.equal([
      ['reputation', 0.93, 0.95],
      ['reputation_recovered', 0.96, 0.95],
    ]);
    expect(tracker.scores().get('node1')?.[0]?.online).to.equal(0.96);
    registry.remove('node1');
    expect(tracker.snapshot()).to.deep.equal({});
    expect(tracker.scores().size).to.equal(0);
  });

  it('a new reason of a source that stays degraded, and a reason that goes, change the verdict; the same verdict keeps its object', () => {
    const { scheduler, sources, tracker, emitted } = setup();
    const { log, api } = sources[0]!;
    log({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'degradation', degraded: true, reason: 'reason A' });
    log({ type: 'degradation', degraded: true, reason: 'reason L' });
    scheduler.flush();
    expect(tracker.snapshot().node1?.reasons).to.deep.equal(['log degraded: reason L', 'API degraded: reason A']);
    api({ type: 'degradation', degraded: true, reason: 'reason B' });
    scheduler.flush();
    expect(tracker.snapshot().node1?.reasons, 'same length, another reason').to.deep.equal(['log degraded: reason L', 'API degraded: reason B']);
    api({ type: 'degradation', degraded: false, reason: null });
    scheduler.flush();
    expect(tracker.snapshot().node1, 'still degraded, one reason fewer').to.deep.equal({ verdict: 'degraded', reasons: ['log degraded: reason L'] });
    const before = tracker.snapshot();
    api({ type: 'health_checked', ok: true, contact: { lastPingedMs: null, startedAtMs: null, quicStatus: 'OK' } });
    scheduler.flush();
    expect(tracker.snapshot(), 'a contact that changes no verdict').to.equal(before);
    expect(emitted.map((health) => health.node1?.reasons.length)).to.deep.equal([0, 2, 2, 1]);
  });

  it('a verdict is made again only when something of it changed: the contact is judged at the time it came', () => {
    const { scheduler, sources, tracker } = setup();
    const { log, api } = sources[0]!;
    const contact = { lastPingedMs: 1, startedAtMs: 1, quicStatus: 'OK' } as const;
    api({ type: 'connected', reconnectAttempts: 0 });
    api({ type: 'health_checked', ok: true, contact });
    scheduler.schedule(() => undefined, 3 * 3_600_000);
    scheduler.flush();
    expect(tracker.snapshot().node1?.verdict, 'nothing came since').to.equal('ok');
    api({ type: 'health_checked', ok: false });
    expect(tracker.snapshot().node1?.verdict, 'a check without a contact changes nothing').to.equal('ok');
    api({ type: 'health_checked', ok: true, contact });
    expect(tracker.snapshot().node1?.verdict, 'the same contact judged now').to.equal('satellites-unreachable');
    log({ type: 'connected', reconnectAttempts: 0 });
    log({ type: 'failed', error: 'Connection refused', reconnectAttempts: 1, retryInMs: 1000, retryAt: 0 });
    log({ type: 'connected', reconnectAttempts: 1 });
    api({ type: 'health_checked', ok: false });
    expect(tracker.snapshot().node1?.verdict, 'the contact is kept through other events').to.equal('satellites-unreachable');
  });

  it('a change of one node does not judge the others again', () => {
    const { scheduler, sources, tracker } = setup(['node1', 'node2']);
    sources[0]?.api({ type: 'connected', reconnectAttempts: 0 });
    sources[0]?.api({ type: 'health_checked', ok: true, contact: { lastPingedMs: 1, startedAtMs: 1, quicStatus: 'OK' } });
    expect(tracker.snapshot().node1?.verdict).to.equal('ok');
    scheduler.schedule(() => sources[1]?.log({ type: 'connected', reconnectAttempts: 0 }), 3 * 3_600_000);
    scheduler.flush();
    expect(tracker.snapshot().node1?.verdict, 'node1 judged when its contact came').to.equal('ok');
    expect(tracker.snapshot().node2?.verdict).to.equal('ok');
  });

  it('a removed node leaves the map while others stay; a node without readings has no scores', () => {
    const { registry, tracker } = setup(['node1', 'node2']);
    tracker.record({ node: 'node1', satellites: [{ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 1 }] });
    expect([...tracker.scores().keys()]).to.deep.equal(['node1']);
    expect(Object.keys(tracker.snapshot())).to.deep.equal(['node1', 'node2']);
    registry.remove('node1');
    expect(Object.keys(tracker.snapshot())).to.deep.equal(['node2']);
  });

  it('lastPingedStaleMs is the verdict’s, and stop() ends both streams and the following of the registry', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    const api = registry.track('node1', 'api_client', initialApiClientStatus());
    const tracker = new NodeHealthTracker(registry, { scheduler, coalesceScheduler: scheduler, lastPingedStaleMs: 60_000 });
    api({ type: 'connected', reconnectAttempts: 0 });
    scheduler.schedule(() => api({ type: 'health_checked', ok: true, contact: { lastPingedMs: 1, startedAtMs: 1, quicStatus: 'OK' } }), 60_002);
    scheduler.flush();
    expect(tracker.snapshot().node1?.verdict).to.equal('satellites-unreachable');
    const completed: string[] = [];
    tracker.health$.subscribe({ complete: () => completed.push('health$') });
    tracker.alerts$.subscribe({ complete: () => completed.push('alerts$') });
    tracker.stop();
    expect(completed).to.deep.equal(['health$', 'alerts$']);
    api({ type: 'health_checked', ok: true, contact: { lastPingedMs: 60_000, startedAtMs: 1, quicStatus: 'OK' } });
    expect(tracker.snapshot().node1?.verdict, 'no longer follows the contact').to.equal('satellites-unreachable');
  });

  it('by default judges by the wall clock and emits a change in the same tick, before any timer', async () => {
    const registry = new ConnectionRegistry();
    const api = registry.track('node1', 'api_client', initialApiClientStatus());
    const tracker = new NodeHealthTracker(registry);
    const emitted: HealthMap[] = [];
    const subscription = tracker.health$.subscribe((health) => emitted.push(health));
    try {
      const atTimer = new Promise<number>((resolve) => setTimeout(() => resolve(emitted.length), 0));
      api({ type: 'connected', reconnectAttempts: 0 });
      api({ type: 'health_checked', ok: true, contact: { lastPingedMs: Date.now() - 3 * 3_600_000, startedAtMs: null, quicStatus: 'OK' } });
      expect(await atTimer).to.equal(2);
      expect(emitted[1]?.node1?.verdict).to.equal('satellites-unreachable');
    } finally {
      subscription.unsubscribe();
      tracker.stop();
      registry.remove('node1');
    }
  });

  it('a node named __proto__ or constructor is a node like any other', () => {
    const { tracker } = setup(['__proto__', 'constructor']);
    const health = tracker.snapshot();
    expect(Object.keys(health)).to.deep.equal(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(health)).to.equal(Object.prototype);
    expect(JSON.parse(JSON.stringify(health))).to.deep.equal(
      JSON.parse('{"__proto__":{"verdict":"ok","reasons":[]},"constructor":{"verdict":"ok","reasons":[]}}'),
    );
  });

  it('rejects bad options at once, naming the field', () => {
    const registry = new ConnectionRegistry();
    expect(() => new NodeHealthTracker(registry, { lastPingedStaleMs: 0 })).to.throw(RangeError, 'lastPingedStaleMs must be an integer >= 1; got 0');
    expect(() => new NodeHealthTracker(registry, { reputationThresholds: { audit: -1 } })).to.throw(
      RangeError,
      'reputationThresholds.audit must be a number 0-1',
    );
  });
});
