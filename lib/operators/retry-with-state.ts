import { asyncScheduler, noop, Observable, Subscription, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import { CONNECTED, type Connected } from '../sources/connection-signal.js';
import { requireInteger } from '../validate.js';
import { toBackoff, type Backoff, type BackoffOptions } from '../reconnect/backoff.js';
import type { ConnectionEventSink } from '../reconnect/connection-event.js';

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

/** Marks a connection that ended cleanly, so that closes and failures take one path (`decideRetry`). */
const PEER_CLOSED = Symbol('peer closed');

/**
 * Keeps a connection alive: resubscribes to a cold connection Observable (one
 * subscription is one connection attempt) after each backoff delay, and reports every
 * decision as a {@link ConnectionEventSink | ConnectionEvent} (SPEC §4):
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
  const connectedOn: unknown = options.connectedOn ?? 'signal';
  if (connectedOn !== 'signal' && connectedOn !== 'value') throw new RangeError(`connectedOn must be 'signal' or 'value'; got ${String(connectedOn)}`);
  const policy: RetryPolicy = {
    onEvent: options.onEvent ?? noop,
    backoff: toBackoff(options.backoff, {}),
    maxAttempts: requireInteger('maxReconnectAttempts', options.maxReconnectAttempts ?? 0, 0),
    stableMs: requireInteger('resetAfterStableMs', options.resetAfterStableMs ?? 0, 0),
    cycleRestartMs: requireInteger('cycleRestartMs', options.cycleRestartMs ?? 0, 0),
    scheduler: options.scheduler ?? asyncScheduler,
    describeError: options.describeError ?? errorMessage,
    reconnect$: options.reconnect$,
    connectedOnValue: connectedOn === 'value',
  };
  return (source) => new Observable<T>((subscriber) => new KeptAlive(source, subscriber, policy));
}

/** The options of {@link retryWithState}, checked and defaulted once for all its subscriptions. */
interface RetryPolicy {
  readonly onEvent: ConnectionEventSink;
  readonly backoff: Backoff;
  readonly maxAttempts: number;
  readonly stableMs: number;
  readonly cycleRestartMs: number;
  readonly scheduler: SchedulerLike;
  readonly describeError: (error: unknown) => string;
  readonly reconnect$: Observable<unknown> | undefined;
  readonly connectedOnValue: boolean;
}

/**
 * One subscription of {@link retryWithState}: the source's observer (each attempt
 * subscribes it again) and the teardown. One object with methods, not a chain of RxJS
 * `retry`, `timer` and per-attempt operators: a thousand connections each hold one for
 * as long as they live (it was ~1.5 KB of closures and subscribers per connection).
 */
class KeptAlive<T> {
  private attempts = 0;
  /** Gave up: the subscriber was told, so the teardown reports no `stopped`. */
  private ended = false;
  /** Whether the current attempt has connected; a value can say so (`connectedOn: 'value'`). */
  private connected = false;
  private attempt: Subscription | undefined;
  private stableTimer: Subscription | undefined;
  private waiting: Subscription | undefined;

  constructor(
    private readonly source: Observable<T | Connected>,
    private readonly subscriber: Subscriber<T>,
    private readonly policy: RetryPolicy,
  ) {
    this.connect();
  }

  next(value: T | Connected): void {
    if (value === CONNECTED) return this.onConnected();
    if (this.policy.connectedOnValue && !this.connected) this.onConnected();
    this.subscriber.next(value);
  }

  error(cause: unknown): void {
    if (!this.subscriber.closed) this.decideRetry(cause);
  }

  /** The source completing means the peer closed the connection: retried like a failure. */
  complete(): void {
    if (!this.subscriber.closed) this.decideRetry(PEER_CLOSED);
  }

  /** The teardown: RxJS runs it once, when the consumer leaves or has been told of the end. */
  unsubscribe(): void {
    this.stableTimer?.unsubscribe();
    this.attempt?.unsubscribe();
    this.waiting?.unsubscribe();
    if (!this.ended) this.policy.onEvent({ type: 'stopped' });
  }

  private connect(): void {
    this.connected = false;
    this.policy.onEvent({ type: 'connecting' });
    const attempt = this.source.subscribe(this);
    // The consumer can leave during the source's subscribe (a synchronous value was enough),
    // before this object is its teardown: the attempt goes at once, and what the source
    // still says (error, complete) is nobody's and retried by no one.
    if (this.subscriber.closed) attempt.unsubscribe();
    else this.attempt = attempt;
  }

  private onConnected(): void {
    const { onEvent, stableMs, scheduler } = this.policy;
    this.connected = true;
    onEvent({ type: 'connected', reconnectAttempts: stableMs === 0 ? 0 : this.attempts });
    if (stableMs === 0) {
      this.attempts = 0;
      return;
    }
    this.stableTimer = scheduler.schedule(() => {
      this.attempts = 0;
      onEvent({ type: 'stable' });
    }, stableMs);
  }

  private decideRetry(cause: unknown): void {
    const { onEvent, maxAttempts, cycleRestartMs, scheduler, backoff } = this.policy;
    this.stableTimer?.unsubscribe();
    const error = cause === PEER_CLOSED ? null : this.policy.describeError(cause);
    if (maxAttempts > 0 && this.attempts >= maxAttempts) {
      const lastError = error ?? 'connection closed by peer';
      if (cycleRestartMs === 0) {
        onEvent({ type: 'exhausted', error: lastError, reconnectAttempts: this.attempts, retryAt: null });
        this.ended = true;
        this.subscriber.error(new ReconnectAttemptsExhaustedError(this.attempts, lastError));
        return;
      }
      onEvent({ type: 'exhausted', error: lastError, reconnectAttempts: this.attempts, retryAt: scheduler.now() + cycleRestartMs });
      this.attempts = 0;
      return this.waitFor(cycleRestartMs);
    }
    this.attempts += 1;
    const retryInMs = backoff(this.attempts);
    const retryAt = scheduler.now() + retryInMs;
    onEvent(
      error === null
        ? { type: 'disconnected', error, reconnectAttempts: this.attempts, retryInMs, retryAt }
        : { type: 'failed', error, reconnectAttempts: this.attempts, retryInMs, retryAt },
    );
    this.waitFor(retryInMs);
  }

  /** The next attempt after `delayMs`, or at once when the user asks to reconnect now (with a fresh counter). */
  private waitFor(delayMs: number): void {
    const wait = new Subscription();
    this.waiting = wait;
    // Both ways are unsubscribed by the teardown: neither fires once the consumer has left.
    const again = (): void => {
      wait.unsubscribe();
      this.connect();
    };
    wait.add(this.policy.scheduler.schedule(again, delayMs));
    const reconnect$ = this.policy.reconnect$;
    if (reconnect$)
      wait.add(
        reconnect$.subscribe(() => {
          this.attempts = 0;
          again();
        }),
      );
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
