/**
 * What a connection Observable emits once its transport is up, before any data: the
 * signal that {@link retryWithState} turns into the `connected` state. A sentinel
 * symbol, not a wrapper object, so data values pass through untouched and cost nothing.
 *
 * @example
 * ```ts
 * import { Observable } from 'rxjs';
 * import { CONNECTED, type Connected } from 'storj-monitor-rx';
 *
 * const connection$ = new Observable<Connected | string>((subscriber) => {
 *   subscriber.next(CONNECTED); // transport is up
 *   subscriber.next('first line');
 * });
 * ```
 */
export const CONNECTED: unique symbol = Symbol('storj-monitor-rx.connected');

/** The type of {@link CONNECTED}. */
export type Connected = typeof CONNECTED;
