import { expect } from 'chai';
import fc from 'fast-check';
import {
  judgeRequest,
  NO_REQUESTS,
  requestDegradationRule,
  RequestDegradationTracker,
  type RequestDegradationRule,
  type RequestHistory,
  type RequestSample,
} from '../../lib/index.js';
import { median } from '../../lib/state/request-degradation.js';
import { fuzzParameters } from '../support/fuzz.js';
import { scanStates } from '../support/scan-states.js';

const rule = requestDegradationRule();
const ok = (latencyMs: number): RequestSample => ({ latencyMs, ok: true });
const failed: RequestSample = { latencyMs: 10_000, ok: false };

const run = (samples: readonly RequestSample[], own: RequestDegradationRule = rule): RequestHistory[] =>
  scanStates(samples, NO_REQUESTS, (history, sample) => judgeRequest(history, sample, own));

describe('requestDegradationRule and judgeRequest', () => {
  it('has the documented defaults, derives the ceiling from the timeout, and names a bad field', () => {
    expect(requestDegradationRule()).to.deep.equal({
      windowSize: 5,
      baselineSize: 20,
      latencyFactor: 4,
      minLatencyMs: 500,
      maxLatencyMs: 5000,
      minSuccessRate: 0.8,
    });
    expect(requestDegradationRule({}, 2000).maxLatencyMs).to.equal(1000);
    expect(() => requestDegradationRule({ latencyFactor: 0 })).to.throw(RangeError, 'degradation.latencyFactor must be a number 1-1000; got 0');
    expect(() => requestDegradationRule({ windowSize: 1.5 })).to.throw(RangeError, 'degradation.windowSize must be an integer 1-1000');
    expect(() => requestDegradationRule({ minSuccessRate: Number.NaN }, 10_000, 'apiClient.degradation')).to.throw(
      RangeError,
      'apiClient.degradation.minSuccessRate',
    );
  });

  it('latency growing from ms to most of the timeout is degraded once the window median passes k x the baseline, and back once it falls', () => {
    const steady = Array.from({ length: 25 }, (_, index) => ok(20 + (index % 3)));
    const slowing = [400, 800, 2500, 4000, 6000, 8000, 9000].map(ok);
    const back = [25, 22, 21, 20, 19].map(ok);
    const histories = run([...steady, ...slowing, ...back]);
    const flags = histories.map((history) => history.degraded);
    expect(flags.slice(0, 25).every((flag) => !flag)).to.equal(true);
    // median of [21, 20, 400, 800, 2500] is 400 (below the 500 floor), of [20, 400, 800, 2500, 4000] 800: degraded at the 4th slow answer.
    expect(flags.slice(25, 32)).to.deep.equal([false, false, false, true, true, true, true]);
    expect(histories[28]?.reason).to.match(/^answers slowly: median 800 ms over the last 5 checks, 38\.1 x its usual 21 ms$/);
    // Three fast answers out of five bring the median back.
    expect(flags.slice(32)).to.deep.equal([true, true, false, false, false]);
    // Of the slow answers that left the window, only the 400 ms one (under the floor) became "usual".
    expect(histories.at(-1)?.baseline.filter((latencyMs) => latencyMs > 100)).to.deep.equal([400]);
  });

  it('without a baseline yet, only the absolute ceiling counts; below the floor nothing does', () => {
    expect(run([6000, 6000, 6000, 6000, 6000].map(ok)).at(-1)).to.include({
      degraded: true,
      reason: 'answers slowly: median 6000 ms over the last 5 checks, above 5000 ms',
    });
    expect(run([4000, 4000, 4000, 4000, 4000].map(ok)).at(-1)?.degraded).to.equal(false);
    const fast = run([...Array.from({ length: 10 }, () => ok(5)), ...Array.from({ length: 5 }, () => ok(400))]);
    expect(fast.at(-1)?.degraded, '80 x the baseline but under the 500 ms floor').to.equal(false);
  });

  it('two failures in five checks are degraded; one is not; the window judges nothing until it is full', () => {
    expect(run([ok(20), failed, ok(20), ok(20), ok(20)]).map((history) => history.degraded)).to.deep.equal([false, false, false, false, false]);
    const flaky = run([ok(20), failed, ok(20), failed]);
    expect(flaky.map((history) => history.degraded)).to.deep.equal([false, false, false, false]);
    const full = judgeRequest(flaky.at(-1) ?? NO_REQUESTS, ok(20), rule);
    expect(full).to.include({ degraded: true, reason: '2 of the last 5 checks failed' });
  });

  it('never mutates its input, keeps the window and baseline bounded, and any sequence gives a consistent verdict (property)', () => {
    const sample = fc.record({ latencyMs: fc.double({ min: 0, max: 20_000, noNaN: true }), ok: fc.boolean() });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200 }), (samples) => {
        for (const [index, history] of run(samples).entries()) {
          // The window is the latest samples, in order, with no holes.
          expect(history.window).to.deep.equal(samples.slice(Math.max(0, index + 1 - rule.windowSize), index + 1));
          expect(Object.keys(history.baseline)).to.have.length(history.baseline.length);
          expect(history.window.length).to.be.at.most(rule.windowSize);
          expect(history.baseline.length).to.be.at.most(rule.baselineSize);
          expect(history.degraded).to.equal(history.reason !== null);
          if (history.window.length < rule.windowSize) expect(history.degraded).to.equal(false);
        }
      }),
      { seed: 19, numRuns: 200 },
    );
  });

  it('names every field it rejects, under the path given', () => {
    const bad = { windowSize: 0, baselineSize: 0, latencyFactor: 0.5, minLatencyMs: -1, maxLatencyMs: -1, minSuccessRate: 2 } as const;
    for (const [field, value] of Object.entries(bad)) {
      expect(() => requestDegradationRule({ [field]: value }, 10_000, 'nodes[3].apiClient.degradation'), field).to.throw(
        RangeError,
        new RegExp(`^nodes\\[3\\]\\.apiClient\\.degradation\\.${field} must be `),
      );
    }
  });

  it('judges at the thresholds exactly: "above" is strictly above, a baseline of windowSize samples counts', () => {
    const judged = (samples: readonly RequestSample[], options: Parameters<typeof requestDegradationRule>[0] = {}): RequestHistory => {
      return run(samples, requestDegradationRule(options)).at(-1) ?? NO_REQUESTS;
    };
    const five = (latencyMs: number): RequestSample[] => Array.from({ length: 5 }, () => ok(latencyMs));
    expect(judged(five(5000)).degraded, 'at the ceiling').to.equal(false);
    expect(judged(five(5001)).degraded, 'above the ceiling').to.equal(true);
    expect(judged([...five(100), ...five(100), ...five(400)]).degraded, 'exactly 4 x the usual 100 ms').to.equal(false);
    expect(judged([...five(100), ...five(100), ...five(401)]).degraded, 'above 4 x the usual 100 ms, below the floor').to.equal(false);
    expect(judged([...five(150), ...five(150), ...five(600)]).degraded, 'exactly 4 x the usual 150 ms').to.equal(false);
    expect(judged([...five(150), ...five(150), ...five(601)]).degraded, 'above 4 x the usual 150 ms').to.equal(true);
    expect(judged([...five(100), ...five(100), ...five(500)], { latencyFactor: 1 }).degraded, 'at the 500 ms floor').to.equal(false);
    expect(judged([...five(100), ...five(100), ...five(501)], { latencyFactor: 1 }).degraded, 'above the 500 ms floor').to.equal(true);
    // A baseline capped at windowSize samples is full enough to judge against.
    expect(judged([...five(100), ...five(100), ...five(1000)], { baselineSize: 5 })).to.include({
      degraded: true,
      reason: 'answers slowly: median 1000 ms over the last 5 checks, 10.0 x its usual 100 ms',
    });
    expect(judged([...five(100), ...five(100), ...five(1000)], { baselineSize: 4 }).degraded, 'a baseline smaller than the window').to.equal(false);
  });

  it('slow when the median of the answered checks is: half of them above the floor can be enough, fewer never is', () => {
    const lenient = requestDegradationRule({ windowSize: 4, minSuccessRate: 0 });
    // 100, 100, 10000, 10000: two of four above the floor, and a median of 5050 ms, above the 5000 ms ceiling.
    expect(run([ok(100), ok(10_000), ok(100), ok(10_000)], lenient).at(-1)).to.include({
      degraded: true,
      reason: 'answers slowly: median 5050 ms over the last 4 checks, above 5000 ms',
    });
    // One of four above it: the median is 100 ms, however slow that one.
    expect(run([ok(100), ok(100), ok(1e9), ok(100)], lenient).at(-1)).to.include({ degraded: false, reason: null });
    // Of the answered ones: two of three above the floor, one failed.
    expect(run([ok(6000), failed, ok(100), ok(6000)], lenient).at(-1)).to.include({
      degraded: true,
      reason: 'answers slowly: median 6000 ms over the last 4 checks, above 5000 ms',
    });
    expect(run([ok(6000), failed, ok(100), ok(100)], lenient).at(-1)).to.include({ degraded: false, reason: null });
  });

  it('slow by the ceiling alone says so even with a baseline; the median is of the successful checks only', () => {
    const five = (latencyMs: number): RequestSample[] => Array.from({ length: 5 }, () => ok(latencyMs));
    expect(run([...five(1500), ...five(1500), ...five(6000)]).at(-1)?.reason, 'exactly 4 x the usual 1500 ms').to.equal(
      'answers slowly: median 6000 ms over the last 5 checks, above 5000 ms',
    );
    const lenient = requestDegradationRule({ minSuccessRate: 0 });
    const mostlyFailed = run([ok(100), ok(100), failed, failed, failed], lenient).at(-1);
    expect(mostlyFailed).to.include({ degraded: false, reason: null });
  });

  it('a usual latency under 1 ms is shown as such, the factor counted against 1 ms', () => {
    const zero = Array.from({ length: 10 }, () => ok(0));
    const slow = Array.from({ length: 5 }, () => ok(600));
    expect(run([...zero, ...slow]).at(-1)?.reason).to.equal('answers slowly: median 600 ms over the last 5 checks, 600.0 x its usual 0 ms');
  });

  it('only successful samples that were not slow join the baseline, the latest baselineSize of them', () => {
    const own = requestDegradationRule({ baselineSize: 3, minLatencyMs: 0, maxLatencyMs: 1000 });
    const samples = [ok(10), failed, ok(2000), ok(11), ok(12), ok(13), ok(14), ok(15), ok(16), ok(17), ok(18)];
    const history = run(samples, own).at(-1) ?? NO_REQUESTS;
    expect(history.window.map((sample) => sample.latencyMs)).to.deep.equal([14, 15, 16, 17, 18]);
    expect(history.baseline).to.deep.equal([11, 12, 13]);
    expect(NO_REQUESTS).to.deep.equal({ window: [], baseline: [], degraded: false, reason: null });
  });

  it('median: odd, even, empty', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.equal(null);
  });
});

