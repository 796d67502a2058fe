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
  return (source) => new Observable<Out>((subscriber) => source.subscribe(new Forwarding(subscriber, observe(subscriber))));
}

/**
 * The observer an operator's source gets: what `observe` returned, with the missing
 * `error` and `complete` forwarded. An object with methods, not a fresh closure per
 * notification kind: a thousand long-lived connections each hold a few of these.
 */
class Forwarding<In, Out> {
  constructor(
    private readonly subscriber: Subscriber<Out>,
    private readonly observer: SourceObserver<In>,
  ) {}

  next(value: In): void {
    this.observer.next(value);
  }

  error(cause: unknown): void {
    if (this.observer.error) this.observer.error(cause);
    else this.subscriber.error(cause);
  }

  complete(): void {
    if (this.observer.complete) this.observer.complete();
    else this.subscriber.complete();
  }
}
