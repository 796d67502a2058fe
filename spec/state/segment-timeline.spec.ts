import { expect } from 'chai';
import fc from 'fast-check';
import type { ConnectionState } from '../../lib/index.js';
import { mergeSegments, SegmentTimeline, summaryOf, thinSegments, type HistorySegment } from '../../lib/state/segment-timeline.js';

const STATES: readonly ConnectionState[] = ['disconnected', 'connecting', 'connected', 'error', 'stopped'];

/** What must survive thinning: the figures the dashboard reads. */
function totals(segments: readonly HistorySegment[]) {
  const sum = { tracked_ms: 0, connected_ms: 0, reconnections: 0, reconnection_ms: 0, segments: 0 };
  for (const segment of segments) {
    const own = summaryOf(segment);
    sum.tracked_ms += own.tracked_ms;
    sum.connected_ms += own.connected_ms;
    sum.reconnections += own.reconnections;
    sum.reconnection_ms += own.reconnection_ms;
    sum.segments += own.segments;
  }
  return sum;
}

/** Closed, contiguous (or gapped) segments in time order, from generated durations and states. */
const segmentRuns = fc
  .array(
    fc.record({
      state: fc.constantFrom(...STATES),
      durationMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3_600_000 })),
      gapMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 600_000 })),
      reconnectedAfterMs: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 400 },
  )
  .map((parts) => {
    let at = 1_700_000_000_000;
    return parts.map(({ state, durationMs, gapMs, reconnectedAfterMs }): HistorySegment => {
      at += gapMs;
      const segment: HistorySegment = {
        state,
        from: at,
        to: at + durationMs,
        last_error: state === 'error' ? `e${at}` : null,
        ...(state === 'connected' && reconnectedAfterMs !== undefined && { reconnected_after_ms: reconnectedAfterMs }),
      };
      at += durationMs;
      return segment;
    });
  });

describe('thinSegments', () => {
  it('fits any run into the limit, keeps order, edges and every figure (property)', () => {
    fc.assert(
      fc.property(segmentRuns, fc.integer({ min: 2, max: 64 }), (segments, limit) => {
        const thinned = thinSegments(segments, limit);
        expect(thinned.length).to.be.at.most(Math.max(limit, segments.length <= limit ? segments.length : 2));
        expect(thinned[0]?.from).to.equal(segments[0]?.from);
        expect(thinned.at(-1)?.to).to.equal(segments.at(-1)?.to);
        for (let index = 1; index < thinned.length; index++) {
          expect(thinned[index]!.from).to.be.at.least(thinned[index - 1]!.to!);
        }
        expect(totals(thinned)).to.deep.equal(totals(segments));
      }),
      { seed: 20, numRuns: 300 },
    );
  });

  it('leaves a run that fits as it is, and keeps segments as long as the bucket whole', () => {
    const long: HistorySegment = { state: 'error', from: 0, to: 7_200_000, last_error: 'refused' };
    const blips: HistorySegment[] = Array.from({ length: 30 }, (_, index) => ({
      state: index % 2 === 0 ? 'connected' : 'error',
      from: 7_200_000 + index * 1000,
      to: 7_200_000 + (index + 1) * 1000,
      last_error: index % 2 === 0 ? null : `e${index}`,
    }));
    expect(thinSegments([long, ...blips.slice(0, 3)], 4)).to.deep.equal([long, ...blips.slice(0, 3)]);
    const thinned = thinSegments([long, ...blips], 4);
    expect(thinned[0]).to.equal(long);
    expect(thinned).to.have.length(2);
    expect(thinned[1]).to.deep.include({ from: 7_200_000, to: 7_230_000, last_error: 'e29' });
    expect(thinned[1]?.merged).to.deep.equal({ segments: 30, tracked_ms: 30_000, connected_ms: 15_000, reconnections: 0, reconnection_ms: 0 });
  });

  it('stops at the first width that fits, keeps a segment of exactly one width whole, and a lone short segment as it is', () => {
    const blip = (from: number, state: ConnectionState = 'connected'): HistorySegment => ({ state, from, to: from + 1000, last_error: null });
    const threeMinutes = [0, 1000, 60_000, 61_000, 120_000, 121_000].map((from) => blip(from));
    expect(thinSegments(threeMinutes, 3).map(({ from, to }) => [from, to])).to.deep.equal([
      [0, 2000],
      [60_000, 62_000],
      [120_000, 122_000],
    ]);
    const minute: HistorySegment = { state: 'error', from: 10_000, to: 70_000, last_error: 'refused' };
    const lone = blip(200_000);
    const run = [blip(0), blip(1000, 'error'), minute, blip(70_000), blip(71_000, 'error'), lone];
    const thinned = thinSegments(run, 5);
    expect(thinned).to.have.length(4);
    expect(thinned[1], 'exactly one width long').to.equal(minute);
    expect(thinned[3], 'alone in its bucket').to.equal(lone);
  });

  it('is stable: thinning a thinned run again changes nothing', () => {
    fc.assert(
      fc.property(segmentRuns, fc.integer({ min: 2, max: 64 }), (segments, limit) => {
        const once = thinSegments(segments, limit);
        expect(thinSegments(once, limit)).to.deep.equal(once);
      }),
      { seed: 21, numRuns: 200 },
    );
  });
});

