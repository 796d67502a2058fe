import type { OperatorFunction } from 'rxjs';
import { operate } from './operate.js';

/**
 * Emits the items of each array one by one: `mergeAll()` for arrays, without an inner
 * subscription per array, so a batch of lines costs one loop.
 *
 * @example
 * ```ts
 * of([1, 2], [3]).pipe(flattenBatches()).subscribe(console.log); // 1, 2, 3
 * ```
 */
export function flattenBatches<T>(): OperatorFunction<readonly T[], T> {
  return operate<readonly T[], T>((subscriber) => ({
    next: (batch) => {
      for (const item of batch) {
        if (subscriber.closed) return;
        subscriber.next(item);
      }
    },
  }));
}
