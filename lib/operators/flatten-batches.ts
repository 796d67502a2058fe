import type { OperatorFunction } from 'rxjs';
import { operate } from './operate.js';

/**
 * Emits the items of each array one by one: `mergeAll()` for arrays, without an inner
 * subscription per array, so a batch of lines costs one loop. `onBatch`, when given,
 * sees each array before its items go out (a count, a check): what a `tap` before it
 * would do, without another subscriber per subscription.
 *
 * @example
 * ```ts
 * of([1, 2], [3]).pipe(flattenBatches()).subscribe(console.log); // 1, 2, 3
 * of([1, 2], [3]).pipe(flattenBatches((batch) => console.log(`${batch.length} items`))).subscribe();
 * ```
 */
export function flattenBatches<T>(onBatch?: (batch: readonly T[]) => void): OperatorFunction<readonly T[], T> {
  return operate<readonly T[], T>((subscriber) => ({
    next: (batch) => {
      onBatch?.(batch);
      for (const item of batch) {
        if (subscriber.closed) return;
        subscriber.next(item);
      }
    },
  }));
}
