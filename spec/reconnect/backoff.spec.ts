import { expect } from 'chai';
import fc from 'fast-check';
import { API_CLIENT_BACKOFF, exponentialBackoff, LOG_READER_BACKOFF, type BackoffOptions } from '../../lib/index.js';
import { toBackoff } from '../../lib/reconnect/backoff.js';

const seconds = (delays: number[]): number[] => delays.map((ms) => ms / 1000);
const describeOptions = (options: BackoffOptions): string =>
  Object.entries(options)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
const attempts = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

describe('exponentialBackoff', () => {
  it('follows the log reader schedule: 2, 4, 8, 16, 32, 60, 60 ... s', () => {
    const delay = exponentialBackoff(LOG_READER_BACKOFF);
    expect(seconds(attempts(9).map(delay))).to.deep.equal([2, 4, 8, 16, 32, 60, 60, 60, 60]);
  });

  it('follows the API schedule: attempt N waits min(2^N, 300) s', () => {
    const delay = exponentialBackoff(API_CLIENT_BACKOFF);
    const expected = attempts(12).map((n) => Math.min(2 ** n, 300));
    expect(seconds(attempts(12).map(delay))).to.deep.equal(expected);
    expect(seconds(attempts(12).map(delay))).to.include.ordered.members([2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
  });

  it('defaults to 2 s doubling, capped at 300 s, without jitter', () => {
    const delay = exponentialBackoff();
    expect([1, 2, 3, 9, 10, 1000].map(delay)).to.deep.equal([2000, 4000, 8000, 300_000, 300_000, 300_000]);
  });

  it('stays finite for huge attempt numbers and for initialMs 0', () => {
    expect(exponentialBackoff({ maxMs: 5000 })(100_000)).to.equal(5000);
    expect(exponentialBackoff({ initialMs: 0, maxMs: 10 })(5000)).to.equal(0);
  });

  describe('jitter', () => {
    const fixed = (value: number) => () => value;

    it("'full' is uniform in [0, d]", () => {
      expect(exponentialBackoff({ jitter: 'full', random: fixed(0) })(3)).to.equal(0);
      expect(exponentialBackoff({ jitter: 'full', random: fixed(0.25) })(3)).to.equal(2000);
    });

    it("'equal' is d/2 plus uniform in [0, d/2]", () => {
      expect(exponentialBackoff({ jitter: 'equal', random: fixed(0) })(3)).to.equal(4000);
      expect(exponentialBackoff({ jitter: 'equal', random: fixed(0.5) })(3)).to.equal(6000);
    });

    it("'decorrelated' draws from [initial, previous * 3] and restarts at attempt 1", () => {
      const delay = exponentialBackoff({ jitter: 'decorrelated', random: fixed(1), maxMs: 60_000 });
      expect([1, 2, 3, 4, 5].map(delay)).to.deep.equal([6000, 18_000, 54_000, 60_000, 60_000]);
      expect(delay(1)).to.equal(6000);
      const low = exponentialBackoff({ jitter: 'decorrelated', random: fixed(0) });
      expect([1, 2, 3].map(low)).to.deep.equal([2000, 2000, 2000]);
    });

    it('keeps a misbehaving random() inside the bounds', () => {
      expect(exponentialBackoff({ jitter: 'full', random: fixed(7) })(1)).to.equal(2000);
      expect(exponentialBackoff({ jitter: 'full', random: fixed(Number.NaN) })(1)).to.equal(0);
      expect(exponentialBackoff({ jitter: 'full', random: fixed(-1) })(1)).to.equal(0);
    });
  });

  describe('invalid options', () => {
    const cases: Array<[string, BackoffOptions]> = [
      ['initialMs', { initialMs: -1 }],
      ['initialMs', { initialMs: Number.NaN }],
      ['initialMs', { initialMs: Number.POSITIVE_INFINITY }],
      ['maxMs', { initialMs: 5000, maxMs: 1000 }],
      ['maxMs', { maxMs: Number.NaN }],
      ['factor', { factor: 0.5 }],
      ['factor', { factor: Number.NaN }],
      ['jitter', { jitter: 'sometimes' as never }],
      ['random', { random: 42 as never }],
    ];
    for (const [name, options] of cases) {
      it(`rejects ${describeOptions(options)} with a RangeError naming ${name}`, () => {
        expect(() => exponentialBackoff(options)).to.throw(RangeError, new RegExp(`^${name} must be`));
      });
    }

    it('rejects an attempt that is not an integer >= 1', () => {
      const delay = exponentialBackoff();
      for (const attempt of [0, -1, 1.5, Number.NaN]) {
        expect(() => delay(attempt)).to.throw(RangeError, /^attempt must be/);
      }
    });
  });

  describe('properties', () => {
    const optionsArbitrary = fc
      .record({
        initialMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
        extraMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
        factor: fc.double({ min: 1, max: 10, noNaN: true }),
        jitter: fc.constantFrom('none', 'full', 'equal', 'decorrelated' as const),
        draws: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1 }),
      })
      .map(({ initialMs, extraMs, factor, jitter, draws }) => {
        let index = 0;
        const random = (): number => draws[index++ % draws.length] ?? 0;
        return { initialMs, maxMs: initialMs + extraMs, factor, jitter, random };
      });

    it('every delay lies in [0, maxMs] for any options and attempt', () => {
      fc.assert(
        fc.property(optionsArbitrary, fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 30 }), (options, tries) => {
          const delay = exponentialBackoff(options);
          for (const attempt of tries) {
            const ms = delay(attempt);
            expect(ms).to.be.at.least(0).and.at.most(options.maxMs);
          }
        }),
      );
    });

    it('without jitter, delays never shrink as attempts grow', () => {
      fc.assert(
        fc.property(optionsArbitrary, fc.integer({ min: 1, max: 2000 }), (options, attempt) => {
          const delay = exponentialBackoff({ ...options, jitter: 'none' });
          expect(delay(attempt + 1)).to.be.at.least(delay(attempt));
        }),
      );
    });
  });
});

