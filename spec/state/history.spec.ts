import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { concat, map, of, timer, VirtualTimeScheduler } from 'rxjs';
import {
  ConnectionHistory,
  ConnectionMetricsCollector,
  ConnectionRegistry,
  initialApiClientStatus,
  initialLogReaderStatus,
  type HistoryMap,
  type HistoryOptions,
} from '../../lib/index.js';
import { summaryOf } from '../../lib/state/segment-timeline.js';
import { tempDirectory } from '../support/log-writer.js';

const HOUR = 3_600_000;
const failed = (error: string) => ({ type: 'failed', error, reconnectAttempts: 1, retryInMs: 1000, retryAt: 0 }) as const;
const connected = { type: 'connected', reconnectAttempts: 0 } as const;

/** A registry and a history on a virtual clock; `at(ms, work)` runs work at that time. */
function setup(options: { historyWindowMs?: number; historyMaxSegments?: number } = {}) {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  const registry = new ConnectionRegistry({ scheduler });
  const log = registry.track('node1', 'log_reader', initialLogReaderStatus('h', 1));
  const api = registry.track('node1', 'api_client', initialApiClientStatus());
  const history = new ConnectionHistory(registry, { scheduler, ...options });
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
  const runUntil = (ms: number): void => {
    scheduler.schedule(() => undefined, ms);
    scheduler.flush();
  };
  return { scheduler, registry, log, api, history, at, runUntil };
}

const shape = (history: HistoryMap, node: string, component: 'log_reader' | 'api_client') =>
  history[node]?.[component]?.map(({ state, from, to, last_error }) => ({ state, from, to, last_error }));

