/**
 * One decision of {@link retryWithState}, reported as it is made. The state reducers
 * (`lib/state/transitions.ts`) fold these into the statuses of SPEC §3.4.
 *
 * Times (`retryAt`) are milliseconds of the operator's scheduler clock, so they are
 * virtual under a `TestScheduler`. `reconnectAttempts` is the operator's counter of
 * reconnect attempts since it was last reset (on connect, or after a stable period).
 *
 * @example
 * ```ts
 * const event: ConnectionEvent = {
 *   type: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:9001',
 *   reconnectAttempts: 3, retryInMs: 8000, retryAt: Date.now() + 8000,
 * };
 * ```
 */
export type ConnectionEvent =
  | { readonly type: 'connecting' }
  | { readonly type: 'connected'; readonly reconnectAttempts: number }
  | { readonly type: 'stable' }
  | RetryScheduled<'disconnected', null>
  | RetryScheduled<'failed', string>
  | {
      readonly type: 'exhausted';
      readonly error: string;
      readonly reconnectAttempts: number;
      /** When a new cycle starts, or `null` when the source has given up for good. */
      readonly retryAt: number | null;
    }
  | { readonly type: 'stopped' };

/** A connection ended (cleanly, or with `error`) and a reconnect is scheduled. */
interface RetryScheduled<Type extends string, ErrorText extends string | null> {
  readonly type: Type;
  readonly error: ErrorText;
  readonly reconnectAttempts: number;
  readonly retryInMs: number;
  readonly retryAt: number;
}

/**
 * Where a source reports its decisions: usually the function that
 * `ConnectionRegistry.track()` returns.
 *
 * @example
 * ```ts
 * const onEvent: ConnectionEventSink = (event) => console.log(event.type);
 * ```
 */
export type ConnectionEventSink<Event = ConnectionEvent> = (event: Event) => void;
