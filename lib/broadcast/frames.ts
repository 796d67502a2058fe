import { asyncScheduler, filter, map, timer, withLatestFrom, type Observable, type SchedulerLike } from 'rxjs';
import type { ConnectionStates, ConnectionStatusFrame } from '../state/connection-status.js';

/** Options of {@link connectionStatusFrames}. */
export interface ConnectionStatusFramesOptions {
  /** Time between frames, in ms. Defaults to 10000 (SPEC §5). */
  readonly intervalMs?: number;
  /** Also emit the current frame at once on subscribe, so a new dashboard does not wait. Defaults to false. */
  readonly immediate?: boolean;
  /** Timers. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Samples a connection map into `connection_status` frames (SPEC §3.4) every
 * `intervalMs`: the latest value of a `states$` stream, or, cheaper, the result of a
 * snapshot function called once per frame (`() => registry.snapshot()`, which lets the
 * registry build no snapshot between frames). Emits nothing while the map is empty. The
 * frame's `states` is the immutable snapshot itself, so building a frame costs no copy.
 *
 * @example
 * ```ts
 * import { connectionStatusFrames, ConnectionRegistry } from 'storj-monitor-rx';
 *
 * const registry = new ConnectionRegistry();
 * connectionStatusFrames(() => registry.snapshot(), { intervalMs: 10_000, immediate: true })
 *   .subscribe((frame) => socket.send(JSON.stringify(frame)));
 * ```
 */
export function connectionStatusFrames(
  states: Observable<ConnectionStates> | (() => ConnectionStates),
  options: ConnectionStatusFramesOptions = {},
): Observable<ConnectionStatusFrame> {
  const intervalMs = options.intervalMs ?? 10_000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalMs must be a positive number; got ${String(intervalMs)}`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const ticks$ = timer(options.immediate ? 0 : intervalMs, intervalMs, scheduler);
  const sampled$ =
    typeof states === 'function'
      ? ticks$.pipe(map(states))
      : ticks$.pipe(
          withLatestFrom(states),
          map(([, latest]) => latest),
        );
  return sampled$.pipe(
    filter(hasAnyNode),
    map((latest): ConnectionStatusFrame => ({ type: 'connection_status', states: latest })),
  );
}

function hasAnyNode(states: ConnectionStates): boolean {
  for (const node in states) if (Object.hasOwn(states, node)) return true;
  return false;
}
