import { asyncScheduler, noop, Observable, race, retry, throwError, timer, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { map, take } from 'rxjs/operators';
import { CONNECTED, type Connected } from '../sources/connection-signal.js';
import { requireInteger } from '../validate.js';
import { toBackoff, type Backoff, type BackoffOptions } from '../reconnect/backoff.js';
import type { ConnectionEventSink } from '../reconnect/connection-event.js';
import { operate } from './operate.js';

/** Options of {@link retryWithState}. */
export interface RetryWithStateOptions {
  /** Receives every decision. Defaults to ignoring them. */
  readonly onEvent?: ConnectionEventSink;
  /** Delay before reconnect attempt N. Defaults to `exponentialBackoff()` (2 s doubling, max 300 s). */
  readonly backoff?: Backoff | BackoffOptions;
  /** Reconnect attempts before giving up (per cycle); 0 means unlimited. Defaults to 0. */
  readonly maxReconnectAttempts?: number;
  /**
   * 0: the attempt counter resets as soon as a connection succeeds (the seed's
   * behaviour). A positive value resets it only once a connection has stayed up that
   * long, so a peer that accepts and drops at once is backed off instead of hammered.
   * Defaults to 0.
   */
  readonly resetAfterStableMs?: number;
  /**
   * 0: once `maxReconnectAttempts` are used up the source gives up, staying in `error`,
   * and the output errors with {@link ReconnectAttemptsExhaustedError}. A positive
   * value waits that long instead and starts a new cycle with a fresh counter.
   * Defaults to 0.
   */
  readonly cycleRestartMs?: number;
  /** Each emission ends the current wait at once and starts a fresh cycle. */
  readonly reconnect$?: Observable<unknown>;
  /** Clock and timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Turns a connection error into `last_error` text. Defaults to the error's message. */
  readonly describeError?: (error: unknown) => string;
  /**
   * `'signal'`: the source says it connected by emitting {@link CONNECTED} (a socket's
   * connect). `'value'`: an attempt's first value means connected, for a source with no
   * connect step of its own, such as a repeated health check. Defaults to `'signal'`.
   */
  readonly connectedOn?: 'signal' | 'value';
}

/**
 * The error a source ends with when it has given up: `maxReconnectAttempts` were used
 * up and no `cycleRestartMs` was set.
 *
 * @example
 * ```ts
 * source$.subscribe({ error: (e) => e instanceof ReconnectAttemptsExhaustedError && alert(e.message) });
 * ```
 */
export class ReconnectAttemptsExhaustedError extends Error {
  override readonly name = 'ReconnectAttemptsExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`Gave up after ${attempts} reconnect attempts: ${lastError}`);
  }
}

/** Marks a connection that ended cleanly, so one `retry` handles closes and failures alike. */
const PEER_CLOSED = Symbol('peer closed');

/**
 * Keeps a connection alive: resubscribes to a cold connection Observable (one
 * subscription is one connection attempt) with RxJS `retry` and a backoff schedule, and
 * reports every decision as a {@link ConnectionEventSink | ConnectionEvent} (SPEC §4):
 *
 * - each subscription: `connecting`; the source's {@link CONNECTED} signal (or, with
 *   `connectedOn: 'value'`, its first value): `connected`;
 * - the source completes (peer closed): `disconnected`, then a reconnect after the backoff;
 * - the source errors: `failed` with the error text and attempt count, then a reconnect;
 * - attempts used up: `exhausted`, then a new cycle (`cycleRestartMs`) or the end;
 * - the consumer unsubscribes: `stopped`.
 *
 * Reconnect attempt N waits `backoff(N)`; data values pass through as they are.
 *
 * @example
 * ```ts
 * import { retryWithState, CONNECTED, LOG_READER_BACKOFF } from 'storj-monitor-rx';
 *
 * const lines$ = connection$.pipe(
 *   retryWithState({
 *     backoff: LOG_READER_BACKOFF,
 *     resetAfterStableMs: 30_000,
 *     onEvent: (event) => console.log(event.type),
 *   }),
 * );
 * ```
 */
