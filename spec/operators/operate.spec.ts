import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { operate } from '../../lib/operators/operate.js';

const doubled = () => operate<number, number>((subscriber) => ({ next: (value) => subscriber.next(value * 2) }));

describe('operate (virtual time)', () => {
  const scheduler = () =>
    new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    });

  it('passes on what `next` emits, and completion as it came', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: 1, b: 2 });
      expectObservable(source.pipe(doubled())).toBe('-a-b-|', { a: 2, b: 4 });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes on an error as it came', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', { a: 1 }, new Error('boom')).pipe(doubled())).toBe('-a-#', { a: 2 }, new Error('boom'));
    });
  });

  it('lets the operator handle completion and errors itself', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const ended = operate<number, string>((subscriber) => ({
        next: (value) => subscriber.next(String(value)),
        complete: () => subscriber.error(new Error('closed')),
        error: () => {
          subscriber.next('failed');
          subscriber.complete();
        },
      }));
      expectObservable(cold('-a|', { a: 1 }).pipe(ended)).toBe('-a#', { a: '1' }, new Error('closed'));
      expectObservable(cold('-a#', { a: 1 }).pipe(ended)).toBe('-a(f|)', { a: '1', f: 'failed' });
    });
  });

  it('unsubscribes from the source when unsubscribed, and from a never-ending source too', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-', { a: 1, b: 2, c: 3, d: 4 });
      expectObservable(source.pipe(doubled()), '^---!').toBe('-a-b-', { a: 2, b: 4 });
      expectSubscriptions(source.subscriptions).toBe('^---!');
      const never = cold<number>('-');
      expectObservable(never.pipe(doubled()), '^--!').toBe('-');
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
  });

  it('an empty source completes at once; `observe` runs once per subscription', () => {
    let observed = 0;
    const counting = operate<number, number>((subscriber) => {
      observed++;
      return { next: (value) => subscriber.next(value) };
    });
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: 1 }).pipe(counting);
      expectObservable(source).toBe('a|', { a: 1 });
      expectObservable(source).toBe('a|', { a: 1 });
      expectObservable(cold<number>('|').pipe(counting)).toBe('|');
    });
    expect(observed).to.equal(3);
  });
});