describe('toBackoff', () => {
  it('passes a schedule through and builds one from options or the fallback', () => {
    const custom = (attempt: number): number => attempt * 100;
    expect(toBackoff(custom, LOG_READER_BACKOFF)).to.equal(custom);
    expect(toBackoff({ initialMs: 10 }, LOG_READER_BACKOFF)(2)).to.equal(20);
    expect(toBackoff(undefined, LOG_READER_BACKOFF)(6)).to.equal(60_000);
  });

  it('shares the schedule of a default without state among all who take it, and never a decorrelated one', () => {
    expect(toBackoff(undefined, LOG_READER_BACKOFF)).to.equal(toBackoff(undefined, LOG_READER_BACKOFF));
    expect(toBackoff(undefined, API_CLIENT_BACKOFF)).to.equal(toBackoff(undefined, API_CLIENT_BACKOFF));
    expect(toBackoff(undefined, LOG_READER_BACKOFF)).not.to.equal(toBackoff(undefined, API_CLIENT_BACKOFF));
    expect(toBackoff(undefined, API_CLIENT_BACKOFF)(8)).to.equal(256_000);
    // Options of one's own build a schedule of one's own, even when equal to a default.
    expect(toBackoff({ ...LOG_READER_BACKOFF }, LOG_READER_BACKOFF)).not.to.equal(toBackoff(undefined, LOG_READER_BACKOFF));
    // Decorrelated jitter remembers its last delay: two sources sharing it would move each other's waits.
    const decorrelated = { initialMs: 1000, maxMs: 60_000, jitter: 'decorrelated', random: () => 1 } as const;
    const first = toBackoff(undefined, decorrelated);
    const second = toBackoff(undefined, decorrelated);
    expect(first).not.to.equal(second);
    expect(first(1)).to.equal(3000);
    expect(second(2), 'up to 3 x its own last delay (1000), not 3 x the last delay of the other (3000)').to.equal(3000);
  });
});
