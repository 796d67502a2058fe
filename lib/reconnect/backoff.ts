/**
 * How a backoff delay is randomised.
 *
 * - `'none'`: the plain exponential delay `d` (default).
 * - `'full'`: uniform in `[0, d]`.
 * - `'equal'`: `d / 2` plus uniform in `[0, d / 2]`.
 * - `'decorrelated'`: `min(maxMs, uniform in [initialMs, previous * 3])`, where
 *   `previous` is the delay this schedule returned last (`initialMs` before attempt 1).
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** Options of {@link exponentialBackoff}. Every field is optional. */
export interface BackoffOptions {
  /** Delay before attempt 1, in ms. Defaults to 2000. */
  readonly initialMs?: number;
  /** Upper bound of every delay, in ms; must be >= `initialMs`. Defaults to 300000 (5 min). */
  readonly maxMs?: number;
  /** Growth per attempt; must be >= 1. Defaults to 2. */
  readonly factor?: number;
  /** Randomisation, see {@link Jitter}. Defaults to `'none'`. */
  readonly jitter?: Jitter;
  /** Source of uniform numbers in [0, 1), injectable for exact tests. Defaults to `Math.random`. */
  readonly random?: () => number;
}

/** A backoff schedule: the delay in ms before reconnect attempt `attempt` (1-based). */
export type Backoff = (attempt: number) => number;

/**
 * The log reader's schedule (SPEC §5): 2 s doubling, capped at 60 s, so attempts wait
 * 2, 4, 8, 16, 32, 60, 60 ... s.
 *
 * @example
 * ```ts
 * const delay = exponentialBackoff(LOG_READER_BACKOFF);
 * delay(6); // 60000
 * ```
 */
export const LOG_READER_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 2000,
  maxMs: 60_000,
  factor: 2,
  jitter: 'none',
});

/**
 * The node API client's schedule (SPEC §5): attempt N waits min(2^N, 300) s, so
 * 2, 4, 8 ... 256, 300, 300 ... s.
 *
 * @example
 * ```ts
 * const delay = exponentialBackoff(API_CLIENT_BACKOFF);
 * delay(8); // 256000
 * delay(9); // 300000
 * ```
 */
export const API_CLIENT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 2000,
  maxMs: 300_000,
  factor: 2,
  jitter: 'none',
});

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

/**
 * Builds an exponential backoff schedule: attempt N (1-based) waits
 * `min(maxMs, initialMs * factor^(N-1))`, randomised by `jitter`. Every delay lies in
 * `[0, maxMs]`. Invalid options throw a `RangeError` that names the option; so does an
 * attempt that is not an integer >= 1.
 *
 * The `'decorrelated'` jitter depends on the previous delay, so that schedule keeps it
 * between calls (restarting at attempt 1); the other schedules are pure.
 *
 * @example
 * ```ts
 * import { exponentialBackoff } from 'storj-monitor-rx';
 *
 * const delay = exponentialBackoff({ initialMs: 100, maxMs: 1000 });
 * [1, 2, 3, 4, 5].map(delay); // [100, 200, 400, 800, 1000]
 *
 * const jittered = exponentialBackoff({ jitter: 'full', random: () => 0.5 });
 * jittered(1); // 1000
 * ```
 */
export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 2000;
  const maxMs = options.maxMs ?? Math.max(300_000, initialMs);
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 'none';
  const random = options.random ?? Math.random;

  requireNumber('initialMs', initialMs, 0, Number.isFinite(initialMs), 'a finite number >= 0');
  requireNumber('maxMs', maxMs, initialMs, true, `a number >= initialMs (${initialMs})`);
  requireNumber('factor', factor, 1, Number.isFinite(factor), 'a finite number >= 1');
  if (!JITTERS.includes(jitter)) {
    throw new RangeError(`jitter must be one of ${JITTERS.join(', ')}; got ${String(jitter)}`);
  }
  if (typeof random !== 'function') throw new RangeError('random must be a function');

  const plainDelay = (attempt: number): number => (initialMs === 0 ? 0 : Math.min(maxMs, initialMs * factor ** (attempt - 1)));
  const uniform = (low: number, high: number): number => low + clampUnit(random()) * (high - low);

  let previous = initialMs;
  return (attempt: number): number => {
    if (!Number.isInteger(attempt) || attempt < 1) {
      throw new RangeError(`attempt must be an integer >= 1; got ${attempt}`);
    }
    const delay = plainDelay(attempt);
    switch (jitter) {
      case 'none':
        return delay;
      case 'full':
        return uniform(0, delay);
      case 'equal':
        return uniform(delay / 2, delay);
      case 'decorrelated': {
        if (attempt === 1) previous = initialMs;
        previous = Math.min(maxMs, uniform(initialMs, Math.max(initialMs, previous * 3)));
        return previous;
      }
    }
  };
}

/**
 * Accepts a ready schedule as it is, or builds one from options (`fallback` when none
 * are given). Lets every option that takes a backoff take either form.
 *
 * @example
 * ```ts
 * toBackoff(undefined, LOG_READER_BACKOFF)(3); // 8000
 * toBackoff((attempt) => attempt * 100, LOG_READER_BACKOFF)(3); // 300
 * ```
 */
export function toBackoff(backoff: Backoff | BackoffOptions | undefined, fallback: BackoffOptions): Backoff {
  if (typeof backoff === 'function') return backoff;
  if (backoff !== undefined || fallback.jitter === 'decorrelated') return exponentialBackoff(backoff ?? fallback);
  // A schedule without state is shared by everyone who takes that default: a thousand
  // sources then hold one, not a thousand (~250 bytes of closures each). Decorrelated
  // jitter remembers its last delay, so it is never shared.
  let shared = SHARED_DEFAULTS.get(fallback);
  if (shared === undefined) SHARED_DEFAULTS.set(fallback, (shared = exponentialBackoff(fallback)));
  return shared;
}

/** The schedules built from a default (`fallback`) without decorrelated jitter, by that default. */
const SHARED_DEFAULTS = new WeakMap<BackoffOptions, Backoff>();

function requireNumber(name: string, value: number, minimum: number, finite: boolean, expected: string): void {
  if (typeof value !== 'number' || Number.isNaN(value) || !finite || value < minimum) {
    throw new RangeError(`${name} must be ${expected}; got ${String(value)}`);
  }
}

/** A misbehaving `random` (outside [0, 1), NaN) must not push a delay out of bounds. */
function clampUnit(value: number): number {
  return value >= 0 && value <= 1 ? value : value > 1 ? 1 : 0;
}
