import { expect } from 'chai';
import { Observable, Subject, take, takeUntil, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  API_CLIENT_BACKOFF,
  CONNECTED,
  LOG_READER_BACKOFF,
  ReconnectAttemptsExhaustedError,
  retryWithState,
  type ConnectionEvent,
  type RetryWithStateOptions,
} from '../../lib/index.js';

type Recorded = [at: number, type: ConnectionEvent['type'], attempts?: number];

/** Runs `source$` through retryWithState in virtual time, recording every event with its time. */
function record(
  build: (helpers: { cold: TestScheduler['createColdObservable']; scheduler: TestScheduler }) => {
    source$: Observable<string | typeof CONNECTED>;
    options?: RetryWithStateOptions;
    untilMs: number;
  },
): { events: Recorded[]; raw: ConnectionEvent[]; values: string[]; error: unknown } {
  const events: Recorded[] = [];
  const raw: ConnectionEvent[] = [];
  const values: string[] = [];
  let error: unknown;
  const scheduler = new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
  scheduler.run(({ cold }) => {
    const { source$, options, untilMs } = build({ cold, scheduler });
    source$
      .pipe(
        retryWithState<string>({
          ...options,
          scheduler,
          onEvent: (event) => {
            raw.push(event);
            const attempts = 'reconnectAttempts' in event ? event.reconnectAttempts : undefined;
            events.push(attempts === undefined ? [scheduler.now(), event.type] : [scheduler.now(), event.type, attempts]);
          },
        }),
        takeUntil(timer(untilMs, scheduler)),
      )
      .subscribe({ next: (value) => values.push(value), error: (caught: unknown) => (error = caught) });
  });
  return { events, raw, values, error };
}

const refused = new Error('connect ECONNREFUSED 127.0.0.1:9001');
const connectedValues = { c: CONNECTED, a: 'a', b: 'b' } as const;

