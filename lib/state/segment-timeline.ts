import type { ConnectionState } from './connection-status.js';

/** The first bucket width {@link thinSegments} tries; it doubles until the segments fit. */
const FIRST_BUCKET_MS = 60_000;

/**
 * What a merged segment stands for: old history is thinned into these to keep memory
 * bounded (see {@link thinSegments}), and the figures operators read (uptime,
 * reconnections and their durations) survive the merge exactly.
 *
 * @example
 * ```ts
 * const summary: MergedSegmentSummary = { segments: 12, tracked_ms: 60_000, connected_ms: 45_000, reconnections: 4, reconnection_ms: 15_000 };
 * ```
 */
export interface MergedSegmentSummary {
  /** How many segments were merged into this one. */
  readonly segments: number;
  /** Time the monitor was running within it (less than `to - from` when it spans a restart). */
  readonly tracked_ms: number;
  /** Time connected within it. */
  readonly connected_ms: number;
  /** Reconnections completed within it, and their total duration. */
  readonly reconnections: number;
  readonly reconnection_ms: number;
}

/**
 * One stretch of time a connection spent in one state. Times are Unix ms; `to` is
 * `null` for the current segment. A gap between one segment's `to` and the next one's
 * `from` is time the monitor was not running.
 *
 * @example
 * ```ts
 * const outage: HistorySegment = { state: 'error', from: 1696800000000, to: 1696800042000, last_error: 'Connection refused (connect ECONNREFUSED 10.0.0.2:9001)' };
 * ```
 */
export interface HistorySegment {
  /** The state; on a merged segment, the state it spent most of its time in. */
  readonly state: ConnectionState;
  readonly from: number;
  readonly to: number | null;
  /** The status's `last_error` when the segment began (on a merged segment, the latest of its parts). */
  readonly last_error: string | null;
  /** On a `connected` segment that ended an outage: ms since the connection had left `connected`. */
  readonly reconnected_after_ms?: number;
  /** Only on a merged segment. */
  readonly merged?: MergedSegmentSummary;
}

/**
 * Thins a run of closed segments to at most `limit`: segments shorter than a bucket
 * width `w` that follow each other within one `w`-aligned bucket (by `from`) merge into
 * one, and `w` doubles from 1 min until the run fits. Segments as long as `w` or longer
 * are kept as they are, so long outages and long stretches of uptime keep their exact
 * edges; a merged segment's `merged` summary keeps the uptime and the reconnections
 * exactly. Aligned buckets make thinning stable: thinning a thinned run again with the
 * same `w` changes nothing. Pure; `limit` must be at least 2.
 *
 * @example
 * ```ts
 * const flaps = Array.from({ length: 100 }, (_, i) => ({ state: i % 2 ? 'error' : 'connected', from: i * 1000, to: (i + 1) * 1000, last_error: null }) as const);
 * thinSegments(flaps, 10).length; // 2 (two 1-min buckets): 50 % connected, as before
 * ```
 */
export function thinSegments(segments: readonly HistorySegment[], limit: number): HistorySegment[] {
  const first = segments[0];
  const last = segments.at(-1);
  if (!first || !last || segments.length <= limit) return [...segments];
  const span = (last.to ?? last.from) - first.from;
  for (let width = FIRST_BUCKET_MS; ; width *= 2) {
    const thinned = mergeBuckets(segments, width);
    // Once a bucket is wider than the whole run, everything is in at most two buckets.
    if (thinned.length <= limit || width > span) return thinned;
  }
}

function mergeBuckets(segments: readonly HistorySegment[], width: number): HistorySegment[] {
  const result: HistorySegment[] = [];
  let group: HistorySegment[] = [];
  const flush = (): void => {
    if (group.length > 0) result.push(group.length === 1 ? (group[0] as HistorySegment) : mergeSegments(group));
    group = [];
  };
  for (const segment of segments) {
    const short = durationOf(segment) < width;
    const sameBucket = group.length > 0 && Math.floor(segment.from / width) === Math.floor((group[0] as HistorySegment).from / width);
    if (!short || !sameBucket) flush();
    if (short) group.push(segment);
    else result.push(segment);
  }
  flush();
  return result;
}

/**
 * One segment standing for consecutive closed segments: from the first's `from` to the
 * last's `to`, in the state they spent most time in, with the latest error and a
 * summary that adds up theirs. Pure.
 *
 * @example
 * ```ts
 * mergeSegments([{ state: 'connected', from: 0, to: 9000, last_error: null }, { state: 'error', from: 9000, to: 10_000, last_error: 'x' }]);
 * // { state: 'connected', from: 0, to: 10000, last_error: 'x', merged: { segments: 2, tracked_ms: 10000, connected_ms: 9000, ... } }
 * ```
 */
export function mergeSegments(parts: readonly HistorySegment[]): HistorySegment {
  const timeIn = new Map<ConnectionState, number>();
  const summary = { segments: 0, tracked_ms: 0, connected_ms: 0, reconnections: 0, reconnection_ms: 0 };
  let lastError: string | null = null;
  for (const part of parts) {
    const own = summaryOf(part);
    summary.segments += own.segments;
    summary.tracked_ms += own.tracked_ms;
    summary.connected_ms += own.connected_ms;
    summary.reconnections += own.reconnections;
    summary.reconnection_ms += own.reconnection_ms;
    timeIn.set(part.state, (timeIn.get(part.state) ?? 0) + own.tracked_ms);
    lastError = part.last_error ?? lastError;
  }
  let state = (parts[0] as HistorySegment).state;
  for (const [candidate, time] of timeIn) if (time > (timeIn.get(state) ?? 0)) state = candidate;
  return { state, from: (parts[0] as HistorySegment).from, to: (parts.at(-1) as HistorySegment).to, last_error: lastError, merged: summary };
}

