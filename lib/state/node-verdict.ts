import type { ApiClientStatus, ConnectionStatus, LogReaderStatus } from './connection-status.js';
import type { Component } from './registry.js';
import { SATELLITE_LIMITS, type ReputationWarning } from './reputation.js';

/**
 * What is wrong with a node, in one word, worst first:
 *
 * - `offline`: the host answers but the node does not (its API refuses or fails while
 *   the host is seen: a refused or reset connection, an HTTP error, or the log forwarder
 *   connected): the node's process is down;
 * - `unreachable`: connect timeouts, host or network unreachable, no answer at all: the
 *   monitor cannot see the host (the monitor's network, or the host is gone);
 * - `satellites-unreachable`: the node is up, but no satellite has pinged it for a while
 *   (`lastPinged`), or its QUIC check failed (`quicStatus`);
 * - `at-risk`: a satellite's score is below its warning threshold;
 * - `degraded`: up, but an API answering slowly or failing now and then, a log whose
 *   line rate collapsed, or a log forwarder down while the API answers;
 * - `ok`: none of these (also while a source is still connecting for the first time).
 */
export type NodeVerdict = 'ok' | 'degraded' | 'offline' | 'unreachable' | 'satellites-unreachable' | 'at-risk';

/** Every verdict, worst first. */
export const NODE_VERDICTS: readonly NodeVerdict[] = Object.freeze(['offline', 'unreachable', 'satellites-unreachable', 'at-risk', 'degraded', 'ok']);

/**
 * One node's verdict and why, in words (everything that applies, the verdict's own
 * reasons first; none when `ok`).
 *
 * @example
 * ```ts
 * const health: NodeHealth = { verdict: 'offline', reasons: ['the host answers but the node does not', 'API: Connection refused (connect ECONNREFUSED 10.0.0.2:14002)'] };
 * ```
 */
export interface NodeHealth {
  readonly verdict: NodeVerdict;
  readonly reasons: readonly string[];
}

/** Node name -> its {@link NodeHealth}: the frames' additive key `health`. */
export type HealthMap = Readonly<Record<string, NodeHealth>>;

/**
 * How the satellites reach the node, from its last healthy dashboard (SPEC §3.3):
 * Unix ms of `lastPinged` and `startedAt` (`null` when absent or the zero time
 * `0001-01-01T00:00:00Z` of "not yet"), and `quicStatus` as sent.
 */
export interface SatelliteContact {
  readonly lastPingedMs: number | null;
  readonly startedAtMs: number | null;
  readonly quicStatus: string | null;
}

/** Everything a verdict is made of, for one node. */
export interface NodeHealthInput {
  readonly log_reader?: LogReaderStatus;
  readonly api_client?: ApiClientStatus;
  /** Why a degraded source is degraded, as its rule said. */
  readonly degradedReasons?: Partial<Record<Component, string>>;
  readonly contact?: SatelliteContact;
  readonly warnings?: readonly ReputationWarning[];
}

/**
 * `lastPinged` older than this (and the node up longer than this) is stale, in ms.
 * Defaults to 7200000 (2 h): a node checks in with every satellite hourly (storj v1.162.3
 * storagenode/contact/service.go, `contact.interval` 1h), and each check-in makes the
 * satellite ping the node back (satellite/contact/endpoint.go `CheckIn` -> `PingBack`),
 * which sets `lastPinged` (storagenode/contact/endpoint.go `PingNode`).
 */
export const DEFAULT_LAST_PINGED_STALE_MS = 2 * 60 * 60 * 1000;

/**
 * The verdict on one node as a pure function of its statuses, its satellites' contact,
 * its reputation warnings and the time (Unix ms). A source is down when it is neither
 * connected nor stopped and has failed since it last connected; the host is seen when
 * some source is connected or a failure came from the host itself (refused, reset, an
 * HTTP error, a closed connection) rather than from the way to it (timeouts,
 * unreachable, DNS). Nothing down: satellites, then reputation, then degradation.
 *
 * `quicStatus` `OK` and `Disabled` (the operator turned QUIC off; TCP still reaches the
 * node) are fine, `Refreshing` (storj v1.162.3 storagenode/contact/network.go: the
 * state before the first QUIC check) is a problem only once the node has been up longer
 * than `lastPingedStaleMs`, and anything else (`Misconfigured`) is one at once.
 *
 * @example
 * ```ts
 * nodeVerdict({ api_client: { ...initialApiClientStatus(), state: 'error', last_error: 'Connection refused (connect ECONNREFUSED 10.0.0.2:14002)' } }, Date.now());
 * // { verdict: 'offline', reasons: ['the host answers but the node does not', 'API: Connection refused (...)'] }
 * ```
 */
