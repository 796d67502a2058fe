import { isIP } from 'node:net';
import { DEFAULT_FIRST_CHECKS_PER_SECOND } from './fleet/first-check-pacing.js';
import { DEFAULT_MAX_LINE_BYTES } from './log-lines/line-framer.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_KEEPALIVE_MS } from './sources/tcp-connection.js';
import { describeValue, requireBoolean, requireHost, requireHttpUrl, requireInteger, requireText } from './validate.js';

/** One node of a {@link MonitorConfig}: a log source, an API, or both. */
export interface NodeConfig {
  readonly name: string;
  /** `resume`: ask the forwarder to resume (our forwarder; see `tcpLogSource`). Defaults to false. */
  readonly log?: { readonly host: string; readonly port: number; readonly resume?: boolean };
  readonly api?: { readonly url: string };
}

/** Log reader settings shared by every node (SPEC §6); each has the default shown. */
export interface LogReaderConfig {
  /** 2000 */ readonly initialBackoffMs?: number;
  /** 60000 */ readonly maxBackoffMs?: number;
  /** 0: unlimited */ readonly maxReconnectAttempts?: number;
  /** 10000 */ readonly connectTimeoutMs?: number;
  /** 10000 */ readonly keepAliveMs?: number;
  /** 0: off */ readonly idleTimeoutMs?: number;
  /** 1048576 */ readonly maxLineBytes?: number;
}

/** API client settings shared by every node (SPEC §6); each has the default shown. */
export interface ApiClientConfig {
  /** 30000 */ readonly healthCheckIntervalMs?: number;
  /** 10000 */ readonly timeoutMs?: number;
  /** 2000 */ readonly initialBackoffMs?: number;
  /** 300000 */ readonly maxBackoffMs?: number;
  /** 10 per cycle; 0: unlimited */ readonly maxReconnectAttempts?: number;
  /**
   * 500: how many clients' first health checks go out per second when the monitor starts
   * or nodes are added (1,000 nodes: over 2 s), so that their checks stay apart every
   * interval after (`DEFAULT_FIRST_CHECKS_PER_SECOND`); 0: all at once.
   */
  readonly firstChecksPerSecond?: number;
}

/**
 * One monitor's part of a fleet shared by `count` monitors: the nodes whose names hash
 * to `index` (1 to `count`; see `shardOf`).
 *
 * @example
 * ```ts
 * const shard: Shard = { index: 2, count: 3 }; // the second of three monitors
 * ```
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * What {@link createMonitor} takes (SPEC §6): plain JSON-able data, the same shape the
 * example CLI reads from a file. Only `nodes` and each node's `name` are required.
 *
 * @example
 * ```ts
 * const config: MonitorConfig = {
 *   nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: 9001 }, api: { url: 'http://127.0.0.1:14002' } }],
 *   logReader: { idleTimeoutMs: 120_000 },
 * };
 * ```
 */
export interface MonitorConfig {
  readonly nodes: readonly NodeConfig[];
  readonly logReader?: LogReaderConfig;
  readonly apiClient?: ApiClientConfig;
  /** 10000 */ readonly broadcastIntervalMs?: number;
  /**
   * Watch only the nodes whose names hash to shard `index` of `count` (1-based; see
   * `shardOf`): N monitors, each given the same config and its own index, watch every
   * node exactly once. None: every node.
   */
  readonly shard?: Shard;
}

/** A {@link MonitorConfig} checked and with every default filled in. */
export interface ResolvedMonitorConfig {
  readonly nodes: readonly NodeConfig[];
  readonly logReader: Required<LogReaderConfig>;
  readonly apiClient: Required<ApiClientConfig>;
  readonly broadcastIntervalMs: number;
  readonly shard?: Shard;
}

type Checks<T> = { readonly [K in keyof T]-?: readonly [defaultValue: number, min: number] };

const LOG_READER: Checks<LogReaderConfig> = {
  initialBackoffMs: [2000, 0],
  maxBackoffMs: [60_000, 0],
  maxReconnectAttempts: [0, 0],
  connectTimeoutMs: [DEFAULT_CONNECT_TIMEOUT_MS, 1],
  keepAliveMs: [DEFAULT_KEEPALIVE_MS, 1000],
  idleTimeoutMs: [0, 0],
  maxLineBytes: [DEFAULT_MAX_LINE_BYTES, 1],
};

const API_CLIENT: Checks<ApiClientConfig> = {
  healthCheckIntervalMs: [30_000, 1],
  timeoutMs: [10_000, 1],
  initialBackoffMs: [2000, 0],
  maxBackoffMs: [300_000, 0],
  maxReconnectAttempts: [10, 0],
  firstChecksPerSecond: [DEFAULT_FIRST_CHECKS_PER_SECOND, 0],
};

/**
 * Checks a monitor config and fills in the defaults of SPEC §5. Any problem throws a
 * `RangeError` whose message starts with the field
 * (`nodes[1].log.port must be an integer 1-65535; got 0`); unknown keys are errors too,
 * so a misspelt option never passes silently.
 *
 * @example
 * ```ts
 * resolveMonitorConfig({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: 9001 } }] }).logReader.maxBackoffMs; // 60000
 * ```
 */
