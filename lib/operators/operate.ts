import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';

/**
 * What an operator does with its source's notifications, for one subscription. An
 * omitted `error` or `complete` is passed on as it came.
 */
export interface SourceObserver<In> {
  readonly next: (value: In) => void;
  readonly error?: (error: unknown) => void;
  readonly complete?: () => void;
}

/**
 * The one place an operator subscribes to its source (RxJS has `operate` and
 * `OperatorSubscriber` for this): per subscription, `observe` gets the downstream
 * subscriber and returns what to do with each notification; errors and completion
 * are forwarded unless it handles them, and unsubscribing downstream unsubscribes
 * from the source.
 *
 * @example
 * ```ts
 * const doubled = operate<number, number>((subscriber) => ({ next: (value) => subscriber.next(value * 2) }));
 * of(1, 2).pipe(doubled).subscribe(console.log); // 2, 4
 * ```
 */
export function operate<In, Out>(observe: (subscriber: Subscriber<Out>) => SourceObserver<In>): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      const { next, error = (cause: unknown) => subscriber.error(cause), complete = () => subscriber.complete() } = observe(subscriber);
      return source.subscribe({ next, error, complete });
    });
}