describe('retryWithState', () => {
  it('reports connecting, connected, passes values, and stopped on unsubscribe', () => {
    const { events, values } = record(({ cold }) => ({
      source$: cold('-c-a-b', connectedValues),
      untilMs: 10,
    }));
    expect(values).to.deep.equal(['a', 'b']);
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [1, 'connected', 0],
      [10, 'stopped'],
    ]);
  });

  it("connectedOn: 'value': each attempt's first value is connected, once per attempt; a CONNECTED signal still counts", () => {
    const { events, values } = record(({ cold }) => ({
      source$: cold('--a-b-#', connectedValues, refused),
      options: { connectedOn: 'value', backoff: { initialMs: 10, factor: 1 } },
      untilMs: 30,
    }));
    expect(values).to.deep.equal(['a', 'b', 'a', 'b']);
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [2, 'connected', 0],
      [6, 'failed', 1],
      [16, 'connecting'],
      [18, 'connected', 0],
      [22, 'failed', 1],
      [30, 'stopped'],
    ]);
    const signalled = record(({ cold }) => ({ source$: cold('-c-a', connectedValues), options: { connectedOn: 'value' }, untilMs: 5 }));
    expect(signalled.events).to.deep.equal([
      [0, 'connecting'],
      [1, 'connected', 0],
      [5, 'stopped'],
    ]);
  });

  it('without connectedOn, values alone never mean connected', () => {
    const { events, values } = record(({ cold }) => ({ source$: cold('-a-b', connectedValues), untilMs: 5 }));
    expect(values).to.deep.equal(['a', 'b']);
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [5, 'stopped'],
    ]);
  });

  it('a peer close is disconnected -> connecting -> connected, with the backoff between', () => {
    const { events, values } = record(({ cold }) => ({
      source$: cold('-c-a|', connectedValues),
      options: { backoff: LOG_READER_BACKOFF },
      untilMs: 2008,
    }));
    expect(values).to.deep.equal(['a', 'a']);
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [1, 'connected', 0],
      [4, 'disconnected', 1],
      [2004, 'connecting'],
      [2005, 'connected', 0],
      [2008, 'stopped'],
    ]);
  });

  it('follows the full log reader schedule 2 -> 60 s forever, reporting each failure', () => {
    const { raw } = record(({ cold }) => ({
      source$: cold<string>('#', {}, refused),
      options: { backoff: LOG_READER_BACKOFF },
      untilMs: 10 * 60_000,
    }));
    const failures = raw.filter((event) => event.type === 'failed');
    expect(failures.map((event) => event.retryInMs / 1000).slice(0, 10)).to.deep.equal([2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    expect(failures.map((event) => event.reconnectAttempts).slice(0, 4)).to.deep.equal([1, 2, 3, 4]);
    expect(failures.every((event) => event.error === refused.message)).to.equal(true);
    // 2+4+8+16+32 = 62 s, then one attempt a minute: 1 + 5 + floor((600 - 62) / 60) attempts in 10 min.
    expect(raw.filter((event) => event.type === 'connecting')).to.have.length(1 + 5 + 8);
  });

  it('follows the API schedule, gives up after maxReconnectAttempts, and says so', () => {
    const { raw, error } = record(({ cold }) => ({
      source$: cold<string>('#', {}, refused),
      options: { backoff: API_CLIENT_BACKOFF, maxReconnectAttempts: 10 },
      untilMs: 3_600_000,
    }));
    const failures = raw.filter((event) => event.type === 'failed');
    expect(failures.map((event) => event.retryInMs / 1000)).to.deep.equal([2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    expect(raw.at(-1)).to.deep.equal({ type: 'exhausted', error: refused.message, reconnectAttempts: 10, retryAt: null });
    expect(raw.filter((event) => event.type === 'connecting')).to.have.length(11);
    expect(error).to.be.instanceOf(ReconnectAttemptsExhaustedError);
    expect((error as Error).message).to.equal(`Gave up after 10 reconnect attempts: ${refused.message}`);
    expect(error).to.include({ name: 'ReconnectAttemptsExhaustedError', attempts: 10, lastError: refused.message });
  });

  it('with cycleRestartMs, waits one cycle after exhaustion and starts over with a fresh counter', () => {
    const { events } = record(({ cold }) => ({
      source$: cold<string>('#', {}, refused),
      options: { backoff: { initialMs: 1000, factor: 1, maxMs: 1000 }, maxReconnectAttempts: 2, cycleRestartMs: 30_000 },
      untilMs: 33_000,
    }));
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [0, 'failed', 1],
      [1000, 'connecting'],
      [1000, 'failed', 2],
      [2000, 'connecting'],
      [2000, 'exhausted', 2],
      [32_000, 'connecting'],
      [32_000, 'failed', 1],
      [33_000, 'stopped'],
    ]);
  });

  it('each retryAt is the scheduler time the retry is due: now + the backoff, or + the cycle restart', () => {
    const { raw } = record(({ cold }) => ({
      source$: cold<string>('-#', {}, refused),
      options: { backoff: { initialMs: 1000, factor: 1, maxMs: 1000 }, maxReconnectAttempts: 1, cycleRestartMs: 30_000 },
      untilMs: 5000,
    }));
    expect(raw.filter((event) => event.type === 'failed' || event.type === 'exhausted').slice(0, 2)).to.deep.equal([
      { type: 'failed', error: refused.message, reconnectAttempts: 1, retryInMs: 1000, retryAt: 1001 },
      { type: 'exhausted', error: refused.message, reconnectAttempts: 1, retryAt: 1002 + 30_000 },
    ]);
  });

  it('a peer that keeps closing exhausts the attempts with "connection closed by peer"', () => {
    const { raw, error } = record(({ cold }) => ({
      source$: cold('c|', connectedValues),
      options: { backoff: { initialMs: 1000, factor: 1, maxMs: 1000 }, maxReconnectAttempts: 1, resetAfterStableMs: 60_000 },
      untilMs: 5000,
    }));
    expect(raw.at(-1)).to.deep.equal({ type: 'exhausted', error: 'connection closed by peer', reconnectAttempts: 1, retryAt: null });
    expect((error as Error).message).to.equal('Gave up after 1 reconnect attempts: connection closed by peer');
  });

  it('reconnect$ ends a wait at once and starts a fresh cycle', () => {
    const { events } = record(({ cold, scheduler }) => {
      const reconnect$ = new Subject<void>();
      scheduler.schedule(() => reconnect$.next(), 5000);
      return {
        source$: cold<string>('#', {}, refused),
        options: { backoff: API_CLIENT_BACKOFF, maxReconnectAttempts: 2, cycleRestartMs: 30_000, reconnect$ },
        untilMs: 5001,
      };
    });
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [0, 'failed', 1],
      [2000, 'connecting'],
      [2000, 'failed', 2],
      [6000 - 1000, 'connecting'],
      [5000, 'failed', 1],
      [5001, 'stopped'],
    ]);
  });

  it('resets the counter on connect by default, so a flapping peer is retried after 2 s each time', () => {
    const { raw } = record(({ cold }) => ({
      source$: cold('c|', connectedValues),
      options: { backoff: LOG_READER_BACKOFF },
      untilMs: 20_000,
    }));
    const delays = raw.flatMap((event) => (event.type === 'disconnected' ? [event.retryInMs] : []));
    expect(new Set(delays)).to.deep.equal(new Set([2000]));
  });

  it('with resetAfterStableMs, backs off a peer that accepts and drops at once', () => {
    const { raw } = record(({ cold }) => ({
      source$: cold('c|', connectedValues),
      options: { backoff: LOG_READER_BACKOFF, resetAfterStableMs: 30_000 },
      untilMs: 200_000,
    }));
    const delays = raw.flatMap((event) => (event.type === 'disconnected' ? [event.retryInMs / 1000] : []));
    expect(delays.slice(0, 7)).to.deep.equal([2, 4, 8, 16, 32, 60, 60]);
    expect(raw.some((event) => event.type === 'stable')).to.equal(false);
  });

  it('with resetAfterStableMs, resets the counter once a connection stays up that long', () => {
    const { events } = record(({ cold }) => {
      let subscriptions = 0;
      const stableThird = cold('c 40s |', connectedValues);
      const flapping = cold('(c|)', connectedValues);
      return {
        source$: new Observable<string | typeof CONNECTED>((subscriber) => (++subscriptions === 3 ? stableThird : flapping).subscribe(subscriber)),
        options: { backoff: LOG_READER_BACKOFF, resetAfterStableMs: 30_000 },
        untilMs: 48_002,
      };
    });
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [0, 'connected', 0],
      [0, 'disconnected', 1],
      [2000, 'connecting'],
      [2000, 'connected', 1],
      [2000, 'disconnected', 2],
      [6000, 'connecting'],
      [6000, 'connected', 2],
      [36_000, 'stable'],
      [46_001, 'disconnected', 1],
      [48_001, 'connecting'],
      [48_001, 'connected', 1],
      [48_001, 'disconnected', 2],
      [48_002, 'stopped'],
    ]);
  });

  it('unsubscribing during a backoff wait reports stopped and never reconnects', () => {
    const { events } = record(({ cold }) => ({
      source$: cold<string>('#', {}, refused),
      options: { backoff: LOG_READER_BACKOFF },
      untilMs: 1000,
    }));
    expect(events).to.deep.equal([
      [0, 'connecting'],
      [0, 'failed', 1],
      [1000, 'stopped'],
    ]);
  });

  for (const [failsFirst, then] of [
    [false, 'stays open'],
    [false, 'closes'],
    [false, 'fails'],
    [true, 'stays open'],
    [true, 'closes'],
    [true, 'fails'],
  ] as const) {
    const which = `${failsFirst ? 'a retry' : 'the first'} attempt, which then ${then}`;
    it(`a consumer that has enough of the synchronous values of ${which}, leaves it at once: nothing is kept open, scheduled or reported after stopped`, () => {
      const scheduler = new TestScheduler((actual, expected) => {
        expect(actual).to.deep.equal(expected);
      });
      const log: string[] = [];
      let attempts = 0;
      scheduler.run(() => {
        const source$ = new Observable<string | typeof CONNECTED>((subscriber) => {
          const attempt = ++attempts;
          log.push(`subscribed ${attempt}`);
          if (failsFirst && attempt === 1) subscriber.error(refused);
          else {
            subscriber.next(CONNECTED);
            subscriber.next('a');
            subscriber.next('b');
            if (then === 'closes') subscriber.complete();
            if (then === 'fails') subscriber.error(refused);
          }
          return () => log.push(`unsubscribed ${attempt}`);
        });
        source$
          .pipe(retryWithState<string>({ backoff: LOG_READER_BACKOFF, scheduler, onEvent: (event) => log.push(event.type) }), take(1))
          .subscribe((value) => log.push(`value ${value}`));
      });
      const last = failsFirst ? 2 : 1;
      expect(log.slice(0, -2)).to.deep.equal([
        ...(failsFirst ? ['connecting', 'subscribed 1', 'failed', 'unsubscribed 1'] : []),
        'connecting',
        `subscribed ${last}`,
        'connected',
        'value a',
      ]);
      expect(log.slice(-2), 'in either order').to.have.members(['stopped', `unsubscribed ${last}`]);
      expect(attempts, 'no attempt after the consumer left').to.equal(last);
    });
  }

  it('marble: resubscribes exactly after each backoff delay', () => {
    new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    }).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<string | typeof CONNECTED>('c-a-#', { c: CONNECTED, a: 'a' }, refused);
      // resetAfterStableMs keeps the counter across these short connections: delays 2, 4, 4 ms.
      const result = source.pipe(retryWithState<string>({ backoff: { initialMs: 2, maxMs: 4 }, resetAfterStableMs: 100 }));
      expectObservable(result, '^ 24ms !').toBe('--a-----a-------a-------a', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe(['^---!', '------^---!', '--------------^---!', '----------------------^--!']);
    });
  });

  it('marble: a source that completes (the peer closed) is left at once and resubscribed after each backoff delay', () => {
    const events: string[] = [];
    new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    }).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<string | typeof CONNECTED>('c-a|', { c: CONNECTED, a: 'a' });
      const result = source.pipe(
        retryWithState<string>({ backoff: { initialMs: 2, maxMs: 4 }, resetAfterStableMs: 100, onEvent: (event) => events.push(event.type) }),
      );
      // Closed at 3, 8, 15 and 22; back 2, 4 and 4 ms later.
      expectObservable(result, '^ 24ms !').toBe('--a----a------a------a', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe(['^--!', '-----^--!', '------------^--!', '-------------------^--!']);
    });
    expect(events.filter((type) => type === 'disconnected')).to.have.length(4);
    expect(events).to.not.include('failed');
  });

  it('rejects invalid options with a RangeError naming the option', () => {
    expect(() => retryWithState({ maxReconnectAttempts: -1 })).to.throw(RangeError, /maxReconnectAttempts/);
    expect(() => retryWithState({ resetAfterStableMs: 1.5 })).to.throw(RangeError, /resetAfterStableMs/);
    expect(() => retryWithState({ cycleRestartMs: Number.NaN })).to.throw(RangeError, /cycleRestartMs/);
    expect(() => retryWithState({ connectedOn: 'first' as 'value' })).to.throw(RangeError, /^connectedOn must be 'signal' or 'value'; got first/);
    expect(() => retryWithState({ backoff: { factor: 0 } })).to.throw(RangeError, /factor/);
  });
});
