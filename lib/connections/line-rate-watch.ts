import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { judgeLineBucket, lineBucketsInterrupted, NO_LINE_BUCKETS, type LineRateRule } from '../state/line-rate-degradation.js';
import type { DegradationEvent, LogReaderEvent } from '../state/transitions.js';

/**
 * Watches a log source's line rate: fed the source's events, it counts the lines of
 * each `rule.bucketMs` while connected (a timer on `scheduler`), judges each bucket
 * with {@link judgeLineBucket}, and reports a {@link DegradationEvent} each time the
 * verdict changes. A connection that ends stops the timer and ends a degradation.
 *
 * @example
 * ```ts
 * const watch = lineRateWatch(lineRateRule(), asyncScheduler, (event) => report(event));
 * watch({ type: 'connected', reconnectAttempts: 0 });
 * watch({ type: 'lines_received', count: 120 });
 * ```
 */
export function lineRateWatch(rule: LineRateRule, scheduler: SchedulerLike, report: (event: DegradationEvent) => void): (event: LogReaderEvent) => void {
  let history = NO_LINE_BUCKETS;
  let lines = 0;
  let timer: Subscription | undefined;
  const judge = (next: typeof history): void => {
    const changed = next.degraded !== history.degraded;
    history = next;
    if (changed) report({ type: 'degradation', degraded: next.degraded, reason: next.reason });
  };
  function closeBucket(this: SchedulerAction<undefined>): void {
    const counted = lines;
    lines = 0;
    judge(judgeLineBucket(history, counted, rule));
    this.schedule(undefined, rule.bucketMs);
  }
  return (event) => {
    switch (event.type) {
      case 'connected':
        lines = 0;
        timer ??= scheduler.schedule(closeBucket, rule.bucketMs);
        break;
      case 'lines_received':
        lines += event.count;
        break;
      case 'disconnected':
      case 'failed':
      case 'exhausted':
      case 'stopped':
        timer?.unsubscribe();
        timer = undefined;
        judge(lineBucketsInterrupted(history));
        break;
      default:
        break;
    }
  };
}
