/**
 * How many API clients' first health checks a monitor sends per second when it starts, or
 * when nodes are added (`apiClient.firstChecksPerSecond`): 1,000 nodes take 2 s.
 *
 * Clients started together otherwise check in the same moment every interval (each next
 * check waits one interval after the last one ended, so the offsets they start with are
 * kept): a thousand requests in flight at once, whose buffers outlive a few young
 * collections and are promoted, and every round ends in full collections. Measured with
 * 1,000 clients every 30 s (README, Performance): 460 to 515 µs of CPU per check all at
 * once, 337 and 348 spread over 2 s, against a bare cross-fetch loop's 258 and 295.
 *
 * @example
 * ```ts
 * firstCheckSpacingMs(DEFAULT_FIRST_CHECKS_PER_SECOND); // 2
 * ```
 */
export const DEFAULT_FIRST_CHECKS_PER_SECOND = 500;

/**
 * The time between two first checks at `firstChecksPerSecond`; 0 (all at once) for 0.
 *
 * @example
 * ```ts
 * firstCheckSpacingMs(500); // 2
 * firstCheckSpacingMs(0); // 0
 * ```
 */
export function firstCheckSpacingMs(firstChecksPerSecond: number): number {
  return firstChecksPerSecond === 0 ? 0 : 1000 / firstChecksPerSecond;
}

/**
 * When the next first check may go out (a time of the same clock as `now`): one every
 * `spacingMs` after the last one given out, and never before `now`. A pure step: the
 * caller keeps the time it returns and hands it back as `lastAt` next time (start with
 * `-Infinity`). `spacingMs` 0 sends every check at once.
 *
 * @example
 * ```ts
 * let lastAt = -Infinity;
 * const now = scheduler.now();
 * for (const api of apis) {
 *   lastAt = nextFirstCheckAt(lastAt, now, 2);
 *   api.start({ firstCheckDelayMs: lastAt - now }); // 0, 2, 4, ... ms
 * }
 * ```
 */
export function nextFirstCheckAt(lastAt: number, now: number, spacingMs: number): number {
  return spacingMs === 0 ? now : Math.max(now, lastAt + spacingMs);
}
