import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { lineRateRule, type DegradationEvent } from '../../lib/index.js';
import { lineRateWatch } from '../../lib/connections/line-rate-watch.js';

const connected = { type: 'connected', reconnectAttempts: 0 } as const;

describe('lineRateWatch (virtual time)', () => {
  function setup() {
    const scheduler = new VirtualTimeScheduler();
    const reported: Array<[number, DegradationEvent]> = [];
    const watch = lineRateWatch(lineRateRule(), scheduler, (event) => reported.push([scheduler.now(), event]));
    /** Runs the clock to `ms`, feeding `linesPerMinute` in every minute on the way. */
    const runTo = (ms: number, linesPerMinute: number): void => {
      while (scheduler.now() < ms) {
        watch({ type: 'lines_received', count: linesPerMinute });
        scheduler.maxFrames = scheduler.now() + 60_000;
        scheduler.flush();
      }
    };
    return { scheduler, reported, watch, runTo };
  }

  it('a rate collapsing for five minutes is degraded at the fifth quiet bucket, and back at the first normal one', () => {
    const { scheduler, reported, watch, runTo } = setup();
    watch(connected);
    runTo(30 * 60_000, 600);
    runTo(40 * 60_000, 0);
    runTo(45 * 60_000, 600);
    expect(reported).to.deep.equal([
      [35 * 60_000, { type: 'degradation', degraded: true, reason: 'line rate collapsed: 0 lines/min over the last 5 min against its usual 600' }],
      [41 * 60_000, { type: 'degradation', degraded: false, reason: null }],
    ]);
    watch({ type: 'stopped' });
    expect(scheduler.actions).to.have.length(0);
  });

  it('the connection ending stops the timer and ends a degradation; a reconnect starts fresh buckets', () => {
    const { scheduler, reported, watch, runTo } = setup();
    watch(connected);
    runTo(30 * 60_000, 300);
    runTo(36 * 60_000, 0);
    expect(reported.map(([, event]) => event.degraded)).to.deep.equal([true]);
    watch({ type: 'failed', error: 'reset', reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 });
    expect(reported.map(([, event]) => event.degraded)).to.deep.equal([true, false]);
    expect(scheduler.actions).to.have.length(0);
    watch(connected);
    watch(connected);
    expect(scheduler.actions, 'one timer per connection').to.have.length(1);
    runTo(40 * 60_000, 0);
    expect(
      reported.map(([, event]) => event.degraded),
      'four quiet buckets after the reconnect',
    ).to.deep.equal([true, false]);
    watch({ type: 'disconnected', error: null, reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 });
    expect(scheduler.actions).to.have.length(0);
  });

  it('exhausted and stopped end a degradation and the timer too; an end before any connect is nothing', () => {
    const ends = [{ type: 'exhausted', error: 'refused', reconnectAttempts: 10, retryAt: null }, { type: 'stopped' }] as const;
    for (const end of ends) {
      const { scheduler, reported, watch, runTo } = setup();
      watch(end);
      expect(reported, `${end.type} before a connect`).to.deep.equal([]);
      watch(connected);
      runTo(30 * 60_000, 300);
      runTo(36 * 60_000, 0);
      watch(end);
      expect(
        reported.map(([, event]) => event.degraded),
        end.type,
      ).to.deep.equal([true, false]);
      expect(scheduler.actions, end.type).to.have.length(0);
    }
  });
});