/** A segment's own summary: its `merged` one, or what a single segment stands for. */
export function summaryOf(segment: HistorySegment, now = segment.from): MergedSegmentSummary {
  if (segment.merged) return segment.merged;
  const tracked = (segment.to ?? Math.max(now, segment.from)) - segment.from;
  return {
    segments: 1,
    tracked_ms: tracked,
    connected_ms: segment.state === 'connected' ? tracked : 0,
    reconnections: segment.reconnected_after_ms === undefined ? 0 : 1,
    reconnection_ms: segment.reconnected_after_ms ?? 0,
  };
}

function durationOf(segment: HistorySegment): number {
  return (segment.to ?? segment.from) - segment.from;
}

/**
 * One connection's segments, oldest first, the last one open (`to: null`) while the
 * connection is tracked. Memory stays bounded whatever the flapping rate: past
 * `maxSegments`, the older half is thinned ({@link thinSegments}) into a quarter, so old
 * history is coarser than recent history and a component never holds more than
 * `maxSegments` segments.
 *
 * @example
 * ```ts
 * const timeline = new SegmentTimeline(512);
 * timeline.begin('connecting', 1000, null);
 * timeline.begin('connected', 1200, null);
 * timeline.segments(); // [{ state: 'connecting', from: 1000, to: 1200, ... }, { state: 'connected', from: 1200, to: null, ... }]
 * ```
 */
export class SegmentTimeline {
  private list: HistorySegment[] = [];
  /** When the connection last left `connected`, while it has not been connected since (and the monitor ran throughout). */
  private leftConnectedAt: number | null = null;

  constructor(private readonly maxSegments: number) {}

  /** The state of the open segment, or `undefined` when none is open. */
  get current(): ConnectionState | undefined {
    const last = this.list.at(-1);
    return last && last.to === null ? last.state : undefined;
  }

  /**
   * Begins a segment in `state` at `at`, ending the open one there, and returns it
   * (`undefined` when that state is already the open one's). A clock that steps back
   * never makes a segment end before it began, nor overlap the one before.
   */
  begin(state: ConnectionState, at: number, lastError: string | null): HistorySegment | undefined {
    if (this.current === state) return undefined;
    const from = this.close(at);
    const reconnectedAfter = state === 'connected' && this.leftConnectedAt !== null ? from - this.leftConnectedAt : undefined;
    if (state === 'connected') this.leftConnectedAt = null;
    const segment: HistorySegment = {
      state,
      from,
      to: null,
      last_error: lastError,
      ...(reconnectedAfter !== undefined && { reconnected_after_ms: reconnectedAfter }),
    };
    this.push(segment);
    return segment;
  }

  /**
   * The monitor stops watching at `at` (it stopped, or the connection was removed):
   * the open segment ends there, and what follows, if anything, comes after a gap, so
   * the next `connected` is no reconnection. Returns the ended segment, if one was open.
   */
  end(at: number): HistorySegment | undefined {
    const open = this.current === undefined ? undefined : this.list.length - 1;
    this.close(at);
    this.leftConnectedAt = null;
    return open === undefined ? undefined : this.list[open];
  }

  /**
   * Adds a segment read back from a journal: it ends the open one at its `from`, or,
   * when it is the open one itself (same `from` and state) now closed, replaces it.
   * Segments that would overlap the last one are skipped; returns whether it was added.
   */
  restore(segment: HistorySegment): boolean {
    const last = this.list.at(-1);
    if (last && last.to === null && last.from === segment.from && last.state === segment.state) {
      this.list[this.list.length - 1] = segment;
      return true;
    }
    if (last && segment.from < (last.to ?? last.from)) return false;
    this.close(segment.from);
    this.push(segment);
    return true;
  }

  /** Ends the open segment at `at` (not before it began); returns when the next may begin. */
  private close(at: number): number {
    const last = this.list.at(-1);
    if (!last) return at;
    if (last.to !== null) return Math.max(at, last.to);
    const to = Math.max(at, last.from);
    this.list[this.list.length - 1] = { ...last, to };
    if (last.state === 'connected') this.leftConnectedAt = to;
    return to;
  }

  /** Drops the segments that ended at or before `windowStart`; true when none is left. */
  prune(windowStart: number): boolean {
    let drop = 0;
    while (drop < this.list.length && (this.list[drop]?.to ?? Number.POSITIVE_INFINITY) <= windowStart) drop++;
    if (drop > 0) this.list = this.list.slice(drop);
    return this.list.length === 0;
  }

  /** The segments, oldest first (a copy; the segments themselves are immutable). */
  segments(): HistorySegment[] {
    return [...this.list];
  }

  private push(segment: HistorySegment): void {
    this.list.push(segment);
    if (this.list.length <= this.maxSegments) return;
    const older = Math.floor(this.list.length / 2);
    this.list = [...thinSegments(this.list.slice(0, older), Math.floor(this.maxSegments / 4)), ...this.list.slice(older)];
  }
}
