import { ApiRequestError } from '../sources/api-request-error.js';
import { arrayOf, BOOLEAN, checkFields, NUMBER, optionalObject, STRING, TIME_OR_NULL, toObject, type JsonObject } from './json-fields.js';

// `GET /api/sno/satellites` and `GET /api/sno/satellite/{id}` as storj's console service
// (storagenode/console/service.go: Satellites, Satellite) marshals them, v1.80 .. v1.162.

/** A day of stored data (`storageusage.Stamp` per satellite, `StampGroup` summed): byte-hours and bytes. */
export interface SnoStorageDay extends JsonObject {
  readonly atRestTotal: number;
  readonly atRestTotalBytes: number;
  readonly intervalStart: string;
  /** `Stamp` only. */
  readonly intervalInHours?: number;
  /** v1.162 on: derived by the node, not reported by the satellite. */
  readonly calculated?: boolean;
}

/** A day of bandwidth (`bandwidth.UsageRollup`), in bytes. */
export interface SnoBandwidthDay extends JsonObject {
  readonly egress: { readonly repair: number; readonly audit: number; readonly usage: number };
  readonly ingress: { readonly repair: number; readonly usage: number };
  readonly delete: number;
  readonly intervalStart: string;
}

/** The daily series and summaries that `console.Satellites` and `console.Satellite` both carry. */
export interface SnoUsageTotals extends JsonObject {
  readonly storageDaily: readonly SnoStorageDay[];
  readonly bandwidthDaily: readonly SnoBandwidthDay[];
  readonly storageSummary?: number;
  readonly averageUsageBytes?: number;
  readonly bandwidthSummary?: number;
  readonly egressSummary?: number;
  readonly ingressSummary?: number;
}

/** `GET /api/sno/satellites`: the totals over all satellites (`console.Satellites`). */
export interface SnoSatellites extends SnoUsageTotals {
  readonly earliestJoinedAt?: string;
  readonly audits: readonly JsonObject[];
}

/** `GET /api/sno/satellite/{id}`: one satellite (`console.Satellite`). */
export interface SnoSatellite extends SnoUsageTotals {
  readonly id: string;
  /** Up to v1.121 only (bytes). */
  readonly currentStorageUsed?: number;
  readonly audits?: { readonly auditScore: number; readonly suspensionScore: number; readonly onlineScore: number; readonly satelliteName: string };
  readonly auditHistory?: { readonly score: number; readonly windows: readonly JsonObject[] };
  /** Cents per TB (per TB-month for `DiskSpace`); storj marshals these keys capitalised. */
  readonly priceModel?: { readonly EgressBandwidth: number; readonly RepairBandwidth: number; readonly AuditBandwidth: number; readonly DiskSpace: number };
  readonly nodeJoinedAt?: string;
  /** v1.131 on. */
  readonly vettedAt?: string | null;
}

const SUMMARY = { storageSummary: NUMBER, averageUsageBytes: NUMBER, bandwidthSummary: NUMBER, egressSummary: NUMBER, ingressSummary: NUMBER } as const;

/**
 * Accepts `GET /api/sno/satellites`; its `null` arrays become `[]`.
 *
 * @example
 * ```ts
 * toSatellites({ storageDaily: null, bandwidthDaily: null, audits: null }).audits; // []
 * ```
 */
export function toSatellites(body: unknown): SnoSatellites {
  const object = toObject(body);
  checkFields(object, 'satellites', { ...SUMMARY, earliestJoinedAt: STRING });
  return {
    ...object,
    storageDaily: arrayOf(object.storageDaily, 'satellites.storageDaily', storageDay),
    bandwidthDaily: arrayOf(object.bandwidthDaily, 'satellites.bandwidthDaily', (value, path) => toObject(value, path) as SnoBandwidthDay),
    audits: arrayOf(object.audits, 'satellites.audits', toObject),
  };
}

/**
 * Accepts `GET /api/sno/satellite/{id}`; its `null` arrays become `[]`.
 *
 * @example
 * ```ts
 * toSatellite({ id: '12Ea...', storageDaily: null, bandwidthDaily: [] }).storageDaily; // []
 * ```
 */
export function toSatellite(body: unknown): SnoSatellite {
  const object = toObject(body);
  if (typeof object.id !== 'string') throw new ApiRequestError('Response has no string id', 'body');
  checkFields(object, 'satellite', { ...SUMMARY, nodeJoinedAt: STRING, vettedAt: TIME_OR_NULL, currentStorageUsed: NUMBER });
  const auditHistory = optionalObject(object.auditHistory, 'satellite.auditHistory', (history, path) => ({
    ...history,
    windows: arrayOf(history.windows, `${path}.windows`, toObject),
  }));
  return {
    ...object,
    id: object.id,
    storageDaily: arrayOf(object.storageDaily, 'satellite.storageDaily', storageDay),
    bandwidthDaily: arrayOf(object.bandwidthDaily, 'satellite.bandwidthDaily', (value, path) => toObject(value, path) as SnoBandwidthDay),
    ...(auditHistory && { auditHistory: auditHistory as SnoSatellite['auditHistory'] }),
  };
}

function storageDay(value: unknown, path: string): SnoStorageDay {
  const day = toObject(value, path);
  checkFields(day, path, { atRestTotal: NUMBER, atRestTotalBytes: NUMBER, intervalStart: STRING, intervalInHours: NUMBER, calculated: BOOLEAN });
  return day as SnoStorageDay;
}