describe('mergeSegments', () => {
  it('takes the state most time was spent in, the latest error and the sum of the parts', () => {
    const merged = mergeSegments([
      { state: 'connected', from: 0, to: 4000, last_error: null },
      { state: 'error', from: 4000, to: 5000, last_error: 'refused' },
      { state: 'connecting', from: 5000, to: 5500, last_error: 'refused' },
      { state: 'connected', from: 5500, to: 9000, last_error: null, reconnected_after_ms: 1500 },
      { state: 'error', from: 9500, to: 10_000, last_error: 'reset' },
    ]);
    expect(merged).to.deep.equal({
      state: 'connected',
      from: 0,
      to: 10_000,
      last_error: 'reset',
      merged: { segments: 5, tracked_ms: 9500, connected_ms: 7500, reconnections: 1, reconnection_ms: 1500 },
    });
  });
});

describe('mergeSegments, the state', () => {
  it('is the one most time was spent in wherever it comes; on a tie, the first', () => {
    const part = (state: ConnectionState, from: number, to: number): HistorySegment => ({ state, from, to, last_error: null });
    expect(mergeSegments([part('error', 0, 1000), part('connected', 1000, 10_000)]).state).to.equal('connected');
    expect(mergeSegments([part('error', 0, 5000), part('connected', 5000, 10_000)]).state).to.equal('error');
    expect(mergeSegments([part('error', 0, 2000), part('connected', 2000, 5000), part('error', 5000, 9000)]).state).to.equal('error');
  });
});