export function nodeVerdict(input: NodeHealthInput, now: number, lastPingedStaleMs = DEFAULT_LAST_PINGED_STALE_MS): NodeHealth {
  const sources = [
    ['log', 'log_reader', input.log_reader],
    ['API', 'api_client', input.api_client],
  ] as const;
  const watched = sources.filter(
    (source): source is (typeof sources)[number] & { 2: ConnectionStatus } => source[2] !== undefined && source[2].state !== 'stopped',
  );
  const down = watched.filter(([, , status]) => isDown(status));
  const warnings = (input.warnings ?? []).map(describeWarning);
  const degraded = watched.flatMap(([label, component, status]) =>
    status.degraded ? [`${label} degraded: ${input.degradedReasons?.[component] ?? 'no reason recorded'}`] : [],
  );
  if (down.length > 0) {
    const failures = down.map(([label, , status]) => `${label}: ${status.last_error ?? 'connection closed by the remote end'}`);
    const hostSeen = down.length < watched.length || down.some(([, , status]) => !failedOnTheWay(status.last_error));
    const apiDown = input.api_client === undefined || down.some(([, component]) => component === 'api_client');
    const [verdict, summary] = !hostSeen
      ? (['unreachable', 'the monitor cannot reach the host'] as const)
      : apiDown
        ? (['offline', 'the host answers but the node does not'] as const)
        : (['degraded', "the node's API answers but its log forwarder does not"] as const);
    return { verdict, reasons: [summary, ...failures, ...warnings, ...degraded] };
  }
  const satellites = input.api_client?.state === 'connected' && input.contact ? contactProblems(input.contact, now, lastPingedStaleMs) : [];
  const verdict: NodeVerdict = satellites.length > 0 ? 'satellites-unreachable' : warnings.length > 0 ? 'at-risk' : degraded.length > 0 ? 'degraded' : 'ok';
  return { verdict, reasons: [...satellites, ...warnings, ...degraded] };
}

/** Failed since it last connected: an error, or a close by the peer (attempts counted, no error). */
function isDown(status: ConnectionStatus): boolean {
  return status.state !== 'connected' && status.state !== 'stopped' && (status.last_error !== null || status.reconnect_attempts > 0);
}

/**
 * A failure on the way to the host rather than from it, read from the words of
 * `describeSocketError` and the request timeout (`Connection timeout ...`).
 */
function failedOnTheWay(lastError: string | null): boolean {
  return lastError !== null && /Connection timed out|Connection timeout|Host not found|Host unreachable|Network unreachable/.test(lastError);
}

function contactProblems(contact: SatelliteContact, now: number, staleMs: number): string[] {
  const problems: string[] = [];
  const upLongEnough = contact.startedAtMs === null || now - contact.startedAtMs > staleMs;
  const heardOf = Math.max(contact.lastPingedMs ?? 0, contact.startedAtMs ?? 0);
  if (heardOf > 0 && now - heardOf > staleMs) {
    problems.push(
      contact.lastPingedMs === null
        ? `no satellite has pinged the node since it started ${duration(now - heardOf)} ago`
        : `no satellite has pinged the node for ${duration(now - heardOf)} (lastPinged ${new Date(heardOf).toISOString()})`,
    );
  }
  const quic = contact.quicStatus;
  if (quic !== null && quic !== 'OK' && quic !== 'Disabled' && (quic !== 'Refreshing' || upLongEnough)) {
    problems.push(`the satellites' QUIC check of the node failed (quicStatus ${JSON.stringify(quic)})`);
  }
  return problems;
}

function describeWarning(warning: ReputationWarning): string {
  return `${warning.satellite}: ${warning.score} score ${round(warning.value)} is below the warning threshold ${round(warning.threshold)} (the satellite acts at ${SATELLITE_LIMITS[warning.score]})`;
}

function round(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 120 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}
