import { isDeepStrictEqual } from 'node:util';
import type { NodeConfig, ResolvedMonitorConfig } from '../config.js';
import { inShard } from './shard.js';
import type { Component } from '../state/registry.js';

/**
 * One thing a reconfiguration does to one source: `start` a new one, `stop` one that is
 * gone (it leaves the map), or `restart` one whose settings changed (stopped, then
 * started anew with the new settings; it stays in the map). `node` is the node's config
 * the action applies: the new one for `start` and `restart`, the old one for `stop`.
 *
 * @example
 * ```ts
 * const change: SourceChange = { node: { name: 'node2', log: { host: '10.0.0.3', port: 9001 } }, component: 'log_reader', action: 'restart' };
 * ```
 */
export interface SourceChange {
  readonly node: NodeConfig;
  readonly component: Component;
  readonly action: 'start' | 'stop' | 'restart';
}

const COMPONENTS: readonly Component[] = ['log_reader', 'api_client'];
const ORDER: Readonly<Record<SourceChange['action'], number>> = { stop: 0, restart: 1, start: 2 };

/**
 * What turns the sources of config `current` (`undefined`: none yet) into those of
 * `next`: a pure function of the two configs. Only the nodes of each config's shard
 * count. A source whose settings are the same in both (its node's `log` or `api`, and
 * the shared `logReader` or `apiClient` section) has no change, so its connection is
 * kept; one whose settings differ in any way restarts; the node's other source is not
 * touched. Stops come first (sockets are released before new ones open), then restarts,
 * then starts, each in config order.
 *
 * @example
 * ```ts
 * sourceChanges(monitor.config, resolveMonitorConfig(next)).map(({ node, component, action }) => `${action} ${node.name} ${component}`);
 * // ['stop node2 log_reader', 'stop node2 api_client', 'start node4 log_reader']
 * ```
 */
export function sourceChanges(current: ResolvedMonitorConfig | undefined, next: ResolvedMonitorConfig): SourceChange[] {
  const before = monitoredNodes(current);
  const after = monitoredNodes(next);
  // Compared once, not per node: the section every source of a kind is built from.
  const sectionChanged = {
    log_reader: !isDeepStrictEqual(current?.logReader, next.logReader),
    api_client: !isDeepStrictEqual(apiClientSettings(current), apiClientSettings(next)),
  };
  const changes: SourceChange[] = [];
  for (const [name, node] of before) {
    if (after.has(name)) continue;
    for (const component of COMPONENTS) if (ownSettings(node, component)) changes.push({ node, component, action: 'stop' });
  }
  for (const [name, node] of after) {
    const old = before.get(name);
    for (const component of COMPONENTS) {
      const was = old && ownSettings(old, component);
      const now = ownSettings(node, component);
      if (was && !now) changes.push({ node: old, component, action: 'stop' });
      else if (!was && now) changes.push({ node, component, action: 'start' });
      else if (was && now && (sectionChanged[component] || !isDeepStrictEqual(was, now))) changes.push({ node, component, action: 'restart' });
    }
  }
  return changes.sort((a, b) => ORDER[a.action] - ORDER[b.action]);
}

/** The nodes a config's shard watches, by name, in config order. */
function monitoredNodes(config: ResolvedMonitorConfig | undefined): Map<string, NodeConfig> {
  return new Map((config?.nodes ?? []).filter((node) => inShard(node.name, config?.shard)).map((node) => [node.name, node]));
}

/** A node's own settings of a source (its `log` or `api`); `undefined` when it has no such source. */
function ownSettings(node: NodeConfig, component: Component): object | undefined {
  return component === 'log_reader' ? node.log : node.api;
}

/**
 * The `apiClient` section as a client is built from it. `firstChecksPerSecond` is not
 * one of its settings: it paces starts, so a new value applies to the next clients
 * started and reconnects none.
 */
function apiClientSettings(config: ResolvedMonitorConfig | undefined): object | undefined {
  if (!config) return undefined;
  const { firstChecksPerSecond: _pace, ...settings } = config.apiClient;
  return settings;
}