export function retryWithState<T>(options: RetryWithStateOptions = {}): OperatorFunction<T | Connected, T> {
  const onEvent = options.onEvent ?? noop;
  const backoff = toBackoff(options.backoff, {});
  const maxAttempts = requireInteger('maxReconnectAttempts', options.maxReconnectAttempts ?? 0, 0);
  const stableMs = requireInteger('resetAfterStableMs', options.resetAfterStableMs ?? 0, 0);
  const cycleRestartMs = requireInteger('cycleRestartMs', options.cycleRestartMs ?? 0, 0);
  const scheduler = options.scheduler ?? asyncScheduler;
  const describeError = options.describeError ?? errorMessage;
  const reconnect$ = options.reconnect$;
  const connectedOn: unknown = options.connectedOn ?? 'signal';
  if (connectedOn !== 'signal' && connectedOn !== 'value') throw new RangeError(`connectedOn must be 'signal' or 'value'; got ${String(connectedOn)}`);
  const connectedOnValue = connectedOn === 'value';

  return (source) =>
    new Observable<T>((subscriber) => {
      let attempts = 0;
      let ended = false;
      /** Whether the current attempt has connected; a value can say so (`connectedOn: 'value'`). */
      let connected = false;
      let stableTimer: Subscription | undefined;

      const onConnected = (): void => {
        connected = true;
        onEvent({ type: 'connected', reconnectAttempts: stableMs === 0 ? 0 : attempts });
        if (stableMs === 0) {
          attempts = 0;
          return;
        }
        stableTimer = scheduler.schedule(() => {
          attempts = 0;
          onEvent({ type: 'stable' });
        }, stableMs);
      };

      /** Ends a wait early when the user asks to reconnect now, with a fresh counter. */
      const waitFor = (delayMs: number): Observable<unknown> => {
        const timer$ = timer(delayMs, scheduler);
        if (!reconnect$) return timer$;
        return race(
          timer$,
          reconnect$.pipe(
            take(1),
            map(() => (attempts = 0)),
          ),
        );
      };

      const decideRetry = (cause: unknown): Observable<unknown> => {
        stableTimer?.unsubscribe();
        const error = cause === PEER_CLOSED ? null : describeError(cause);
        if (maxAttempts > 0 && attempts >= maxAttempts) {
          const lastError = error ?? 'connection closed by peer';
          if (cycleRestartMs === 0) {
            onEvent({ type: 'exhausted', error: lastError, reconnectAttempts: attempts, retryAt: null });
            ended = true;
            return throwError(() => new ReconnectAttemptsExhaustedError(attempts, lastError));
          }
          onEvent({ type: 'exhausted', error: lastError, reconnectAttempts: attempts, retryAt: scheduler.now() + cycleRestartMs });
          attempts = 0;
          return waitFor(cycleRestartMs);
        }
        attempts += 1;
        const retryInMs = backoff(attempts);
        const retryAt = scheduler.now() + retryInMs;
        onEvent(
          error === null
            ? { type: 'disconnected', error, reconnectAttempts: attempts, retryInMs, retryAt }
            : { type: 'failed', error, reconnectAttempts: attempts, retryInMs, retryAt },
        );
        return waitFor(retryInMs);
      };

      // One attempt: the source, whose completing means the peer closed the connection (an
      // error, so that it is retried). Not `defer` + `concat(source, throwError(...))`: that
      // kept a merge's subscribers and closures alive per connection, 0.9 KB (heap snapshot).
      const attempt$ = source.pipe(
        operate<T | Connected, T | Connected>((attempt) => {
          connected = false;
          onEvent({ type: 'connecting' });
          return { next: (value) => attempt.next(value), complete: () => attempt.error(PEER_CLOSED) };
        }),
      );

      const subscription = attempt$.pipe(retry({ delay: decideRetry })).subscribe({
        next: (value) => {
          if (value === CONNECTED) return onConnected();
          if (connectedOnValue && !connected) onConnected();
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
      });

      return () => {
        stableTimer?.unsubscribe();
        subscription.unsubscribe();
        if (!ended) onEvent({ type: 'stopped' });
      };
    });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
