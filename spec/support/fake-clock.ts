import sinon from 'sinon';

/**
 * Sinon's fake timers over what a node API client's timers are made of (`setTimeout`,
 * `setInterval` and `Date`), leaving `setImmediate` and `process.nextTick` real, so that
 * real sockets still carry the answers while virtual time runs the checks.
 *
 * @example
 * ```ts
 * const clock = fakeClock();
 * await clock.tickAsync(30_000); // the next health check
 * clock.restore();
 * ```
 */
export function fakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}
