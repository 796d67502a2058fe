import { ApiRequestError } from '../sources/api-request-error.js';

/** A JSON object as the node sends it; fields beyond those typed are kept. */
export type JsonObject = { readonly [key: string]: unknown };

/**
 * One satellite in the dashboard. `disqualified` and `suspended` are timestamps or
 * `null`, not booleans (SPEC §3.3).
 */
export interface SnoSatelliteSummary extends JsonObject {
  readonly id: string;
  readonly url?: string;
  readonly disqualified?: string | null;
  readonly suspended?: string | null;
}

/**
 * The node dashboard, `GET /api/sno/` (SPEC §3.3). Only `nodeID` is checked; the other
 * fields are typed as the node documents them, and may be missing on old nodes.
 *
 * @example
 * ```ts
 * client.dashboard().subscribe((dashboard) => console.log(dashboard.nodeID, dashboard.diskSpace?.used));
 * ```
 */
export interface SnoDashboard extends JsonObject {
  readonly nodeID: string;
  readonly wallet?: string;
  readonly walletFeatures?: readonly string[] | null;
  readonly satellites?: readonly SnoSatelliteSummary[];
  readonly diskSpace?: { readonly used: number; readonly available: number; readonly trash: number; readonly overused: number };
  readonly bandwidth?: { readonly used: number };
  readonly lastPinged?: string;
  readonly version?: string;
  readonly allowedVersion?: string;
  readonly upToDate?: boolean;
  readonly startedAt?: string;
  readonly quicStatus?: string;
  readonly configuredPort?: string;
  readonly lastQuicPingedAt?: string;
}

/**
 * Accepts a dashboard: a JSON object with a string `nodeID` (what "healthy" means).
 *
 * @example
 * ```ts
 * toDashboard({ nodeID: '12AB' }).nodeID; // '12AB'
 * toDashboard('<html>'); // throws ApiRequestError
 * ```
 */
export function toDashboard(body: unknown): SnoDashboard {
  const object = toObject(body);
  if (typeof object.nodeID !== 'string' || object.nodeID === '') {
    throw new ApiRequestError('Response has no string nodeID', 'body');
  }
  return object as SnoDashboard;
}

/**
 * Accepts any JSON object; anything else is a wrong-shape error.
 *
 * @example
 * ```ts
 * toObject({ a: 1 }); // { a: 1 }
 * ```
 */
export function toObject(body: unknown): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiRequestError(
      `Response is not a JSON object (got ${Array.isArray(body) ? 'an array' : typeof body === 'object' ? 'null' : typeof body})`,
      'body',
    );
  }
  return body as JsonObject;
}

/**
 * Accepts a JSON array of objects (the paystubs); anything else is a wrong-shape error.
 *
 * @example
 * ```ts
 * toObjectArray([{ period: '2025-09' }]).length; // 1
 * ```
 */
export function toObjectArray(body: unknown): readonly JsonObject[] {
  if (body === null) return [];
  if (!Array.isArray(body)) throw new ApiRequestError(`Response is not a JSON array (got ${typeof body})`, 'body');
  return body.map(toObject);
}

/**
 * Checks a paystub month (`YYYY-MM`) and returns it; a `RangeError` names the argument.
 *
 * @example
 * ```ts
 * requireMonth('from', '2025-09'); // '2025-09'
 * ```
 */
export function requireMonth(name: string, month: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`${name} must be a month as YYYY-MM; got ${JSON.stringify(month)}`);
  return month;
}
