import { ApiRequestError } from '../sources/api-request-error.js';
import type { SatelliteScores } from '../state/reputation.js';
import { toObject } from './json-fields.js';

/** A node has a handful of trusted satellites; more than this in one answer is not believed. */
const MAX_SATELLITES = 64;
/** A satellite's address as the node names it (`us1.storj.io:7777`, `[2001:db8::1]:7777`). */
const SATELLITE_ADDRESS = /^[A-Za-z0-9.\-[\]:]{1,260}$/;

/**
 * The per-satellite scores of a `GET /api/sno/satellites` answer: its `audits` array of
 * `{ auditScore, suspensionScore, onlineScore, satelliteName }` (storj v1.162.3
 * storagenode/console/service.go `Satellites.Audits` and `Audits`, served by
 * storagenode/console/consoleapi/storagenode.go `Satellites`). A fresh node sends
 * `null` (no satellites yet): none, as for an answer without `audits`. An entry whose
 * scores are not numbers in [0, 1] or whose name is not an address is skipped; at most
 * 64 are read. An answer that is not an object, or whose `audits` is there but neither
 * an array nor `null`, is a wrong-shape error.
 *
 * @example
 * ```ts
 * toSatelliteScores({ audits: [{ auditScore: 1, suspensionScore: 1, onlineScore: 0.98, satelliteName: 'us1.storj.io:7777' }] });
 * // [{ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 0.98 }]
 * ```
 */
export function toSatelliteScores(body: unknown): SatelliteScores[] {
  const { audits } = toObject(body, 'Satellites response');
  if (audits === null || audits === undefined) return [];
  if (!Array.isArray(audits)) throw new ApiRequestError('Satellites response has no audits array', 'body');
  return audits.slice(0, MAX_SATELLITES).flatMap((entry: unknown): SatelliteScores[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { auditScore, suspensionScore, onlineScore, satelliteName } = entry as Record<string, unknown>;
    if (typeof satelliteName !== 'string' || !SATELLITE_ADDRESS.test(satelliteName)) return [];
    if (!isScore(auditScore) || !isScore(suspensionScore) || !isScore(onlineScore)) return [];
    return [{ satellite: satelliteName, audit: auditScore, suspension: suspensionScore, online: onlineScore }];
  });
}

function isScore(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}
