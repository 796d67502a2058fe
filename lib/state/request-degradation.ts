import { requireFinite, requireInteger } from '../validate.js';

/**
 * The thresholds of {@link judgeRequest}: when an API client counts as degraded. Every
 * field is optional; the defaults suit a node API checked every 30 s with a 10 s timeout.
 */
export interface RequestDegradationOptions {
  /** How many of the latest checks are judged. Defaults to 5 (2.5 min of checks at 30 s). */
  readonly windowSize?: number;
  /** How many earlier healthy checks make up the baseline (their median is the "usual" latency). Defaults to 20. */
  readonly baselineSize?: number;
  /** Degraded when the window's median latency is above this many times the baseline's median. Defaults to 4. */
  readonly latencyFactor?: number;
  /** ... and above this floor, in ms, so that 5 ms growing to 30 ms is not news. Defaults to 500. */
  readonly minLatencyMs?: number;
  /** Degraded whatever the baseline when the window's median latency is above this, in ms. Defaults to half the request timeout (5000). */
  readonly maxLatencyMs?: number;
  /** Degraded when fewer than this share of the window's checks succeeded. Defaults to 0.8 (two failures in five). */
  readonly minSuccessRate?: number;
}

/** {@link RequestDegradationOptions} checked, every default filled in. */
export type RequestDegradationRule = Readonly<Required<RequestDegradationOptions>>;

/** One request as the rule sees it: how long it took, and whether it succeeded. */
export interface RequestSample {
  readonly latencyMs: number;
  readonly ok: boolean;
}

/**
 * What the rule remembers of a client's requests: the latest `windowSize` samples, the
 * latencies of up to `baselineSize` healthy samples before them, and the verdict.
 */
export interface RequestHistory {
  readonly window: readonly RequestSample[];
  readonly baseline: readonly number[];
  readonly degraded: boolean;
  /** Why it is degraded, in words; `null` when it is not. */
  readonly reason: string | null;
}

/** A client's history before its first request: nothing known, not degraded. */
export const NO_REQUESTS: RequestHistory = Object.freeze({ window: Object.freeze([]), baseline: Object.freeze([]), degraded: false, reason: null });

/**
 * Checks degradation options and fills in the defaults; a bad value throws a
 * `RangeError` naming the field (`degradation.latencyFactor must be a number 1-1000; got 0`).
 *
 * @example
 * ```ts
 * const rule = requestDegradationRule({ latencyFactor: 3 }, 10_000);
 * rule.maxLatencyMs; // 5000
 * ```
 */
export function requestDegradationRule(options: RequestDegradationOptions = {}, timeoutMs = 10_000, path = 'degradation'): RequestDegradationRule {
  const windowSize = requireInteger(`${path}.windowSize`, options.windowSize ?? 5, 1, 1000);
  return {
    windowSize,
    baselineSize: requireInteger(`${path}.baselineSize`, options.baselineSize ?? 20, 1, 10_000),
    latencyFactor: requireFinite(`${path}.latencyFactor`, options.latencyFactor ?? 4, 1, 1000),
    minLatencyMs: requireFinite(`${path}.minLatencyMs`, options.minLatencyMs ?? 500, 0, Number.MAX_SAFE_INTEGER),
    maxLatencyMs: requireFinite(`${path}.maxLatencyMs`, options.maxLatencyMs ?? timeoutMs / 2, 0, Number.MAX_SAFE_INTEGER),
    minSuccessRate: requireFinite(`${path}.minSuccessRate`, options.minSuccessRate ?? 0.8, 0, 1),
  };
}

/**
 * The degradation rule of an API client as a pure function: the history after one more
 * request. Judged only once the window is full:
 *
 * - **slow**: the median latency of the window's successful requests is above
 *   `minLatencyMs` and either above `latencyFactor` x the baseline's median (once the
 *   baseline has `windowSize` samples) or above `maxLatencyMs`;
 * - **failing**: fewer than `minSuccessRate` of the window's requests succeeded.
 *
 * A sample joins the baseline when it leaves the window, if it succeeded and would not
 * itself count as slow against the baseline: the samples of a slowdown are judged before
 * they could become "usual", and slow ones never do. Back to normal when neither rule holds.
 * A latency that is not a number, or below 0 (a clock set back), counts as 0 ms.
 *
 * @example
 * ```ts
 * const rule = requestDegradationRule();
 * let history = NO_REQUESTS;
 * for (const latencyMs of [20, 22, 19, 21, 20]) history = judgeRequest(history, { latencyMs, ok: true }, rule);
 * history.degraded; // false
 * ```
 */
