import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { requireInteger } from '../validate.js';
import type { Component, Transition } from './registry.js';

/**
 * A source has been away from `connected` for longer than the threshold (`down`), or
 * has come back after such an outage (`recovered`); several nodes of one host that went
 * down together are one `host_down` and one `host_recovered` instead. One of each per
 * outage, however many retries it took. `since` is Unix seconds.
 *
 * @example
 * ```ts
 * const alert: ConnectionAlert = { type: 'host_down', host: '10.0.0.2', nodes: ['node1', 'node2'], since: 1696800000 };
 * ```
 */
export type ConnectionAlert =
  | { readonly type: 'down'; readonly node: string; readonly component: Component; readonly since: number; readonly last_error: string | null }
  | { readonly type: 'recovered'; readonly node: string; readonly component: Component; readonly since: number; readonly down_for_ms: number }
  | { readonly type: 'host_down'; readonly host: string; readonly nodes: readonly string[]; readonly since: number }
  | { readonly type: 'host_recovered'; readonly host: string; readonly nodes: readonly string[]; readonly since: number; readonly down_for_ms: number };

/** Options of {@link connectionAlerts}. */
export interface ConnectionAlertsOptions {
  /** How long a source may be away from `connected` before it alerts, in ms. Defaults to 300000 (5 min). */
  readonly thresholdMs?: number;
  /** The host a source connects to (the log host, the API URL's host); without it, no host alerts. */
  readonly hostOf?: (node: string, component: Component) => string | undefined;
  /** Outages of one host's sources that began within this many ms of the first are one cause. Defaults to 60000. */
  readonly hostWindowMs?: number;
  /** How many nodes of one host must be down together for a `host_down`. Defaults to 2. */
  readonly hostMinNodes?: number;
  /** Clock and timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

interface Outage {
  readonly node: string;
  readonly component: Component;
  /** The host the source connects to, when known (with the host's other sources away). */
  readonly host: HostSources | undefined;
  /** Unix ms when the source left `connected` (or was first seen away from it). */
  readonly since: number;
  /** The error a `down` alert reports: the latest one when it fires, not the first. */
  lastError: string | null;
  timer: Subscription | undefined;
  alerted: boolean;
  /** The host outage this source's outage is part of. */
  partOf: HostOutage | undefined;
}

/** A host with sources away from `connected`: their outages (a group is formed from them), and its host outage, if one is on. */
interface HostSources {
  readonly name: string;
  readonly outages: Set<Outage>;
  outage: HostOutage | undefined;
}

interface HostOutage {
  readonly host: HostSources;
  /** Its nodes, sorted: those of the `host_down`, and those that joined in its window. */
  nodes: readonly string[];
  readonly since: number;
  /** The sources still away from `connected`. */
  readonly members: Set<string>;
  recovered: boolean;
}

/**
 * Alerts from a registry's transitions: `down` when a source has been away from
 * `connected` longer than `thresholdMs` (including one that never connected), and
 * `recovered` when it is connected again after a `down`. A source that is stopped on
 * purpose does not alert.
 *
 * With `hostOf`, outages are grouped by host: when a source's alert is due, every source
 * of the same host whose outage began within `hostWindowMs` after its own and has not
 * alerted yet is taken with it, and if they are at least `hostMinNodes` nodes, one
 * `host_down` replaces their `down`s. While that host is down, a source of it that goes
 * down joins it silently if its node is one of the outage's or its outage began within
 * `hostWindowMs` of the host's (a node joining so is in `host_recovered`'s `nodes`);
 * `host_recovered` comes once all of them are connected again (none when all were
 * stopped). The group is formed when the first alert is due, so a window longer than
 * `thresholdMs` only matters for those late joiners.
 *
 * @example
 * ```ts
 * connectionAlerts(registry.transitions$, { thresholdMs: 5 * 60_000, hostOf: (node) => hosts.get(node) })
 *   .subscribe((alert) => console.log(alert.type));
 * ```
 */
