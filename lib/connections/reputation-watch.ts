import createDebug from 'debug';
import { asyncScheduler, catchError, concatMap, defer, delay, EMPTY, map, of, repeat, take, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { NodeReputation } from '../state/health-tracker.js';
import { requireInteger } from '../validate.js';
import type { NodeApiClient } from './node-api-client.js';
import { toSatelliteScores } from './satellite-scores.js';

const warn = createDebug('storj-monitor:api-client:warn');

/** Options of {@link reputationReadings}. */
export interface ReputationReadingsOptions {
  /** From the end of one reading to the start of the next, in ms. Defaults to 3600000 (1 h): the endpoint is heavy for the node. */
  readonly intervalMs?: number;
  /** Timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * A node's per-satellite scores, read with `GET /api/sno/satellites` once the API is
 * available (at once if it is, else at its next `connected`), then again `intervalMs`
 * after each reading, waiting for the API again whenever it is down then. A reading that
 * fails is skipped (the next comes an interval later); one per `intervalMs` at most.
 *
 * @example
 * ```ts
 * reputationReadings(client, client.connected$).subscribe((reading) => tracker.record(reading));
 * ```
 */
export function reputationReadings(
  client: NodeApiClient,
  connected$: Observable<unknown>,
  options: ReputationReadingsOptions = {},
): Observable<NodeReputation> {
  const intervalMs = requireInteger('reputationIntervalMs', options.intervalMs ?? 3_600_000, 1);
  const scheduler = options.scheduler ?? asyncScheduler;
  // A `connected` transition is seen while the client is still reporting it: the query
  // goes out a turn later, when the client counts itself available.
  const whenAvailable$ = defer(() => (client.isAvailable ? of(undefined) : connected$.pipe(take(1), delay(0, scheduler))));
  const reading$ = defer(() => client.satellites()).pipe(
    map((body): NodeReputation => ({ node: client.node, satellites: toSatelliteScores(body) })),
    catchError((error: unknown) => {
      warn('[%s] Reading the satellite scores failed: %s', client.node, error instanceof Error ? error.message : String(error));
      return EMPTY;
    }),
  );
  return whenAvailable$.pipe(
    concatMap(() => reading$),
    repeat({ delay: () => timer(intervalMs, scheduler) }),
  );
}
