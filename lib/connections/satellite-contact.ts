import { peerText } from '../peer-text.js';
import type { SatelliteContact } from '../state/node-verdict.js';
import { knownTime, type SnoDashboard } from './node-api-types.js';

/**
 * How the satellites reach a node, read from its dashboard (SPEC §3.3): `lastPinged`
 * and `startedAt` as Unix ms (`null` when missing, unreadable, or the Go zero time
 * `0001-01-01T00:00:00Z` a node sends for "not yet"), and `quicStatus` as sent (storj
 * v1.162.3 storagenode/console/service.go `Dashboard`; the values in
 * storagenode/contact/network.go: `OK`, `Misconfigured`, `Disabled`, `Refreshing`),
 * made safe to show by `peerText` (at most 40 characters).
 *
 * @example
 * ```ts
 * toSatelliteContact({ nodeID: '12AB', lastPinged: '0001-01-01T00:00:00Z', startedAt: '2026-12-01T08:00:00Z', quicStatus: 'OK' });
 * // { lastPingedMs: null, startedAtMs: 1796112000000, quicStatus: 'OK' }
 * ```
 */
export function toSatelliteContact(dashboard: SnoDashboard): SatelliteContact {
  const quicStatus: unknown = dashboard.quicStatus;
  return {
    lastPingedMs: unixMs(dashboard.lastPinged),
    startedAtMs: unixMs(dashboard.startedAt),
    quicStatus: typeof quicStatus === 'string' ? peerText(quicStatus, 40) : null,
  };
}

/** A time the node sent, as Unix ms; `null` for none, the zero time (`knownTime`), or nonsense. */
function unixMs(time: string | undefined): number | null {
  const known = knownTime(time);
  const ms = known === null ? Number.NaN : Date.parse(known);
  return Number.isFinite(ms) ? ms : null;
}
