import { Observable, type OperatorFunction } from 'rxjs';

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
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          for (const item of batch) {
            if (subscriber.closed) return;
            subscriber.next(item);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