describe('ConnectionHistory (virtual time)', () => {
  it('records each state change of each connection as a segment, the current one open', () => {
    const { log, api, history, at, runUntil } = setup();
    at(1000, () => log({ type: 'connecting' }));
    at(1200, () => log(connected));
    at(1500, () => log({ type: 'lines_received', count: 10 }));
    at(30_000, () => log(failed('Connection reset by peer')));
    at(32_000, () => log({ type: 'connecting' }));
    at(32_100, () => log(connected));
    at(2000, () => api({ type: 'connecting' }));
    at(2500, () => api({ type: 'health_checked', ok: true }));
    at(2500, () => api(connected));
    runUntil(60_000);
    const now = history.snapshot();
    expect(shape(now, 'node1', 'log_reader')).to.deep.equal([
      { state: 'disconnected', from: 0, to: 1000, last_error: null },
      { state: 'connecting', from: 1000, to: 1200, last_error: null },
      { state: 'connected', from: 1200, to: 30_000, last_error: null },
      { state: 'error', from: 30_000, to: 32_000, last_error: 'Connection reset by peer' },
      { state: 'connecting', from: 32_000, to: 32_100, last_error: 'Connection reset by peer' },
      { state: 'connected', from: 32_100, to: null, last_error: null },
    ]);
    expect(now.node1?.log_reader?.at(-1)?.reconnected_after_ms).to.equal(2100);
    expect(shape(now, 'node1', 'api_client')?.map((segment) => segment.state)).to.deep.equal(['disconnected', 'connecting', 'connected']);
  });

  it('keeps the window: segments that ended before it are gone, the one across its start stays', () => {
    const { log, history, at, runUntil } = setup({ historyWindowMs: HOUR });
    at(0, () => log(connected));
    at(10 * 60_000, () => log(failed('x')));
    at(11 * 60_000, () => log(connected));
    runUntil(HOUR + 30 * 60_000);
    expect(shape(history.snapshot(), 'node1', 'log_reader')).to.deep.equal([{ state: 'connected', from: 11 * 60_000, to: null, last_error: null }]);
  });

  /** The times `history$` emits at until `untilMs`, with `intervalMs` (and the scheduler it runs on). */
  const emissions = (untilMs: number, intervalMs?: (scheduler: VirtualTimeScheduler) => HistoryOptions['intervalMs']): number[] => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    registry.track('n', 'log_reader', initialLogReaderStatus('h', 1));
    const history = new ConnectionHistory(registry, { scheduler, ...(intervalMs && { intervalMs: intervalMs(scheduler) }) });
    const times: number[] = [];
    // Asserted after the flush: RxJS throws what a subscriber throws later, from a timer of its own, not out of flush().
    const segments: Array<number | undefined> = [];
    const subscription = history.history$.subscribe((all) => {
      segments.push(all.n?.log_reader?.length);
      times.push(scheduler.now());
    });
    scheduler.schedule(() => subscription.unsubscribe(), untilMs);
    scheduler.flush();
    history.stop();
    expect(segments).to.deep.equal(times.map(() => 1));
    return times;
  };

  it('history$ emits at once and every interval (10 s unless told)', () => {
    expect(emissions(25_000, () => 4000)).to.deep.equal([0, 4000, 8000, 12_000, 16_000, 20_000, 24_000]);
    expect(emissions(25_000)).to.deep.equal([0, 10_000, 20_000]);
  });

  it('history$ follows an Observable interval: each new value applies from then on', () => {
    const intervals = (scheduler: VirtualTimeScheduler) => concat(of(10_000), timer(25_000, scheduler).pipe(map(() => 3000)));
    expect(emissions(32_000, intervals)).to.deep.equal([0, 10_000, 20_000, 25_000, 28_000, 31_000]);
  });

  it('stop() stops following the registry', () => {
    const { registry, log, history, at, runUntil } = setup();
    at(1000, () => log(connected));
    at(2000, () => history.stop());
    at(3000, () => log(failed('x')));
    at(4000, () => registry.remove('node1', 'api_client'));
    runUntil(5000);
    expect(shape(history.snapshot(), 'node1', 'log_reader')?.map(({ state }) => state)).to.deep.equal(['disconnected', 'connected']);
    expect(history.snapshot().node1).to.have.property('api_client');
  });

  it('agrees with the metrics on uptime and reconnections under heavy flapping, within its bound', () => {
    const { scheduler, registry, log, history, at, runUntil } = setup({ historyMaxSegments: 64 });
    const metrics = new ConnectionMetricsCollector(registry, { scheduler, windowMs: 24 * HOUR });
    for (let flap = 0, time = 0; time < 20 * HOUR; flap++) {
      at(time, () => log(connected));
      time += 5000 + (flap % 11) * 1000;
      at(time, () => log(failed('reset')));
      time += 1000 + (flap % 3) * 500;
    }
    runUntil(20 * HOUR);
    const segments = history.snapshot().node1?.log_reader ?? [];
    expect(segments.length).to.be.at.most(64);
    const sum = segments.reduce(
      (total, segment) => {
        const own = summaryOf(segment, scheduler.now());
        return {
          tracked: total.tracked + own.tracked_ms,
          connected: total.connected + own.connected_ms,
          reconnections: total.reconnections + own.reconnections,
        };
      },
      { tracked: 0, connected: 0, reconnections: 0 },
    );
    const figures = metrics.snapshot().node1?.log_reader;
    expect(sum.tracked).to.equal(20 * HOUR);
    expect(sum.connected / sum.tracked).to.be.closeTo(figures?.uptime_ratio_window ?? -1, 1e-12);
    expect(sum.reconnections).to.equal(figures?.reconnections);
  });

  it('forgets a removed node’s history; a node added later starts when tracked', () => {
    const { registry, log, history, at, runUntil } = setup({ historyWindowMs: HOUR });
    let node2: ((event: { type: 'connecting' }) => unknown) | undefined;
    at(0, () => log(connected));
    at(1000, () => log({ type: 'stopped' }));
    at(2000, () => registry.remove('node1'));
    at(4000, () => void (node2 = registry.track('node2', 'log_reader', initialLogReaderStatus('h', 2))));
    at(5000, () => node2?.({ type: 'connecting' }));
    runUntil(10_000);
    const now = history.snapshot();
    expect(now).to.not.have.property('node1');
    expect(Object.keys(now)).to.deep.equal(['node2']);
    expect(shape(now, 'node2', 'log_reader')).to.deep.equal([
      { state: 'disconnected', from: 4000, to: 5000, last_error: null },
      { state: 'connecting', from: 5000, to: null, last_error: null },
    ]);
  });

  it('forgets one removed component and keeps the other', () => {
    const { registry, log, api, history, at, runUntil } = setup();
    at(1000, () => log(connected));
    at(1000, () => api(connected));
    at(2000, () => registry.remove('node1', 'log_reader'));
    runUntil(3000);
    const now = history.snapshot();
    expect(Object.keys(now.node1 ?? {})).to.deep.equal(['api_client']);
    expect(shape(now, 'node1', 'api_client')?.map(({ state }) => state)).to.deep.equal(['disconnected', 'connected']);
  });

  it('keeps any node name as an own key (__proto__, constructor)', () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = new ConnectionRegistry({ scheduler });
    const history = new ConnectionHistory(registry, { scheduler });
    registry.track('__proto__', 'log_reader', initialLogReaderStatus('h', 1))({ type: 'connecting' });
    registry.track('constructor', 'api_client', initialApiClientStatus())({ type: 'connecting' });
    const now = history.snapshot();
    expect(Object.keys(now)).to.deep.equal(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(now))).to.have.own.property('__proto__');
    expect(Object.getPrototypeOf(now)).to.equal(Object.prototype);
  });

  it('refuses bad options with a RangeError naming them', () => {
    const registry = new ConnectionRegistry();
    expect(() => new ConnectionHistory(registry, { historyWindowMs: 1000 })).to.throw(RangeError, /^historyWindowMs must be an integer >= 60000; got 1000/);
    expect(() => new ConnectionHistory(registry, { historyMaxSegments: 4 })).to.throw(RangeError, /^historyMaxSegments must be an integer >= 16/);
    expect(() => new ConnectionHistory(registry, { historyFile: '' })).to.throw(RangeError, /^historyFile must be a non-empty string/);
    // A folder of this test's own: a shared fixed path could exist already (another run's).
    const folder = tempDirectory();
    const file = join(folder.path, 'never-written.jsonl');
    try {
      expect(() => new ConnectionHistory(registry, { historyFile: file, historyFlushMs: 0 })).to.throw(
        RangeError,
        /^historyFlushMs must be an integer >= 1; got 0/,
      );
      expect(existsSync(file)).to.equal(false);
    } finally {
      folder.remove();
    }
  });
});