export function judgeRequest(history: RequestHistory, sample: RequestSample, rule: RequestDegradationRule): RequestHistory {
  // The plain form: new arrays of their exact length each call ({@link RequestDegradationTracker} keeps them in place).
  const left = history.window.length + 1 > rule.windowSize ? history.window[0] : undefined;
  const latencyMs = usableLatency(sample.latencyMs);
  const window = appended(history.window, latencyMs === sample.latencyMs ? sample : { ...sample, latencyMs }, rule.windowSize);
  let baseline = history.baseline;
  if (left?.ok && !isSlow(left.latencyMs, baseline, rule)) baseline = appended(baseline, left.latencyMs, rule.baselineSize);
  const reason =
    window.length < rule.windowSize
      ? null
      : windowReason(
          window.map((sample) => sample.latencyMs),
          window.map((sample) => sample.ok),
          baseline,
          rule,
        );
  return { window, baseline, degraded: reason !== null, reason };
}

/**
 * {@link judgeRequest} for a client that judges every health check of its life: the
 * same verdicts, the window and the baseline kept in place (two rings of numbers and one
 * of flags, written over once full) instead of new arrays each check. What
 * `judgeRequest` returns lives until the next check, 30 s, so V8 moves it to the old
 * generation, and a fleet's idle CPU is mostly the full collections that this brings on:
 * ~390 bytes a check (300 API clients checked every 3 s, objects new between two heap
 * snapshots one interval apart; README, Performance). `judgeRequest` stays the plain
 * form of the rule, and the test oracle of this one.
 *
 * @example
 * ```ts
 * const checks = new RequestDegradationTracker({ windowSize: 3 });
 * for (const latencyMs of [20, 6000, 6000]) if (checks.judge(latencyMs, true)) console.log(checks.reason);
 * // answers slowly: median 6000 ms over the last 3 checks, above 5000 ms
 * ```
 */
export class RequestDegradationTracker {
  private isDegraded = false;
  private why: string | null = null;
  /** The window's latencies and outcomes, oldest at `oldest` once full. */
  private readonly latencies: number[] = [];
  private readonly oks: boolean[] = [];
  private oldest = 0;
  /** The baseline's latencies, in no order (only their median counts), the oldest at `oldestUsual` once full. */
  private readonly baseline: number[] = [];
  private oldestUsual = 0;
  private readonly rule: RequestDegradationRule;

  /** The options (a whole rule too) are checked and defaulted by {@link requestDegradationRule}: a bad field throws a `RangeError` naming it. */
  constructor(options: RequestDegradationOptions = {}, timeoutMs?: number) {
    this.rule = requestDegradationRule(options, timeoutMs);
  }

  /** As {@link RequestHistory.degraded}. */
  get degraded(): boolean {
    return this.isDegraded;
  }

  /** As {@link RequestHistory.reason}. */
  get reason(): string | null {
    return this.why;
  }

  /** Judges one more request, as {@link judgeRequest} does; true when `degraded` changed. */
  judge(given: number, ok: boolean): boolean {
    const { rule, latencies, oks } = this;
    const latencyMs = usableLatency(given);
    if (latencies.length < rule.windowSize) {
      latencies.push(latencyMs);
      oks.push(ok);
    } else {
      const leftLatency = latencies[this.oldest] as number;
      const leftOk = oks[this.oldest];
      latencies[this.oldest] = latencyMs;
      oks[this.oldest] = ok;
      this.oldest = (this.oldest + 1) % rule.windowSize;
      if (leftOk && !isSlow(leftLatency, this.baseline, rule)) this.addUsual(leftLatency);
    }
    const was = this.isDegraded;
    this.why = latencies.length < rule.windowSize ? null : windowReason(latencies, oks, this.baseline, rule);
    this.isDegraded = this.why !== null;
    return this.isDegraded !== was;
  }

