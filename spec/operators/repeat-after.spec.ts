import { expect } from 'chai';
import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { repeatAfter } from '../../lib/index.js';

const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

describe('repeatAfter (virtual time)', () => {
  it('subscribes again delayMs after each completion, and an unsubscribe during the wait cancels the next round', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const check = cold('-a|');
      expectObservable(check.pipe(repeatAfter(10, scheduler)), '^ 29ms !').toBe('-a 11ms a 11ms a');
      expectSubscriptions(check.subscriptions).toBe(['^-!', '12ms ^-!', '24ms ^-!']);
    });
  });

  it('an error ends it without another round', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const check = cold('-a-#');
      expectObservable(check.pipe(repeatAfter(10, scheduler))).toBe('-a-#');
      expectSubscriptions(check.subscriptions).toBe('^--!');
    });
  });

  it('a source that completes at once waits too: no loop within one tick, also with delay 0', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(of('x').pipe(repeatAfter(5, scheduler)), '^ 11ms !').toBe('x 4ms x 4ms x');
    });
    let rounds = 0;
    const subscription = of('y')
      .pipe(repeatAfter(0))
      .subscribe(() => rounds++);
    subscription.unsubscribe();
    expect(rounds).to.equal(1);
  });

  it('rejects a bad delayMs with a RangeError naming it', () => {
    expect(() => repeatAfter(-1)).to.throw(RangeError, /^delayMs/);
    expect(() => repeatAfter(1.5)).to.throw(RangeError, /^delayMs/);
  });
});