describe('SegmentTimeline', () => {
  it('holds exactly maxSegments unthinned, and thins past it', () => {
    const timeline = new SegmentTimeline(16);
    const states: readonly ConnectionState[] = ['connected', 'error'];
    for (let index = 0; index < 16; index++) timeline.begin(states[index % 2]!, index * 1000, null);
    expect(timeline.segments()).to.have.length(16);
    expect(timeline.segments().every((segment) => segment.merged === undefined)).to.equal(true);
    for (let index = 16; index < 40; index++) timeline.begin(states[index % 2]!, index * 1000, null);
    expect(timeline.segments().length).to.be.at.most(16);
  });

  it('end() returns the segment it ended, nothing when none is open; a state begun after it is new, with no reconnection', () => {
    const timeline = new SegmentTimeline(512);
    timeline.begin('connected', 0, null);
    expect(timeline.end(10)).to.deep.equal({ state: 'connected', from: 0, to: 10, last_error: null });
    expect(timeline.current).to.equal(undefined);
    expect(timeline.end(20)).to.equal(undefined);
    expect(timeline.begin('connected', 30, null)).to.deep.equal({ state: 'connected', from: 30, to: null, last_error: null });
  });

  it('restore() replaces only the open segment with its closed copy: same from, same state', () => {
    const timeline = new SegmentTimeline(512);
    timeline.begin('connecting', 0, null);
    timeline.begin('error', 10, 'refused');
    timeline.begin('connected', 20, null);
    expect(timeline.restore({ state: 'connected', from: 20, to: 30, last_error: null })).to.equal(true);
    expect(timeline.segments().map(({ state, from, to }) => [state, from, to])).to.deep.equal([
      ['connecting', 0, 10],
      ['error', 10, 20],
      ['connected', 20, 30],
    ]);
    expect(timeline.restore({ state: 'connected', from: 20, to: 40, last_error: null }), 'no longer open: overlaps').to.equal(false);

    const other = new SegmentTimeline(512);
    other.begin('connected', 100, null);
    expect(other.restore({ state: 'error', from: 100, to: 200, last_error: 'x' })).to.equal(true);
    other.begin('connected', 200, null);
    expect(other.restore({ state: 'connected', from: 250, to: 300, last_error: null })).to.equal(true);
    expect(other.segments().map(({ state, from, to }) => [state, from, to])).to.deep.equal([
      ['connected', 100, 100],
      ['error', 100, 200],
      ['connected', 200, 250],
      ['connected', 250, 300],
    ]);
  });

  it('begins a segment per state change and ends the open one there; the same state twice is one segment', () => {
    const timeline = new SegmentTimeline(64);
    expect(timeline.current).to.equal(undefined);
    timeline.begin('connecting', 1000, null);
    expect(timeline.begin('connecting', 1100, null)).to.equal(undefined);
    timeline.begin('error', 1500, 'refused');
    expect(timeline.segments()).to.deep.equal([
      { state: 'connecting', from: 1000, to: 1500, last_error: null },
      { state: 'error', from: 1500, to: null, last_error: 'refused' },
    ]);
    expect(timeline.current).to.equal('error');
  });

  it('a clock that steps back makes no segment end before it began', () => {
    const timeline = new SegmentTimeline(64);
    timeline.begin('connected', 5000, null);
    timeline.begin('error', 4000, 'x');
    timeline.end(3000);
    timeline.begin('connecting', 2000, 'x');
    expect(timeline.segments().map(({ from, to }) => [from, to])).to.deep.equal([
      [5000, 5000],
      [5000, 5000],
      [5000, null],
    ]);
  });

  it('marks a connected segment that ends an outage with the outage length; not across a gap', () => {
    const timeline = new SegmentTimeline(64);
    timeline.begin('connecting', 0, null);
    timeline.begin('connected', 100, null);
    timeline.begin('error', 1000, 'reset');
    timeline.begin('connecting', 3000, 'reset');
    timeline.begin('connected', 3500, null);
    timeline.end(9000);
    timeline.begin('connecting', 20_000, null);
    timeline.begin('connected', 20_100, null);
    const connected = timeline.segments().filter((segment) => segment.state === 'connected');
    expect(connected.map((segment) => segment.reconnected_after_ms)).to.deep.equal([undefined, 2500, undefined]);
  });

  it('holds at most maxSegments whatever the flapping rate, and keeps the uptime and reconnections exact', () => {
    const timeline = new SegmentTimeline(64);
    let connectedMs = 0;
    let reconnections = 0;
    let at = 0;
    for (let flap = 0; flap < 20_000; flap++) {
      timeline.begin('connected', at, null);
      if (flap > 0) reconnections++;
      const up = 100 + (flap % 7) * 50;
      connectedMs += up;
      at += up;
      timeline.begin('error', at, 'reset');
      at += 30;
      timeline.begin('connecting', at, 'reset');
      at += 20;
      expect(timeline.segments().length).to.be.at.most(64);
    }
    timeline.end(at);
    const sum = totals(timeline.segments());
    expect(sum).to.deep.include({ tracked_ms: at, connected_ms: connectedMs, reconnections, reconnection_ms: reconnections * 50, segments: 60_000 });
    // Recent history stays finer than old history.
    const segments = timeline.segments();
    expect(segments.at(-1)?.merged).to.equal(undefined);
    expect(segments[0]?.merged?.segments).to.be.greaterThan(segments.at(-20)?.merged?.segments ?? 1);
  });

  it('restores journalled segments: a later one ends the open one, the closed copy of the open one replaces it, overlaps are skipped', () => {
    const timeline = new SegmentTimeline(64);
    expect(timeline.restore({ state: 'connecting', from: 0, to: null, last_error: null })).to.equal(true);
    expect(timeline.restore({ state: 'connected', from: 100, to: null, last_error: null })).to.equal(true);
    expect(timeline.restore({ state: 'connected', from: 100, to: 900, last_error: null })).to.equal(true);
    expect(timeline.restore({ state: 'error', from: 500, to: 600, last_error: 'x' })).to.equal(false);
    expect(timeline.restore({ state: 'error', from: 2000, to: null, last_error: 'x' })).to.equal(true);
    timeline.end(2500);
    expect(timeline.segments().map(({ state, from, to }) => [state, from, to])).to.deep.equal([
      ['connecting', 0, 100],
      ['connected', 100, 900],
      ['error', 2000, 2500],
    ]);
  });

  it('forgets what has left the window', () => {
    const timeline = new SegmentTimeline(64);
    timeline.begin('connected', 0, null);
    timeline.begin('error', 1000, 'x');
    timeline.begin('connected', 2000, null);
    expect(timeline.prune(1500)).to.equal(false);
    expect(timeline.segments().map((segment) => segment.from)).to.deep.equal([1000, 2000]);
    timeline.end(3000);
    expect(timeline.prune(3000)).to.equal(true);
  });
});
