import { ApiRequestError } from '../sources/api-request-error.js';
import { arrayOf, BOOLEAN, checkFields, NUMBER, optionalObject, STRING, TIME_OR_NULL, toObject, withFields, type JsonObject } from './json-fields.js';

export { toObject, type JsonObject } from './json-fields.js';

// The shapes of storj's console API (storagenode/console/service.go, diskspace.go,
// bandwidth.go; storagenode/payouts) as encoding/json marshals them: every field of a
// struct is always there; nil slices are `null`; times are RFC 3339 with nanoseconds, the
// zero time `0001-01-01T00:00:00Z` for one not known yet (ZERO_TIME). Fields that only
// some releases send are optional here, with the releases beside them.

/** What Go's zero `time.Time` marshals as: a time the node does not know yet (`lastPinged` before the first ping). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A time the node sent, or `null` for none: `null`, missing, or {@link ZERO_TIME}.
 *
 * @example
 * ```ts
 * knownTime(dashboard.lastPinged); // null before the node was first pinged
 * ```
 */
export function knownTime(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === ZERO_TIME ? null : value;
}

/**
 * One satellite in the dashboard (`console.SatelliteInfo`). `disqualified`, `suspended`
 * and `vettedAt` are times or `null`, not booleans (SPEC §3.3).
 */
export interface SnoSatelliteSummary extends JsonObject {
  readonly id: string;
  readonly url: string;
  readonly disqualified: string | null;
  readonly suspended: string | null;
  /** v1.131 on (`null` until vetted). */
  readonly vettedAt?: string | null;
  /** Up to v1.121 only (bytes). */
  readonly currentStorageUsed?: number;
}

/**
 * `diskSpace` of the dashboard. Up to v1.142 `{ used, available, trash, overused }` with
 * `used` the pieces and `available` the allocation; from v1.143.0-rc (storj commit
 * `4e52fd0b2d`) also `allocated` and `reclaimable`, `used` is everything used (trash
 * included) and `available` the free space in the allocation. Read it with
 * {@link diskUsage}, which means the same on both.
 */
export interface SnoDiskSpace extends JsonObject {
  readonly used: number;
  readonly available: number;
  readonly trash: number;
  readonly overused: number;
  /** v1.143 on. */
  readonly allocated?: number;
  /** v1.143 on: used, but freed by the next hashstore compaction. */
  readonly reclaimable?: number;
}

/** `bandwidth` of the dashboard: `used` this month (it resets at the UTC month boundary); `available` is always 0. */
export interface SnoBandwidth extends JsonObject {
  readonly used: number;
  readonly available: number;
}

/**
 * The node dashboard, `GET /api/sno/` (SPEC §3.3), `console.Dashboard` of v1.80 .. v1.162.
 * `nodeID` is required (it is what "healthy" means); the other fields are checked when
 * present, and `satellites` and `walletFeatures`, `null` on a fresh node, are `[]`.
 *
 * @example
 * ```ts
 * client.dashboard().subscribe((dashboard) => console.log(dashboard.nodeID, dashboard.satellites.length, diskUsage(dashboard)?.freeBytes));
 * ```
 */
export interface SnoDashboard extends JsonObject {
  readonly nodeID: string;
  readonly wallet?: string;
  readonly walletFeatures: readonly string[];
  readonly satellites: readonly SnoSatelliteSummary[];
  readonly diskSpace?: SnoDiskSpace;
  readonly bandwidth?: SnoBandwidth;
  /** {@link ZERO_TIME} before the first ping. */
  readonly lastPinged?: string;
  readonly version?: string;
  readonly allowedVersion?: string;
  readonly upToDate?: boolean;
  readonly startedAt?: string;
  readonly configuredPort?: string;
  /** `OK`, `Misconfigured`, ..., `''` before the first QUIC check. */
  readonly quicStatus?: string;
  readonly lastQuicPingedAt?: string;
}

// Made once, not on every health check.
const DASHBOARD_FIELDS = {
  wallet: STRING,
  lastPinged: STRING,
  version: STRING,
  allowedVersion: STRING,
  upToDate: BOOLEAN,
  startedAt: STRING,
  configuredPort: STRING,
  quicStatus: STRING,
  lastQuicPingedAt: STRING,
};
const DISK_SPACE_FIELDS = { used: NUMBER, available: NUMBER, trash: NUMBER, overused: NUMBER, allocated: NUMBER, reclaimable: NUMBER };
const BANDWIDTH_FIELDS = { used: NUMBER, available: NUMBER };

function toDiskSpace(disk: JsonObject, path: string): SnoDiskSpace {
  checkFields(disk, path, DISK_SPACE_FIELDS);
  return disk as SnoDiskSpace;
}

function toBandwidth(usage: JsonObject, path: string): SnoBandwidth {
  checkFields(usage, path, BANDWIDTH_FIELDS);
  return usage as SnoBandwidth;
}

/**
 * Accepts a dashboard: a JSON object with a string `nodeID` whose other fields have
 * the types the node marshals; `null` arrays become `[]`.
 *
 * @example
 * ```ts
 * toDashboard({ nodeID: '12AB', satellites: null }).satellites; // []
 * toDashboard('<html>'); // throws ApiRequestError
 * ```
 */
export function toDashboard(body: unknown): SnoDashboard {
  const object = toObject(body);
  if (typeof object.nodeID !== 'string' || object.nodeID === '') {
    throw new ApiRequestError('Response has no string nodeID', 'body');
  }
  checkFields(object, 'dashboard', DASHBOARD_FIELDS);
  const diskSpace = optionalObject(object.diskSpace, 'dashboard.diskSpace', toDiskSpace);
  const bandwidth = optionalObject(object.bandwidth, 'dashboard.bandwidth', toBandwidth);
  // Not a spread with new keys: this runs on every health check (see withFields).
  return withFields(object, {
    walletFeatures: arrayOf(object.walletFeatures, 'dashboard.walletFeatures', toWalletFeature),
    satellites: arrayOf(object.satellites, 'dashboard.satellites', toSatelliteSummary),
    diskSpace,
    bandwidth,
  }) as SnoDashboard;
}

const WALLET_FEATURE_FIELDS = { value: STRING };
const SATELLITE_SUMMARY_FIELDS = { url: STRING, disqualified: TIME_OR_NULL, suspended: TIME_OR_NULL, vettedAt: TIME_OR_NULL, currentStorageUsed: NUMBER };

function toWalletFeature(value: unknown, path: string): string {
  checkFields({ value }, path, WALLET_FEATURE_FIELDS);
  return value as string;
}

function toSatelliteSummary(value: unknown, path: string): SnoSatelliteSummary {
  const satellite = toObject(value, path);
  checkFields(satellite, path, SATELLITE_SUMMARY_FIELDS);
  if (typeof satellite.id !== 'string') throw new ApiRequestError(`${path}.id is not a string`, 'body');
  return satellite as SnoSatelliteSummary;
}
