import { expect } from 'chai';
import fc from 'fast-check';
import {
  apiClientTransition,
  CONNECTION_STATES,
  initialApiClientStatus,
  initialLogReaderStatus,
  logReaderTransition,
  type ApiClientEvent,
  type ApiClientStatus,
  type ConnectionEvent,
  type ConnectionStatus,
  type DegradationEvent,
  type LogReaderEvent,
  type LogReaderStatus,
} from '../../lib/index.js';
import { connectionTransition } from '../support/connection-transition.js';
import { scanStates } from '../support/scan-states.js';

const failed = (reconnectAttempts: number, retryInMs = 2000): ConnectionEvent => ({
  type: 'failed',
  error: 'connect ECONNREFUSED 127.0.0.1:9001',
  reconnectAttempts,
  retryInMs,
  retryAt: 10_000 + retryInMs,
});

/** The SPEC §4 walk, for each reducer: both share the state machine, and both are specified by it. */
function specifiesTheStateMachine<Status extends ConnectionStatus>(
  name: string,
  reduce: (status: Status, event: ConnectionEvent) => Status,
  start: Status,
): void {
  describe(`${name}: the state machine of SPEC §4`, () => {
    it('walks SPEC §4: connecting -> connected -> disconnected -> connecting -> connected', () => {
      const states = [
        { type: 'connecting' },
        { type: 'connected', reconnectAttempts: 0 },
        { type: 'disconnected', error: null, reconnectAttempts: 1, retryInMs: 2000, retryAt: 12_000 },
        { type: 'connecting' },
        { type: 'connected', reconnectAttempts: 0 },
      ] satisfies ConnectionEvent[];
      const seen: string[] = [];
      states.reduce((status, event) => {
        const next = reduce(status, event);
        seen.push(next.state);
        return next;
      }, start);
      expect(seen).to.deep.equal(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
    });

    it('a failure is error with last_error, attempts and the next retry time in Unix seconds', () => {
      const next = reduce(start, failed(3, 8000));
      expect(next).to.include({ state: 'error', last_error: 'connect ECONNREFUSED 127.0.0.1:9001', reconnect_attempts: 3, next_retry_at: 18 });
    });

    it('connecting clears the retry time, connected clears last_error and takes the attempt count', () => {
      const errored = reduce(start, failed(2));
      const connecting = reduce(errored, { type: 'connecting' });
      expect(connecting).to.include({ state: 'connecting', next_retry_at: null, last_error: errored.last_error });
      expect(reduce(connecting, { type: 'connected', reconnectAttempts: 0 })).to.include({ last_error: null, reconnect_attempts: 0 });
    });

    it('exhaustion stays error and says it gave up, or that a new cycle is scheduled', () => {
      const gaveUp = reduce(start, { type: 'exhausted', error: 'timed out', reconnectAttempts: 10, retryAt: null });
      expect(gaveUp).to.include({ state: 'error', next_retry_at: null, last_error: 'Gave up after 10 reconnect attempts: timed out' });
      const cycling = reduce(start, { type: 'exhausted', error: 'timed out', reconnectAttempts: 10, retryAt: 30_000 });
      expect(cycling).to.include({ state: 'error', next_retry_at: 30 });
      expect(cycling.last_error).to.match(/10 reconnect attempts failed, next cycle scheduled: timed out/);
    });

    it('stable resets the counter, and returns the same object when nothing changes', () => {
      const connected = reduce(start, { type: 'connected', reconnectAttempts: 4 });
      expect(reduce(connected, { type: 'stable' }).reconnect_attempts).to.equal(0);
      const calm = reduce(connected, { type: 'stable' });
      expect(reduce(calm, { type: 'stable' })).to.equal(calm);
    });

    it('stopped from any state', () => {
      for (const event of [{ type: 'connecting' }, failed(1), { type: 'connected', reconnectAttempts: 0 }] satisfies ConnectionEvent[]) {
        const next = reduce(reduce(start, event), { type: 'stopped' });
        expect(next).to.include({ state: 'stopped', next_retry_at: null });
      }
    });
  });
}

specifiesTheStateMachine<LogReaderStatus>('logReaderTransition', logReaderTransition, initialLogReaderStatus('192.168.1.100', 9001));
specifiesTheStateMachine<ApiClientStatus>('apiClientTransition', apiClientTransition, initialApiClientStatus());

describe('logReaderTransition', () => {
  it('counts dropped lines by reason without touching the state', () => {
    const start = initialLogReaderStatus('h', 1);
    const next = logReaderTransition(logReaderTransition(start, { type: 'lines_dropped', reason: 'oversize', count: 1 }), {
      type: 'lines_dropped',
      reason: 'malformed',
      count: 5,
    });
    expect(next.dropped_lines).to.deep.equal({ malformed: 5, oversize: 1, partial: 0, gap: 0 });
    expect(next.state).to.equal(start.state);
    expect(start.dropped_lines).to.deep.equal({ malformed: 0, oversize: 0, partial: 0, gap: 0 });
  });

  it('records how resuming went; a resume event that repeats the status returns the same status (no new map)', () => {
    const asked = initialLogReaderStatus('h', 1, true);
    const on = logReaderTransition(asked, { type: 'resume', resume: 'on' });
    expect(on).to.deep.equal({ ...asked, resume: 'on' });
    expect(logReaderTransition(on, { type: 'resume', resume: 'on' })).to.equal(on);
    expect(logReaderTransition(on, { type: 'resume', resume: 'fallback', reason: 'the forwarder does not resume' })).to.deep.equal({
      ...asked,
      resume: 'fallback',
    });
  });

  it('a degradation event that repeats the status returns the same status (no new map)', () => {
    const degraded = logReaderTransition(initialLogReaderStatus('h', 1), { type: 'degradation', degraded: true, reason: 'few lines' });
    expect(degraded).to.deep.equal({ ...initialLogReaderStatus('h', 1), degraded: true });
    expect(logReaderTransition(degraded, { type: 'degradation', degraded: true, reason: 'fewer lines' })).to.equal(degraded);
  });
});

describe('apiClientTransition', () => {
  const start = initialApiClientStatus();

  it('is_available is true exactly while connected', () => {
    const connected = apiClientTransition(start, { type: 'connected', reconnectAttempts: 0 });
    expect(connected).to.include({ state: 'connected', is_available: true });
    expect(apiClientTransition(connected, failed(1))).to.include({ state: 'error', is_available: false });
    expect(apiClientTransition(connected, { type: 'stopped' })).to.include({ state: 'stopped', is_available: false });
  });

  it('records the last successful request in Unix seconds', () => {
    const next = apiClientTransition(start, { type: 'request_succeeded', at: 1_696_800_000_500 });
    expect(next.last_successful_request).to.equal(1_696_800_000.5);
    expect(next.state).to.equal('disconnected');
  });

  it('a degradation event that repeats the status returns the same status (no new map)', () => {
    const degraded = apiClientTransition(start, { type: 'degradation', degraded: true, reason: 'slow' });
    expect(degraded).to.deep.equal({ ...start, degraded: true });
    expect(apiClientTransition(degraded, { type: 'degradation', degraded: true, reason: 'slower' })).to.equal(degraded);
  });
});

describe('reducer properties', () => {
  const eventArbitrary: fc.Arbitrary<LogReaderEvent> = fc.oneof(
    fc.constant({ type: 'connecting' } as const),
    fc.nat(1000).map((reconnectAttempts) => ({ type: 'connected', reconnectAttempts }) as const),
    fc.constant({ type: 'stable' } as const),
    fc.constant({ type: 'stopped' } as const),
    fc
      .record({ n: fc.nat(1000), ms: fc.nat(300_000), error: fc.string() })
      .map(({ n, ms, error }) => ({ type: 'failed', error, reconnectAttempts: n, retryInMs: ms, retryAt: ms }) as const),
    fc
      .record({ n: fc.nat(1000), ms: fc.nat(300_000) })
      .map(({ n, ms }) => ({ type: 'disconnected', error: null, reconnectAttempts: n, retryInMs: ms, retryAt: ms }) as const),
    fc
      .record({ n: fc.nat(1000), error: fc.string(), retryAt: fc.option(fc.nat(300_000)) })
      .map(({ n, error, retryAt }) => ({ type: 'exhausted', error, reconnectAttempts: n, retryAt }) as const),
    fc
      .record({ reason: fc.constantFrom('malformed', 'oversize', 'partial', 'gap' as const), count: fc.nat(10) })
      .map(({ reason, count }) => ({ type: 'lines_dropped', reason, count }) as const),
    fc.nat(10).map((count) => ({ type: 'lines_unrecognized', count }) as const),
    fc.constantFrom('on', 'fallback' as const).map((resume) => ({ type: 'resume', resume }) as const),
    fc.boolean().map((degraded) => ({ type: 'degradation', degraded, reason: degraded ? 'slow' : null }) as const),
  );
  const isConnectionEvent = (event: LogReaderEvent | ApiClientEvent): event is ConnectionEvent =>
    !['lines_dropped', 'lines_received', 'lines_unrecognized', 'resume', 'degradation', 'request_succeeded', 'health_checked'].includes(event.type);

  it('any event sequence yields a valid status and never mutates its input', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 50 }), (events) => {
        const statuses = scanStates(events, initialLogReaderStatus('10.0.0.2', 9001), logReaderTransition);
        for (const [index, next] of statuses.entries()) {
          const event = events[index];
          expect(CONNECTION_STATES).to.include(next.state);
          expect(next.reconnect_attempts).to.be.at.least(0);
          expect(Object.keys(next)).to.include.members(['state', 'host', 'port', 'reconnect_attempts', 'last_error']);
          if (event?.type === 'connected') expect(next.last_error).to.equal(null);
          if (event?.type === 'stopped') expect(next.state).to.equal('stopped');
        }
      }),
    );
  });

  it('the API status is available exactly when connected, after any sequence', () => {
    fc.assert(
      fc.property(
        fc.array(
          eventArbitrary.filter(
            (event): event is ConnectionEvent | DegradationEvent =>
              event.type !== 'lines_dropped' && event.type !== 'lines_unrecognized' && event.type !== 'resume',
          ),
          { maxLength: 50 },
        ),
        (events) => {
          let status = initialApiClientStatus();
          for (const event of events) {
            status = apiClientTransition(status, event);
            expect(status.is_available).to.equal(status.state === 'connected');
          }
        },
      ),
    );
  });

  it('the written-out reducers agree with connectionTransition, keep the initial fields in their order, and degraded is the last degradation said', () => {
    const apiEvent: fc.Arbitrary<ApiClientEvent> = fc.oneof(
      eventArbitrary.filter(
        (event): event is ConnectionEvent | DegradationEvent =>
          event.type !== 'lines_dropped' && event.type !== 'lines_unrecognized' && event.type !== 'resume',
      ),
      fc.nat(2_000_000_000_000).map((at) => ({ type: 'request_succeeded', at }) as const),
      fc.boolean().map((ok) => ({ type: 'health_checked', ok }) as const),
    );
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 30 }), fc.array(apiEvent, { maxLength: 30 }), (logEvents, apiEvents) => {
        let log = initialLogReaderStatus('10.0.0.2', 9001);
        const logKeys = Object.keys(log);
        let degraded = false;
        for (const event of logEvents) {
          const next = logReaderTransition(log, event);
          if (isConnectionEvent(event)) expect(next).to.deep.equal(connectionTransition(log, event));
          if (event.type === 'degradation') degraded = event.degraded;
          expect(next.degraded).to.equal(degraded);
          expect(Object.keys(next)).to.deep.equal(logKeys);
          log = next;
        }
        let api = initialApiClientStatus();
        const apiKeys = Object.keys(api);
        degraded = false;
        for (const event of apiEvents) {
          const next = apiClientTransition(api, event);
          if (isConnectionEvent(event)) {
            const generic = connectionTransition(api, event);
            expect(next).to.deep.equal({ ...generic, is_available: generic.state === 'connected' });
          }
          if (event.type === 'degradation') degraded = event.degraded;
          expect(next.degraded).to.equal(degraded);
          expect(Object.keys(next)).to.deep.equal(apiKeys);
          api = next;
        }
      }),
    );
  });
});
