import { expect } from 'chai';
import fc from 'fast-check';
import { nextFirstCheckAt } from '../../lib/fleet/first-check-pacing.js';

describe('nextFirstCheckAt', () => {
  it('gives one check every spacing, none before now, and falls back to now once the queue is past', () => {
    let lastAt = -Infinity;
    const at = (now: number): number => (lastAt = nextFirstCheckAt(lastAt, now, 2));
    expect([at(100), at(100), at(100), at(101)]).to.deep.equal([100, 102, 104, 106]);
    expect(at(500)).to.equal(500);
  });

  it('spacing 0 is every check at once, even when an earlier spacing queued some later', () => {
    expect(nextFirstCheckAt(-Infinity, 7, 0)).to.equal(7);
    expect(nextFirstCheckAt(1000, 7, 0)).to.equal(7);
  });

  it('for any requests in time order: never before its request, spaced at least the spacing apart, and never later than needed (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { maxLength: 100 }), fc.integer({ min: 0, max: 1000 }), (gaps, spacingMs) => {
        let now = 0;
        let lastAt = -Infinity;
        for (const gap of gaps) {
          now += gap;
          const at = nextFirstCheckAt(lastAt, now, spacingMs);
          expect(at).to.be.at.least(now);
          if (lastAt !== -Infinity) expect(at - lastAt).to.be.at.least(spacingMs);
          // Later than its request only to keep the spacing after the one before.
          if (at > now) expect(at).to.equal(lastAt + spacingMs);
          lastAt = at;
        }
      }),
    );
  });
});
