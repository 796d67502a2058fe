import { expect } from 'chai';
import { of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { flattenBatches } from '../../lib/index.js';

describe('flattenBatches (virtual time)', () => {
  const scheduler = () =>
    new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    });

  it('emits the items of each batch in order, an empty batch as nothing, and passes completion on', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<number[]>('-a-b-c|', { a: [1, 2], b: [], c: [3] });
      expectObservable(source.pipe(flattenBatches())).toBe('-(xy)z|', { x: 1, y: 2, z: 3 });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('passes an error on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number[]>('-a#', { a: [1] }).pipe(flattenBatches())).toBe('-a#', { a: 1 });
    });
  });

  it('stops inside a batch once downstream has had enough, and unsubscribes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<number[]>('-a-b', { a: [1, 2, 3], b: [4] });
      expectObservable(source.pipe(flattenBatches(), take(2))).toBe('-(xy|)', { x: 1, y: 2 });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('shows each batch, empty ones too, to onBatch before its items go out', () => {
    const seen: string[] = [];
    of([1, 2], [], [3])
      .pipe(flattenBatches<number>((batch) => seen.push(`batch of ${batch.length}`)))
      .subscribe((item) => seen.push(`item ${item}`));
    expect(seen).to.deep.equal(['batch of 2', 'item 1', 'item 2', 'batch of 0', 'batch of 1', 'item 3']);
  });
});
