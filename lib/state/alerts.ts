import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Component, Transition } from './registry.js';

/**
 * A source has been away from `connected` for longer than the threshold (`down`), or
 * has come back after such an outage (`recovered`). One of each per outage, however many
 * retries it took.
 *
 * @example
 * ```ts
 * const alert: ConnectionAlert = { type: 'down', node: 'node1', component: 'log_reader', since: 1696800000, last_error: 'Connection refused (...)' };
 * ```
 */
export type ConnectionAlert =
  | { readonly type: 'down'; readonly node: string; readonly component: Component; readonly since: number; readonly last_error: string | null }
  | { readonly type: 'recovered'; readonly node: string; readonly component: Component; readonly since: number; readonly down_for_ms: number };

/** Options of {@link connectionAlerts}. */
export interface ConnectionAlertsOptions {
  /** How long a source may be away from `connected` before it alerts, in ms. Defaults to 300000 (5 min). */
  readonly thresholdMs?: number;
  /** Clock and timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

interface Outage {
  /** Unix ms when the source left `connected` (or was first seen away from it). */
  readonly since: number;
  /** The error a `down` alert reports: the latest one when it fires, not the first. */
  lastError: string | null;
  timer: Subscription | undefined;
  alerted: boolean;
}

/**
 * Alerts from a registry's transitions: `down` when a source has been away from
 * `connected` longer than `thresholdMs` (including one that never connected), and
 * `recovered` when it is connected again after a `down`. A source that is stopped on
 * purpose does not alert. Times are Unix seconds (`since`) and ms (`down_for_ms`).
 *
 * @example
 * ```ts
 * connectionAlerts(registry.transitions$, { thresholdMs: 5 * 60_000 })
 *   .subscribe((alert) => console.log(alert.type, alert.node, alert.component));
 * ```
 */
export function connectionAlerts(transitions$: Observable<Transition>, options: ConnectionAlertsOptions = {}): Observable<ConnectionAlert> {
  const thresholdMs = options.thresholdMs ?? 300_000;
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<ConnectionAlert>((subscriber) => {
    // Only sources away from `connected` are kept: a source that is stopped (as every
    // source is before it leaves the registry) leaves nothing behind.
    const outages = new Map<string, Outage>();
    const subscription = transitions$.subscribe((transition) => {
      const { node, component, status } = transition;
      const key = `${component}\u0000${node}`;
      const outage = outages.get(key);
      if (status.state === 'connected' || status.state === 'stopped') {
        if (!outage) return;
        outage.timer?.unsubscribe();
        outages.delete(key);
        if (outage.alerted && status.state === 'connected') {
          subscriber.next({ type: 'recovered', node, component, since: outage.since / 1000, down_for_ms: scheduler.now() - outage.since });
        }
        return;
      }
      if (outage) {
        outage.lastError = status.last_error;
        return;
      }
      const started: Outage = { since: scheduler.now(), lastError: status.last_error, timer: undefined, alerted: false };
      started.timer = scheduler.schedule(() => {
        started.alerted = true;
        started.timer = undefined;
        subscriber.next({ type: 'down', node, component, since: started.since / 1000, last_error: started.lastError });
      }, thresholdMs);
      outages.set(key, started);
    });
    return () => {
      subscription.unsubscribe();
      for (const outage of outages.values()) outage.timer?.unsubscribe();
    };
  });
}