export function connectionAlerts(transitions$: Observable<Transition>, options: ConnectionAlertsOptions = {}): Observable<ConnectionAlert> {
  const thresholdMs = options.thresholdMs ?? 300_000;
  const hostOf = options.hostOf;
  const hostWindowMs = requireInteger('hostWindowMs', options.hostWindowMs ?? 60_000, 0);
  const hostMinNodes = requireInteger('hostMinNodes', options.hostMinNodes ?? 2, 2);
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<ConnectionAlert>((subscriber) => {
    // Only sources away from `connected` are kept: a source that is stopped (as every
    // source is before it leaves the registry) leaves nothing behind.
    const outages = new Map<string, Outage>();
    /** The hosts with a source away, so that a host's group is found without a look at every outage. */
    const hosts = new Map<string, HostSources>();
    const keyOf = (node: string, component: Component): string => `${component}\u0000${node}`;

    const due = (outage: Outage): void => {
      outage.timer = undefined;
      const host = outage.host;
      if (host) {
        const group = [...host.outages].filter((other) => !other.alerted && other.since >= outage.since && other.since <= outage.since + hostWindowMs);
        const nodes = [...new Set(group.map((member) => member.node))].sort();
        if (nodes.length >= hostMinNodes) {
          const hostOutage: HostOutage = { host, nodes, since: outage.since, members: new Set(), recovered: false };
          for (const member of group) join(member, hostOutage);
          host.outage = hostOutage;
          subscriber.next({ type: 'host_down', host: host.name, nodes, since: outage.since / 1000 });
          return;
        }
      }
      outage.alerted = true;
      const { node, component } = outage;
      subscriber.next({ type: 'down', node, component, since: outage.since / 1000, last_error: outage.lastError });
    };

    const join = (outage: Outage, hostOutage: HostOutage): void => {
      outage.timer?.unsubscribe();
      outage.timer = undefined;
      outage.alerted = true;
      outage.partOf = hostOutage;
      hostOutage.members.add(keyOf(outage.node, outage.component));
    };

    const ended = (key: string, outage: Outage, connected: boolean): void => {
      outage.timer?.unsubscribe();
      outages.delete(key);
      const host = outage.host;
      if (host) {
        host.outages.delete(outage);
        if (host.outages.size === 0) hosts.delete(host.name);
      }
      const hostOutage = outage.partOf;
      if (!hostOutage) {
        if (outage.alerted && connected) {
          subscriber.next({
            type: 'recovered',
            node: outage.node,
            component: outage.component,
            since: outage.since / 1000,
            down_for_ms: scheduler.now() - outage.since,
          });
        }
        return;
      }
      hostOutage.members.delete(key);
      hostOutage.recovered ||= connected;
      if (hostOutage.members.size > 0) return;
      // A later host_down of the same host may be the host's outage now: it goes on.
      if (hostOutage.host.outage === hostOutage) hostOutage.host.outage = undefined;
      if (hostOutage.recovered) {
        const { nodes, since } = hostOutage;
        subscriber.next({ type: 'host_recovered', host: hostOutage.host.name, nodes, since: since / 1000, down_for_ms: scheduler.now() - since });
      }
    };

    const subscription = transitions$.subscribe(({ node, component, status }) => {
      const key = keyOf(node, component);
      const outage = outages.get(key);
      if (status.state === 'connected' || status.state === 'stopped') {
        if (outage) ended(key, outage, status.state === 'connected');
        return;
      }
      if (outage) {
        outage.lastError = status.last_error;
        return;
      }
      const hostName = hostOf?.(node, component);
      const host = hostName === undefined ? undefined : (hosts.get(hostName) ?? { name: hostName, outages: new Set<Outage>(), outage: undefined });
      const started: Outage = {
        node,
        component,
        host,
        since: scheduler.now(),
        lastError: status.last_error,
        timer: undefined,
        alerted: false,
        partOf: undefined,
      };
      outages.set(key, started);
      if (host) {
        host.outages.add(started);
        hosts.set(host.name, host);
      }
      const hostOutage = host?.outage;
      if (hostOutage && (hostOutage.nodes.includes(node) || started.since <= hostOutage.since + hostWindowMs)) {
        if (!hostOutage.nodes.includes(node)) hostOutage.nodes = [...hostOutage.nodes, node].sort();
        join(started, hostOutage);
        return;
      }
      started.timer = scheduler.schedule(() => due(started), thresholdMs);
    });
    return () => {
      subscription.unsubscribe();
      for (const outage of outages.values()) outage.timer?.unsubscribe();
    };
  });
}
