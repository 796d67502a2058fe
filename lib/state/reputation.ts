import { requireFinite } from '../validate.js';

/** The three per-satellite scores a node reports in `GET /api/sno/satellites` `audits[]`. */
export type ReputationScore = 'audit' | 'suspension' | 'online';

/** The scores in the order they are judged and shown. */
export const REPUTATION_SCORES: readonly ReputationScore[] = Object.freeze(['audit', 'suspension', 'online']);

/**
 * One satellite's view of a node, as the node reports it (storagenode/console
 * `Audits`: `auditScore`, `suspensionScore`, `onlineScore`, `satelliteName`; storj
 * v1.162.3 storagenode/console/service.go). `satellite` is the satellite's address
 * (`us1.storj.io:7777`): the endpoint gives no ID.
 *
 * @example
 * ```ts
 * const scores: SatelliteScores = { satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 0.98 };
 * ```
 */
export interface SatelliteScores {
  readonly satellite: string;
  readonly audit: number;
  readonly suspension: number;
  readonly online: number;
}

/** Warning thresholds per score: a score below its threshold warns. */
export type ReputationThresholds = Readonly<Record<ReputationScore, number>>;

/**
 * Where the satellites act, release defaults of storj v1.162.3
 * (satellite/reputation/config.go, commit 5c4141f99e): disqualified when the audit score
 * is <= 0.96 (`AuditDQ`, permanent); suspended when the suspension (unknown-audit) score
 * is <= 0.6 (`UnknownAuditDQ`) or the online score is < 0.6 (`AuditHistory.OfflineThreshold`,
 * once a 30-day tracking period is full). See satellite/reputation/writecache.go there.
 */
export const SATELLITE_LIMITS: ReputationThresholds = Object.freeze({ audit: 0.96, suspension: 0.6, online: 0.6 });

/**
 * The default warning thresholds: a quarter of the way down from a perfect 1 to
 * {@link SATELLITE_LIMITS}, so that there is time to act. For the audit score that is
 * 0.99, where the node's own dashboard turns a score yellow (storj v1.162.3
 * web/storagenode/src/storagenode/sno/sno.ts, `WARNING_MINIMUM_SCORE`); for the
 * suspension and online scores 0.9 (about three unknown-result audits in a row; about
 * three days offline in thirty).
 */
export const REPUTATION_WARNING_THRESHOLDS: ReputationThresholds = Object.freeze({ audit: 0.99, suspension: 0.9, online: 0.9 });

/**
 * Checks warning thresholds (each a number 0-1) and fills in
 * {@link REPUTATION_WARNING_THRESHOLDS}; a bad value throws a `RangeError` naming it.
 *
 * @example
 * ```ts
 * reputationThresholds({ online: 0.95 }); // { audit: 0.99, suspension: 0.9, online: 0.95 }
 * ```
 */
export function reputationThresholds(options: Partial<ReputationThresholds> = {}, path = 'reputationThresholds'): ReputationThresholds {
  const known = new Set<string>(REPUTATION_SCORES);
  for (const key of Object.keys(options))
    if (!known.has(key)) throw new RangeError(`${path}.${key} is not a known score (known: ${REPUTATION_SCORES.join(', ')})`);
  return {
    audit: requireFinite(`${path}.audit`, options.audit ?? REPUTATION_WARNING_THRESHOLDS.audit, 0, 1),
    suspension: requireFinite(`${path}.suspension`, options.suspension ?? REPUTATION_WARNING_THRESHOLDS.suspension, 0, 1),
    online: requireFinite(`${path}.online`, options.online ?? REPUTATION_WARNING_THRESHOLDS.online, 0, 1),
  };
}

/**
 * One score of one satellite below its warning threshold.
 *
 * @example
 * ```ts
 * const warning: ReputationWarning = { satellite: 'us1.storj.io:7777', score: 'online', value: 0.71, threshold: 0.9 };
 * ```
 */
export interface ReputationWarning {
  readonly satellite: string;
  readonly score: ReputationScore;
  readonly value: number;
  readonly threshold: number;
}

/**
 * Every score below its threshold, satellite by satellite in the order given, each
 * satellite's in the order audit, suspension, online.
 *
 * @example
 * ```ts
 * reputationWarnings([{ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 0.71 }], REPUTATION_WARNING_THRESHOLDS);
 * // [{ satellite: 'us1.storj.io:7777', score: 'online', value: 0.71, threshold: 0.9 }]
 * ```
 */
export function reputationWarnings(satellites: readonly SatelliteScores[], thresholds: ReputationThresholds): ReputationWarning[] {
  return satellites.flatMap((scores) =>
    REPUTATION_SCORES.filter((score) => scores[score] < thresholds[score]).map((score) => ({
      satellite: scores.satellite,
      score,
      value: scores[score],
      threshold: thresholds[score],
    })),
  );
}

/**
 * A score fell below its warning threshold (`reputation`), or is back at or above it
 * (`reputation_recovered`); one of each per crossing.
 *
 * @example
 * ```ts
 * const alert: ReputationAlert = { type: 'reputation', node: 'node1', satellite: 'us1.storj.io:7777', score: 'audit', value: 0.985, threshold: 0.99 };
 * ```
 */
export interface ReputationAlert extends ReputationWarning {
  readonly type: 'reputation' | 'reputation_recovered';
  readonly node: string;
}

/**
 * The alerts between two readings of one node as a pure function: `reputation` for each
 * warning that is new, `reputation_recovered` for each earlier warning whose satellite
 * now reads at or above the threshold. A satellite missing from the new reading (left
 * the node's trust list) neither alerts nor recovers.
 *
 * @example
 * ```ts
 * const before = reputationWarnings(previous, thresholds);
 * const after = reputationWarnings(latest, thresholds);
 * reputationAlertsBetween('node1', before, after, latest, thresholds); // [{ type: 'reputation', ... }]
 * ```
 */
export function reputationAlertsBetween(
  node: string,
  before: readonly ReputationWarning[],
  after: readonly ReputationWarning[],
  latest: readonly SatelliteScores[],
  thresholds: ReputationThresholds,
): ReputationAlert[] {
  const key = (warning: { readonly satellite: string; readonly score: ReputationScore }): string => `${warning.score}\u0000${warning.satellite}`;
  const warnedBefore = new Set(before.map(key));
  const warnedAfter = new Set(after.map(key));
  const alerts: ReputationAlert[] = after.filter((warning) => !warnedBefore.has(key(warning))).map((warning) => ({ type: 'reputation', node, ...warning }));
  for (const warning of before) {
    if (warnedAfter.has(key(warning))) continue;
    const scores = latest.find((satellite) => satellite.satellite === warning.satellite);
    if (scores)
      alerts.push({
        type: 'reputation_recovered',
        node,
        satellite: warning.satellite,
        score: warning.score,
        value: scores[warning.score],
        threshold: thresholds[warning.score],
      });
  }
  return alerts;
}