describe('RequestDegradationTracker', () => {
  it("gives judgeRequest's verdict after every request, whatever the rule and the requests, and says when it changed (property; judgeRequest is the oracle)", () => {
    const options = fc.record({
      windowSize: fc.integer({ min: 1, max: 7 }),
      baselineSize: fc.integer({ min: 1, max: 12 }),
      latencyFactor: fc.double({ min: 1, max: 6, noNaN: true }),
      minLatencyMs: fc.integer({ min: 0, max: 600 }),
      maxLatencyMs: fc.integer({ min: 100, max: 6000 }),
      minSuccessRate: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    // Fast, around the floor, around the ceiling, and what no clock should give: every branch of the rule is reached.
    const latency = fc.oneof(
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 400, max: 700 }),
      fc.double({ min: 4000, max: 8000, noNaN: true }),
      fc.constantFrom(Number.NaN, -0, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    const sample = fc.record({ latencyMs: latency, ok: fc.integer({ min: 0, max: 4 }).map((draw) => draw !== 0) });
    fc.assert(
      fc.property(options, fc.array(sample, { maxLength: 120 }), (given, samples) => {
        const own = requestDegradationRule(given);
        const tracker = new RequestDegradationTracker(own);
        let expected = NO_REQUESTS;
        for (const next of samples) {
          const before = expected.degraded;
          expected = judgeRequest(expected, next, own);
          const changed = tracker.judge(next.latencyMs, next.ok);
          expect({ degraded: tracker.degraded, reason: tracker.reason }).to.deep.equal({ degraded: expected.degraded, reason: expected.reason });
          expect(changed).to.equal(expected.degraded !== before);
        }
      }),
      fuzzParameters(400),
    );
  });

  it('turns degraded on a slowdown and back, with the reason judgeRequest gives', () => {
    const tracker = new RequestDegradationTracker(rule);
    const changes: (string | null)[] = [];
    const latencies = [...Array.from({ length: 25 }, () => 20), 900, 900, 900, 20, 20, 20];
    for (const latencyMs of latencies) if (tracker.judge(latencyMs, true)) changes.push(tracker.reason);
    expect(changes).to.deep.equal(['answers slowly: median 900 ms over the last 5 checks, 45.0 x its usual 20 ms', null]);
    expect(tracker.degraded).to.equal(false);
  });

  it('checks its rule as requestDegradationRule does, naming the field', () => {
    expect(() => new RequestDegradationTracker({ ...rule, windowSize: 0 })).to.throw(RangeError, 'degradation.windowSize must be an integer 1-1000');
    expect(() => new RequestDegradationTracker({ ...rule, windowSize: 2.5 })).to.throw(RangeError, 'degradation.windowSize');
  });

  it('counts a latency below 0 or not a number as 0 ms, as judgeRequest does', () => {
    const own = requestDegradationRule({ windowSize: 3, maxLatencyMs: 650 });
    const tracker = new RequestDegradationTracker(own);
    let history = NO_REQUESTS;
    for (const latencyMs of [20, 600, Number.NaN, 700, -5, 700, 700]) {
      tracker.judge(latencyMs, true);
      history = judgeRequest(history, { latencyMs, ok: true }, own);
      expect(tracker.reason).to.equal(history.reason);
    }
    expect(history.window.map((sample) => sample.latencyMs)).to.deep.equal([0, 700, 700]);
    expect(tracker.reason).to.equal('answers slowly: median 700 ms over the last 3 checks, 35.0 x its usual 20 ms');
  });
});
