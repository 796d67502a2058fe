import { requireFinite, requireInteger } from '../validate.js';
import { median } from './request-degradation.js';

/**
 * The thresholds of {@link judgeLineBucket}: when a log source's line rate has
 * collapsed against its own usual rate. Every field is optional.
 */
export interface LineRateOptions {
  /** Lines are counted per bucket of this many ms while connected. Defaults to 60000 (1 min). */
  readonly bucketMs?: number;
  /** The usual rate is the median of up to this many recent healthy buckets. Defaults to 30 (30 min). */
  readonly usualBuckets?: number;
  /** A source whose usual rate is below this many lines per bucket is never judged (a quiet node is not a broken one). Defaults to 10. */
  readonly minUsualLines?: number;
  /** A bucket with fewer lines than this share of the usual rate is quiet. Defaults to 0.1. */
  readonly collapseRatio?: number;
  /** Degraded after this many quiet buckets in a row ("for a while"); also how many buckets make a usual rate. Defaults to 5. */
  readonly quietBuckets?: number;
}

/** {@link LineRateOptions} checked, every default filled in. */
export type LineRateRule = Readonly<Required<LineRateOptions>>;

/** What the rule remembers of a log source's line counts. */
export interface LineRateHistory {
  /** Line counts of recent healthy buckets, oldest first. */
  readonly usual: readonly number[];
  /** Quiet buckets in a row, and the lines they had between them. */
  readonly quiet: number;
  readonly quietLines: number;
  readonly degraded: boolean;
  /** Why it is degraded, in words; `null` when it is not. */
  readonly reason: string | null;
}

/** A log source's history before its first bucket. */
export const NO_LINE_BUCKETS: LineRateHistory = Object.freeze({ usual: Object.freeze([]), quiet: 0, quietLines: 0, degraded: false, reason: null });

/**
 * Checks line-rate options and fills in the defaults; a bad value throws a
 * `RangeError` naming the field (`lineRate.collapseRatio must be a number 0-1; got 2`).
 *
 * @example
 * ```ts
 * lineRateRule({ quietBuckets: 10 }).bucketMs; // 60000
 * ```
 */
export function lineRateRule(options: LineRateOptions = {}, path = 'lineRate'): LineRateRule {
  return {
    bucketMs: requireInteger(`${path}.bucketMs`, options.bucketMs ?? 60_000, 1),
    usualBuckets: requireInteger(`${path}.usualBuckets`, options.usualBuckets ?? 30, 1, 10_000),
    minUsualLines: requireFinite(`${path}.minUsualLines`, options.minUsualLines ?? 10, 0, Number.MAX_SAFE_INTEGER),
    collapseRatio: requireFinite(`${path}.collapseRatio`, options.collapseRatio ?? 0.1, 0, 1),
    quietBuckets: requireInteger(`${path}.quietBuckets`, options.quietBuckets ?? 5, 1, 10_000),
  };
}

/**
 * The line-rate rule of a log source as a pure function: the history after one more
 * bucket of `lines`. Once `quietBuckets` buckets make a usual rate (their median) of at
 * least `minUsualLines`, a bucket below `collapseRatio` x that rate is quiet, and
 * `quietBuckets` quiet buckets in a row make the source degraded (a frozen forwarder, a
 * node that stopped serving). A bucket that is not quiet ends it, and joins the usual
 * rate; quiet buckets never do, so a long silence is not learnt as normal.
 *
 * @example
 * ```ts
 * const rule = lineRateRule({ quietBuckets: 2 });
 * let history = NO_LINE_BUCKETS;
 * for (const lines of [600, 620, 580, 3, 0]) history = judgeLineBucket(history, lines, rule);
 * history.degraded; // true
 * ```
 */
export function judgeLineBucket(history: LineRateHistory, lines: number, rule: LineRateRule): LineRateHistory {
  const usual = history.usual.length >= rule.quietBuckets ? median(history.usual) : null;
  const quiet = usual !== null && usual >= rule.minUsualLines && lines < rule.collapseRatio * usual;
  if (!quiet) return { usual: [...history.usual, lines].slice(-rule.usualBuckets), quiet: 0, quietLines: 0, degraded: false, reason: null };
  const quietCount = history.quiet + 1;
  const quietLines = history.quietLines + lines;
  const degraded = quietCount >= rule.quietBuckets;
  const reason = degraded
    ? `line rate collapsed: ${perMinute(quietLines / quietCount, rule)} lines/min over the last ${minutes(quietCount * rule.bucketMs)} against its usual ${perMinute(usual, rule)}`
    : null;
  return { usual: history.usual, quiet: quietCount, quietLines, degraded, reason };
}

/**
 * The history after the connection ended: the usual rate is kept, the run of quiet
 * buckets is not (silence while disconnected is the state's news, not a collapse).
 *
 * @example
 * ```ts
 * lineBucketsInterrupted(history).degraded; // false
 * ```
 */
export function lineBucketsInterrupted(history: LineRateHistory): LineRateHistory {
  return history.quiet === 0 && !history.degraded ? history : { usual: history.usual, quiet: 0, quietLines: 0, degraded: false, reason: null };
}

function perMinute(linesPerBucket: number, rule: LineRateRule): string {
  const rate = (linesPerBucket * 60_000) / rule.bucketMs;
  return rate >= 10 || Number.isInteger(rate) ? String(Math.round(rate)) : rate.toFixed(1);
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