  private addUsual(latencyMs: number): void {
    if (this.baseline.length < this.rule.baselineSize) {
      this.baseline.push(latencyMs);
      return;
    }
    this.baseline[this.oldestUsual] = latencyMs;
    this.oldestUsual = (this.oldestUsual + 1) % this.rule.baselineSize;
  }
}

/**
 * A latency the medians can use: below 0 (a clock set back) or NaN (a scheduler whose
 * clock is not a number) counts as 0 ms. NaN would sort by the order it came in, and so
 * give the two forms of the rule different verdicts.
 */
function usableLatency(latencyMs: number): number {
  return latencyMs > 0 || latencyMs === 0 ? latencyMs : 0;
}

/** `values` and then `value`, the oldest dropped beyond `size`, in one array of just that length. */
function appended<T>(values: readonly T[], value: T, size: number): T[] {
  const length = Math.min(size, values.length + 1);
  const dropped = values.length + 1 - length;
  const next = new Array<T>(length);
  for (let index = 0; index < length - 1; index++) next[index] = values[index + dropped] as T;
  next[length - 1] = value;
  return next;
}

/** The baseline's median, once it has as many samples as the window. */
function usualLatency(baseline: readonly number[], rule: RequestDegradationRule): number | null {
  return baseline.length >= rule.windowSize ? median(baseline) : null;
}

/**
 * Above the floor, and above the ceiling or `latencyFactor` x the usual latency. The
 * usual latency (a sort of the baseline) is worked out only when the two cheap tests
 * leave it to decide: a node answering in a few ms, every check of the fleet, never needs it.
 */
function isSlow(latencyMs: number, baseline: readonly number[], rule: RequestDegradationRule): boolean {
  if (latencyMs <= rule.minLatencyMs) return false;
  if (latencyMs > rule.maxLatencyMs) return true;
  const usual = usualLatency(baseline, rule);
  return usual !== null && latencyMs > rule.latencyFactor * usual;
}

/** Too many of the window's requests failed: why, or `null`. */
function failingReason(failed: number, windowLength: number, rule: RequestDegradationRule): string | null {
  return (windowLength - failed) / windowLength < rule.minSuccessRate ? `${failed} of the last ${windowLength} checks failed` : null;
}

/** The window's answers (the latencies of its successful requests) are slow: why, or `null`. */
function slowReason(answered: readonly number[], windowLength: number, baseline: readonly number[], rule: RequestDegradationRule): string | null {
  const latest = median(answered);
  if (latest === null || !isSlow(latest, baseline, rule)) return null;
  const answers = `answers slowly: median ${Math.round(latest)} ms over the last ${windowLength} checks`;
  const usual = usualLatency(baseline, rule);
  return usual !== null && latest > rule.latencyFactor * usual
    ? `${answers}, ${(latest / Math.max(usual, 1)).toFixed(1)} x its usual ${Math.round(usual)} ms`
    : `${answers}, above ${rule.maxLatencyMs} ms`;
}

/**
 * The verdict on a full window, given as its latencies and outcomes side by side in any
 * order (the tracker's rings are not oldest first): failing first, then slow. The median
 * is above the floor only when at least half the answered checks are: nearly never, so
 * most checks neither gather nor sort the latencies.
 */
function windowReason(latencies: readonly number[], oks: readonly boolean[], baseline: readonly number[], rule: RequestDegradationRule): string | null {
  let failed = 0;
  let aboveFloor = 0;
  for (let index = 0; index < latencies.length; index++) {
    if (!oks[index]) failed++;
    else if ((latencies[index] as number) > rule.minLatencyMs) aboveFloor++;
  }
  const failing = failingReason(failed, latencies.length, rule);
  if (failing !== null || 2 * aboveFloor < latencies.length - failed) return failing;
  return slowReason(
    latencies.filter((_, index) => oks[index]),
    latencies.length,
    baseline,
    rule,
  );
}

/**
 * The median of some numbers (the mean of the middle two for an even count), `null` for none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