export function resolveMonitorConfig(config: unknown): ResolvedMonitorConfig {
  const root = requireObject('config', config, ['nodes', 'logReader', 'apiClient', 'broadcastIntervalMs', 'shard']);
  if (!Array.isArray(root.nodes) || root.nodes.length === 0) {
    throw new RangeError('nodes must be a non-empty array of nodes');
  }
  const names = new Map<string, number>();
  const nodes = root.nodes.map((node: unknown, index): NodeConfig => {
    const resolved = resolveNode(node, `nodes[${index}]`);
    const earlier = names.get(resolved.name);
    if (earlier !== undefined) throw new RangeError(`nodes[${index}].name ${JSON.stringify(resolved.name)} is already the name of nodes[${earlier}]`);
    names.set(resolved.name, index);
    return resolved;
  });
  const logReader = resolveNumbers('logReader', root.logReader, LOG_READER);
  const apiClient = resolveNumbers('apiClient', root.apiClient, API_CLIENT);
  requireAtLeast('logReader.maxBackoffMs', logReader.maxBackoffMs, 'logReader.initialBackoffMs', logReader.initialBackoffMs);
  requireAtLeast('apiClient.maxBackoffMs', apiClient.maxBackoffMs, 'apiClient.initialBackoffMs', apiClient.initialBackoffMs);
  const broadcastIntervalMs = requireInteger('broadcastIntervalMs', root.broadcastIntervalMs ?? 10_000, 1);
  const shard = root.shard === undefined ? undefined : resolveShard(root.shard);
  return { nodes, logReader, apiClient, broadcastIntervalMs, ...(shard && { shard }) };
}

function resolveShard(value: unknown): Shard {
  const shard = requireObject('shard', value, ['index', 'count']);
  const count = requireInteger('shard.count', shard.count, 1);
  return { index: requireInteger('shard.index', shard.index, 1, count), count };
}

function resolveNode(value: unknown, path: string): NodeConfig {
  const node = requireObject(path, value, ['name', 'log', 'api']);
  const name = requireText(`${path}.name`, node.name);
  if (node.log === undefined && node.api === undefined) throw new RangeError(`${path} must have a log, an api, or both`);
  const log = node.log === undefined ? undefined : requireObject(`${path}.log`, node.log, ['host', 'port', 'resume']);
  const api = node.api === undefined ? undefined : requireObject(`${path}.api`, node.api, ['url']);
  return {
    name,
    ...(log && {
      log: {
        host: requireHost(`${path}.log.host`, log.host),
        port: requireInteger(`${path}.log.port`, log.port, 1, 65_535),
        ...(log.resume !== undefined && { resume: requireBoolean(`${path}.log.resume`, log.resume) }),
      },
    }),
    ...(api && { api: { url: requireHttpUrl(`${path}.api.url`, api.url).href } }),
  };
}

function resolveNumbers<T>(path: string, value: unknown, checks: Checks<T>): Required<T> {
  const keys = Object.keys(checks) as Array<keyof T & string>;
  const section = value === undefined ? {} : requireObject(path, value, keys);
  const resolved: Partial<Record<keyof T, number>> = {};
  for (const key of keys) {
    const [defaultValue, min] = checks[key];
    resolved[key] = requireInteger(`${path}.${key}`, section[key] ?? defaultValue, min);
  }
  return resolved as Required<T>;
}

function requireObject(path: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RangeError(`${path} must be an object; got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      // A key that is not a plain name is shown quoted and escaped (it may hold anything, control characters too).
      const shown = /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? key : describeValue(key);
      throw new RangeError(`${path === 'config' ? shown : `${path}.${shown}`} is not a known option (known: ${known.join(', ')})`);
    }
  }
  return value as Record<string, unknown>;
}

function requireAtLeast(path: string, value: number, otherPath: string, other: number): void {
  if (value < other) throw new RangeError(`${path} must be >= ${otherPath} (${other}); got ${value}`);
}

/**
 * The host each node's sources connect to, as `connectionAlerts` groups them: the log
 * forwarder's `host` and the API URL's host name, spelt alike (lower case, no trailing dot, IPv6 without brackets and as a URL normalises it).
 *
 * @example
 * ```ts
 * const hostOf = sourceHosts([{ name: 'node1', log: { host: '10.0.0.2', port: 9001 }, api: { url: 'http://10.0.0.2:14002' } }]);
 * hostOf('node1', 'api_client'); // '10.0.0.2'
 * ```
 */
export function sourceHosts(nodes: readonly NodeConfig[]): (node: string, component: 'log_reader' | 'api_client') => string | undefined {
  const hosts = new Map(
    nodes.map(({ name, log, api }) => [name, { log_reader: log && hostKey(log.host), api_client: api && hostKey(new URL(api.url).hostname) }] as const),
  );
  return (node, component) => hosts.get(node)?.[component];
}

/** One spelling per host: lower case, no trailing dot, an IPv6 address as a URL writes it (`2001:db8::2`), without brackets. */
function hostKey(host: string): string {
  const bare = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  return isIP(bare) === 6 ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}
