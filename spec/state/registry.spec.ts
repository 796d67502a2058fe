import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { ConnectionRegistry, initialApiClientStatus, initialLogReaderStatus, type ConnectionStates, type Transition } from '../../lib/index.js';

function setup(): { registry: ConnectionRegistry; scheduler: VirtualTimeScheduler; emitted: ConnectionStates[] } {
  const scheduler = new VirtualTimeScheduler();
  const registry = new ConnectionRegistry({ scheduler });
  const emitted: ConnectionStates[] = [];
  registry.states$.subscribe((states) => emitted.push(states));
  return { registry, scheduler, emitted };
}

describe('ConnectionRegistry', () => {
  it('gives the current map on subscribe and the SPEC §3.4 shape per node', () => {
    const { registry, scheduler } = setup();
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('192.168.1.100', 9001));
    registry.track('node1', 'api_client', initialApiClientStatus());
    log({ type: 'connecting' });
    log({ type: 'connected', reconnectAttempts: 0 });
    scheduler.flush();
    let seen: ConnectionStates | undefined;
    registry.states$.subscribe((states) => (seen = states)).unsubscribe();
    expect(seen?.node1?.log_reader).to.include({ state: 'connected', host: '192.168.1.100', port: 9001, reconnect_attempts: 0, last_error: null });
    expect(seen?.node1?.api_client).to.include({ state: 'disconnected', is_available: false, last_successful_request: null });
  });

  it('snapshot() is synchronous and includes changes not yet emitted', () => {
    const { registry, emitted } = setup();
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    log({ type: 'connecting' });
    expect(registry.snapshot().node1?.log_reader?.state).to.equal('connecting');
    expect(emitted.at(-1)?.node1?.log_reader?.state).to.equal('connecting');
  });

  it('a node without an API has no api_client key', () => {
    const { registry } = setup();
    registry.track('log-only', 'log_reader', initialLogReaderStatus('h', 1));
    registry.track('api-only', 'api_client', initialApiClientStatus());
    expect(Object.keys(registry.snapshot()['log-only'] ?? {})).to.deep.equal(['log_reader']);
    expect(Object.keys(registry.snapshot()['api-only'] ?? {})).to.deep.equal(['api_client']);
  });

  it('coalesces the transitions of one tick into one emission', () => {
    const { registry, scheduler, emitted } = setup();
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    scheduler.flush();
    const before = emitted.length;
    log({ type: 'connecting' });
    log({ type: 'connected', reconnectAttempts: 0 });
    log({ type: 'lines_dropped', reason: 'partial', count: 1 });
    expect(emitted).to.have.length(before);
    scheduler.flush();
    expect(emitted).to.have.length(before + 1);
    expect(emitted.at(-1)?.node1?.log_reader).to.include({ state: 'connected' });
  });

  it('absorbs a mass disconnect of 10,000 nodes (20,000 sources) as one update, with every transition visible', () => {
    const { registry, scheduler, emitted } = setup();
    const transitions: Transition[] = [];
    registry.transitions$.subscribe((transition) => transitions.push(transition));
    const sinks = Array.from({ length: 10_000 }, (_, index) => ({
      log: registry.track(`node${index}`, 'log_reader', initialLogReaderStatus('10.0.0.1', 9000 + (index % 1000))),
      api: registry.track(`node${index}`, 'api_client', initialApiClientStatus()),
    }));
    scheduler.flush();
    const before = emitted.length;
    for (const { log, api } of sinks) {
      log({ type: 'failed', error: 'read ECONNRESET', reconnectAttempts: 1, retryInMs: 2000, retryAt: 2000 });
      api({ type: 'failed', error: 'fetch failed', reconnectAttempts: 1, retryInMs: 2000, retryAt: 2000 });
    }
    scheduler.flush();
    expect(emitted.length - before).to.equal(1);
    expect(transitions).to.have.length(20_000);
    const states = emitted.at(-1) ?? {};
    expect(Object.keys(states)).to.have.length(10_000);
    expect(Object.values(states).every((node) => node.log_reader?.state === 'error' && node.api_client?.is_available === false)).to.equal(true);
  });

  it('while nothing changes, snapshot() gives the same map and states$ emits no new one', () => {
    const { registry, scheduler, emitted } = setup();
    registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    scheduler.flush();
    const before = emitted.length;
    const first = registry.snapshot();
    expect(registry.snapshot()).to.equal(first);
    let seen: ConnectionStates | undefined;
    registry.states$.subscribe((states) => (seen = states)).unsubscribe();
    expect(seen).to.equal(first);
    scheduler.flush();
    expect(emitted).to.have.length(before);
  });

  it('snapshots are immutable: a later change leaves an earlier snapshot as it was', () => {
    const { registry } = setup();
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    const first = registry.snapshot();
    log({ type: 'connecting' });
    const second = registry.snapshot();
    expect(first.node1?.log_reader?.state).to.equal('disconnected');
    expect(second.node1?.log_reader?.state).to.equal('connecting');
    expect(second).to.not.equal(first);
  });

  it('removes sources and nodes at run time and ignores late events of removed sources', () => {
    const { registry } = setup();
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    registry.track('node1', 'api_client', initialApiClientStatus());
    registry.remove('node1', 'log_reader');
    log({ type: 'connecting' });
    expect(registry.snapshot().node1).to.deep.equal({ api_client: initialApiClientStatus() });
    registry.remove('node1');
    expect(registry.snapshot()).to.deep.equal({});
    registry.remove('never-there');
  });

  it('membership$ reports each source tracked (again, when replaced) and each removed, with its status then', () => {
    const { registry } = setup();
    const seen: string[] = [];
    registry.membership$.subscribe(({ type, node, component, status }) => seen.push(`${type} ${node} ${component} ${status.state}`));
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    registry.track('node1', 'api_client', initialApiClientStatus());
    log({ type: 'connecting' });
    registry.track('node1', 'log_reader', initialLogReaderStatus('h', 2));
    registry.remove('node1', 'api_client');
    registry.remove('node1');
    registry.remove('node1');
    expect(seen).to.deep.equal([
      'tracked node1 log_reader disconnected',
      'tracked node1 api_client disconnected',
      'tracked node1 log_reader disconnected',
      'removed node1 api_client disconnected',
      'removed node1 log_reader disconnected',
    ]);
  });

  it('track() again replaces the source, and the old sink goes quiet', () => {
    const { registry } = setup();
    const old = registry.track('node1', 'log_reader', initialLogReaderStatus('old', 1));
    const fresh = registry.track('node1', 'log_reader', initialLogReaderStatus('new', 2));
    old({ type: 'connecting' });
    expect(registry.snapshot().node1?.log_reader).to.include({ host: 'new', state: 'disconnected' });
    fresh({ type: 'connecting' });
    expect(registry.snapshot().node1?.log_reader?.state).to.equal('connecting');
  });

  it('a sink returns the source’s status after each event, also once the map no longer shows it', () => {
    const { registry } = setup();
    const old = registry.track('node1', 'api_client', initialApiClientStatus());
    expect(old({ type: 'connected', reconnectAttempts: 0 })).to.include({ state: 'connected', is_available: true });
    expect(registry.snapshot().node1?.api_client?.state).to.equal('connected');
    registry.track('node1', 'api_client', initialApiClientStatus());
    expect(old({ type: 'failed', error: 'boom', reconnectAttempts: 1, retryInMs: 2000, retryAt: 2000 })).to.include({ state: 'error', last_error: 'boom' });
    expect(registry.snapshot().node1?.api_client?.state).to.equal('disconnected');
  });

  it('complete() completes the streams; snapshot() keeps folding', () => {
    const { registry } = setup();
    let completed = 0;
    registry.states$.subscribe({ complete: () => completed++ });
    registry.transitions$.subscribe({ complete: () => completed++ });
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    registry.complete();
    expect(completed).to.equal(2);
    log({ type: 'stopped' });
    expect(registry.snapshot().node1?.log_reader?.state).to.equal('stopped');
  });

  it('a removed or replaced source’s events stay off transitions$ and states$', () => {
    const { registry, scheduler, emitted } = setup();
    const transitions: string[] = [];
    registry.transitions$.subscribe(({ node, component, event }) => transitions.push(`${node} ${component} ${event.type}`));
    const removed = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    const replaced = registry.track('node2', 'api_client', initialApiClientStatus());
    const replacement = registry.track('node2', 'api_client', initialApiClientStatus());
    registry.remove('node1', 'log_reader');
    scheduler.flush();
    const before = emitted.length;
    removed({ type: 'connecting' });
    replaced({ type: 'connecting' });
    scheduler.flush();
    expect(transitions).to.deep.equal([]);
    expect(emitted).to.have.length(before);
    replacement({ type: 'connecting' });
    scheduler.flush();
    expect(transitions).to.deep.equal(['node2 api_client connecting']);
    expect(emitted.at(-1)).to.deep.equal({ node2: { api_client: { ...initialApiClientStatus(), state: 'connecting' } } });
  });

  it('an event that changes no status is on transitions$, and no new map is emitted for it', () => {
    const { registry, scheduler, emitted } = setup();
    const transitions: string[] = [];
    registry.transitions$.subscribe(({ event }) => transitions.push(event.type));
    const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    scheduler.flush();
    const before = emitted.length;
    log({ type: 'lines_received', count: 10 });
    scheduler.flush();
    expect(transitions).to.deep.equal(['lines_received']);
    expect(emitted).to.have.length(before);
  });

  it('a new map keeps the nodes that did not change, as the same objects', () => {
    const { registry, scheduler, emitted } = setup();
    const first = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
    registry.track('node2', 'log_reader', initialLogReaderStatus('h', 2));
    scheduler.flush();
    const before = emitted.at(-1);
    first({ type: 'connecting' });
    scheduler.flush();
    const after = emitted.at(-1);
    expect(Object.keys(after ?? {})).to.deep.equal(['node1', 'node2']);
    expect(after?.node2).to.equal(before?.node2);
    expect(after?.node1?.log_reader?.state).to.equal('connecting');
  });
});
