import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * The timer of a client's next health check: one pending run of its work at a time,
 * armed again after each check.
 *
 * @example
 * ```ts
 * const timer = checkTimer(asyncScheduler, () => sendCheck());
 * timer.arm(30_000); // after each check ended
 * timer.cancel(); // on stop
 * ```
 */
export interface CheckTimer {
  /** Runs the work once, `delayMs` from now, in place of any run still pending. */
  arm(delayMs: number): void;
  /** The pending run does not happen; `arm` starts another. */
  cancel(): void;
}

/**
 * A {@link CheckTimer} on `scheduler`. On the default scheduler it is one Node timer,
 * re-armed with `refresh()` when the delay is the one before: RxJS's `asyncScheduler`
 * makes a `setInterval` per run of an action scheduled again once it has run, and that
 * timer (with the bound function it calls) lives until the next check, 30 s, long
 * enough for V8 to move it to the old generation, which is what a fleet's idle CPU pays
 * for (README, Performance). On any other scheduler (virtual time in tests) it schedules
 * the action that ran the last check again.
 *
 * @example
 * ```ts
 * const timer = checkTimer(new VirtualTimeScheduler(), () => console.log('check'));
 * timer.arm(1000);
 * ```
 */
export function checkTimer(scheduler: SchedulerLike, work: () => void): CheckTimer {
  return scheduler === asyncScheduler ? new NodeCheckTimer(work) : new ScheduledCheckTimer(scheduler, work);
}

class NodeCheckTimer implements CheckTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delayMs = -1;

  constructor(private readonly work: () => void) {}

  arm(delayMs: number): void {
    if (this.timer !== undefined && delayMs === this.delayMs) {
      // Also a timer that already ran: refresh() sets it going again.
      this.timer.refresh();
      return;
    }
    this.cancel();
    this.delayMs = delayMs;
    this.timer = setTimeout(this.work, delayMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    // A cleared timer does not come back with refresh(): the next arm makes another.
    this.timer = undefined;
  }
}

class ScheduledCheckTimer implements CheckTimer {
  /** The action that ran the last check: scheduled again for the next one, not a new one per check. */
  private action: SchedulerAction<undefined> | undefined;
  private pending: Subscription | undefined;
  private readonly run: (this: SchedulerAction<undefined>) => void;

  constructor(
    private readonly scheduler: SchedulerLike,
    work: () => void,
  ) {
    const keep = (action: SchedulerAction<undefined>): void => {
      this.action = action;
    };
    // A scheduler hands its work the action as `this`, the way to schedule it again.
    this.run = function (this: SchedulerAction<undefined>): void {
      keep(this);
      work();
    };
  }

  arm(delayMs: number): void {
    // An action scheduled again replaces its own pending run.
    if (this.action !== undefined) {
      this.pending = this.action.schedule(undefined, delayMs);
      return;
    }
    this.pending?.unsubscribe();
    this.pending = this.scheduler.schedule(this.run, delayMs);
  }

  cancel(): void {
    this.pending?.unsubscribe();
    this.pending = undefined;
    // An unsubscribed action is closed and does not run again.
    this.action = undefined;
  }
}
