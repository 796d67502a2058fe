import { expect } from 'chai';
import { asyncScheduler, VirtualTimeScheduler } from 'rxjs';
import sinon from 'sinon';
import { checkTimer } from '../../lib/connections/check-timer.js';
import { fakeClock } from '../support/fake-clock.js';

describe('checkTimer', () => {
  describe('on the default scheduler (Node timers, sinon fake timers)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = fakeClock();
    });
    afterEach(() => clock.restore());

    it('runs once per arm, delayMs after it; armed again with the same delay it is the same timer, not a new one', () => {
      const runs: number[] = [];
      // The fake setTimeout hands each call to the clock's own method: spied there, no global is touched.
      const made = sinon.spy(clock, 'setTimeout');
      try {
        const timer = checkTimer(asyncScheduler, () => runs.push(Date.now()));
        timer.arm(30_000);
        clock.tick(29_999);
        expect(runs).to.deep.equal([]);
        clock.tick(1);
        expect(runs).to.deep.equal([30_000]);
        // Armed after a check that took 5 s: one interval from then.
        clock.tick(5_000);
        timer.arm(30_000);
        clock.tick(30_000);
        clock.tick(30_000);
        expect(runs).to.deep.equal([30_000, 65_000]);
        timer.arm(30_000);
        clock.tick(30_000);
        expect(runs).to.deep.equal([30_000, 65_000, 125_000]);
        expect(made.callCount).to.equal(1);
        expect(clock.countTimers()).to.equal(0);
      } finally {
        made.restore();
      }
    });

    it('a new delay replaces the pending run; cancel() leaves nothing pending, and arm() after it runs again', () => {
      const runs: number[] = [];
      const timer = checkTimer(asyncScheduler, () => runs.push(Date.now()));
      timer.arm(120);
      timer.arm(30_000);
      expect(clock.countTimers()).to.equal(1);
      clock.tick(30_000);
      expect(runs).to.deep.equal([30_000]);
      timer.arm(30_000);
      timer.cancel();
      expect(clock.countTimers()).to.equal(0);
      clock.tick(60_000);
      expect(runs).to.deep.equal([30_000]);
      timer.arm(30_000);
      clock.tick(30_000);
      expect(runs).to.deep.equal([30_000, 120_000]);
      timer.cancel();
      timer.cancel();
      expect(clock.countTimers()).to.equal(0);
    });
  });

  describe('on another scheduler (virtual time)', () => {
    it('runs once per arm, delayMs after it; the action that ran is scheduled again; cancel() leaves nothing scheduled', () => {
      const scheduler = new VirtualTimeScheduler();
      const runs: number[] = [];
      const timer = checkTimer(scheduler, () => runs.push(scheduler.now()));
      timer.arm(100);
      timer.arm(200);
      scheduler.flush();
      expect(runs).to.deep.equal([200]);
      timer.arm(1000);
      scheduler.flush();
      expect(runs).to.deep.equal([200, 1200]);
      timer.arm(1000);
      timer.cancel();
      scheduler.flush();
      expect(runs).to.deep.equal([200, 1200]);
      expect(scheduler.actions).to.have.length(0);
      timer.arm(50);
      scheduler.flush();
      expect(runs).to.deep.equal([200, 1200, 1250]);
    });
  });
});
