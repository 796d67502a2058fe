import { expect } from 'chai';
import { take, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { connectionStatusFrames, initialLogReaderStatus, type ConnectionStates } from '../../lib/index.js';

const node1: ConnectionStates = { node1: { log_reader: initialLogReaderStatus('192.168.1.100', 9001) } };
const node2: ConnectionStates = { ...node1, node2: { log_reader: initialLogReaderStatus('192.168.1.101', 9001) } };
const frame = (states: ConnectionStates) => ({ type: 'connection_status', states });

function marbles(run: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0], scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
  scheduler.run((helpers) => run(helpers, scheduler));
}

describe('connectionStatusFrames', () => {
  it('emits a frame of the latest map every 10 s by default', () => {
    marbles(({ hot, expectObservable }, scheduler) => {
      const states$ = hot('a 14999ms b', { a: node1, b: node2 });
      expectObservable(connectionStatusFrames(states$, { scheduler }), '^ 30s !').toBe('10s x 9999ms y 9999ms y', {
        x: frame(node1),
        y: frame(node2),
      });
    });
  });

  it('emits nothing while the map is empty', () => {
    marbles(({ hot, expectObservable }, scheduler) => {
      const states$ = hot('e 15s a', { e: {}, a: node1 });
      expectObservable(connectionStatusFrames(states$, { scheduler }), '^ 30s !').toBe('20s x 9999ms x', { x: frame(node1) });
    });
  });

  it('with immediate, a new subscriber gets the current frame at once', () => {
    marbles(({ hot, expectObservable }, scheduler) => {
      const states$ = hot('a', { a: node1 });
      expectObservable(connectionStatusFrames(states$, { intervalMs: 2000, immediate: true, scheduler }), '^ 5s !').toBe('x 1999ms x 1999ms x', {
        x: frame(node1),
      });
    });
  });

  it('uses the snapshot itself as the frame states (no copy)', () => {
    marbles(({ hot }, scheduler) => {
      const states$ = hot('a', { a: node1 });
      let seen: unknown;
      connectionStatusFrames(states$, { intervalMs: 1, scheduler })
        .pipe(take(1))
        .subscribe((next) => (seen = next.states));
      scheduler.flush();
      expect(seen).to.equal(node1);
    });
  });

  it('calls a snapshot function once per frame, on the given scheduler', () => {
    const scheduler = new VirtualTimeScheduler();
    let calls = 0;
    const frames: unknown[] = [];
    const subscription = connectionStatusFrames(() => (calls++, node1), { intervalMs: 1000, scheduler }).subscribe((next) => frames.push(next));
    scheduler.maxFrames = 2000;
    scheduler.flush();
    subscription.unsubscribe();
    expect(calls).to.equal(2);
    expect(frames).to.deep.equal([frame(node1), frame(node1)]);
  });

  it('counts only own keys as nodes', () => {
    marbles(({ hot, expectObservable }, scheduler) => {
      const inherited = Object.create(node1) as ConnectionStates;
      const states$ = hot('a', { a: inherited });
      expectObservable(connectionStatusFrames(states$, { intervalMs: 1000, scheduler }), '^ 3s !').toBe('');
    });
  });

  it('rejects a bad interval with a RangeError naming intervalMs', () => {
    for (const intervalMs of [0, -5, Number.NaN]) {
      expect(() => connectionStatusFrames(hotless(), { intervalMs })).to.throw(RangeError, /^intervalMs/);
    }
  });
});

function hotless() {
  return new TestScheduler(() => undefined).createColdObservable<ConnectionStates>('');
}
