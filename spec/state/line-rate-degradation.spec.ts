import { expect } from 'chai';
import fc from 'fast-check';
import { judgeLineBucket, lineRateRule, NO_LINE_BUCKETS, type LineRateHistory, type LineRateOptions, type LineRateRule } from '../../lib/index.js';
import { lineBucketsInterrupted } from '../../lib/state/line-rate-degradation.js';
import { scanStates } from '../support/scan-states.js';

const rule = lineRateRule();

const run = (buckets: readonly number[], own: LineRateRule = rule, from: LineRateHistory = NO_LINE_BUCKETS): LineRateHistory[] =>
  scanStates(buckets, from, (history, lines) => judgeLineBucket(history, lines, own));

describe('lineRateRule and judgeLineBucket', () => {
  it('has the documented defaults and names a bad field', () => {
    expect(lineRateRule()).to.deep.equal({ bucketMs: 60_000, usualBuckets: 30, minUsualLines: 10, collapseRatio: 0.1, quietBuckets: 5 });
    expect(() => lineRateRule({ collapseRatio: 2 })).to.throw(RangeError, 'lineRate.collapseRatio must be a number 0-1; got 2');
    expect(() => lineRateRule({ bucketMs: 0 }, 'logReader.lineRate')).to.throw(RangeError, 'logReader.lineRate.bucketMs must be an integer >= 1; got 0');
  });

  it('a collapse to under a tenth of the usual rate for five buckets is degraded; one normal bucket ends it', () => {
    const histories = run([600, 580, 620, 610, 590, 600, 30, 0, 2, 0, 1, 0, 550]);
    expect(histories.map((history) => history.degraded)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(histories[10]?.reason).to.equal('line rate collapsed: 6.6 lines/min over the last 5 min against its usual 600');
    // The quiet buckets never became part of the usual rate.
    expect(histories.at(-1)?.usual).to.deep.equal([600, 580, 620, 610, 590, 600, 550]);
  });

  it('a quiet node (usual rate under minUsualLines) and a source without enough history are never judged', () => {
    expect(run([8, 9, 8, 9, 8, 0, 0, 0, 0, 0, 0]).some((history) => history.degraded)).to.equal(false);
    expect(
      run([600, 600, 0, 0, 0, 0, 0, 0]).filter((history) => history.degraded).length,
      'no usual rate from two buckets; silence then becomes usual',
    ).to.equal(0);
  });

  it('a dip shorter than quietBuckets is not degraded, and the count of quiet buckets restarts after it', () => {
    const histories = run([600, 600, 600, 600, 600, 0, 0, 0, 0, 600, 0, 0, 0, 0]);
    expect(histories.some((history) => history.degraded)).to.equal(false);
    expect(histories.at(-1)?.quiet).to.equal(4);
  });

  it('names every field it rejects, under the path given', () => {
    const bad = { bucketMs: 0.5, usualBuckets: 0, minUsualLines: -1, collapseRatio: -0.1, quietBuckets: 0 } as const;
    for (const [field, value] of Object.entries(bad)) {
      expect(() => lineRateRule({ [field]: value }, 'nodes[2].log.lineRate'), field).to.throw(
        RangeError,
        new RegExp(`^nodes\\[2\\]\\.log\\.lineRate\\.${field} must be `),
      );
    }
  });

  it('judges at the thresholds exactly: quietBuckets buckets make a usual rate, minUsualLines is judged, a tenth is not quiet', () => {
    const flags = (buckets: readonly number[], options: LineRateOptions = {}): boolean[] => {
      return run(buckets, lineRateRule(options)).map((history) => history.degraded);
    };
    const times = (count: number, lines: number): number[] => Array.from({ length: count }, () => lines);
    expect(flags([...times(5, 600), ...times(5, 0)]).at(-1), 'five buckets are a usual rate').to.equal(true);
    expect(flags([...times(5, 10), ...times(5, 0)]).at(-1), 'a usual rate of exactly minUsualLines').to.equal(true);
    expect(flags([...times(5, 600), ...times(5, 60)]).at(-1), 'exactly a tenth').to.equal(false);
    expect(flags([...times(5, 600), ...times(5, 59)]).at(-1), 'under a tenth').to.equal(true);
    expect(flags([...times(3, 600), ...times(3, 0)], { quietBuckets: 3 })).to.deep.equal([false, false, false, false, false, true]);
  });

  it('the reason shows lines per minute and the quiet time whatever the bucket length', () => {
    const own = lineRateRule({ bucketMs: 30_000, quietBuckets: 3 });
    const last = (buckets: readonly number[]): LineRateHistory => run(buckets, own).at(-1) ?? NO_LINE_BUCKETS;
    expect(last([300, 300, 300, 1, 2, 1]).reason).to.equal('line rate collapsed: 2.7 lines/min over the last 90 s against its usual 600');
    expect(last([300, 300, 300, 6, 6, 6]).reason).to.equal('line rate collapsed: 12 lines/min over the last 90 s against its usual 600');
    expect(last([300, 300, 300, 5, 5, 6]).reason, '10.7 lines/min, rounded').to.equal(
      'line rate collapsed: 11 lines/min over the last 90 s against its usual 600',
    );
    expect(last([300, 300, 300, 1, 1, 1]).reason).to.equal('line rate collapsed: 2 lines/min over the last 90 s against its usual 600');
    expect(last([300, 300, 300, 0, 0, 0, 0]).reason).to.equal('line rate collapsed: 0 lines/min over the last 2 min against its usual 600');
  });

  it('the usual rate is of the latest usualBuckets healthy buckets', () => {
    const own = lineRateRule({ usualBuckets: 3, quietBuckets: 2 });
    expect(run([100, 200, 300, 400, 500], own).at(-1)?.usual).to.deep.equal([300, 400, 500]);
  });

  it('an interruption ends a run of quiet buckets and the verdict, keeps the usual rate, and changes nothing else', () => {
    const quiet = run([600, 600, 600, 600, 600, 0, 0]);
    expect(lineBucketsInterrupted(quiet.at(-1) ?? NO_LINE_BUCKETS)).to.deep.equal({
      usual: [600, 600, 600, 600, 600],
      quiet: 0,
      quietLines: 0,
      degraded: false,
      reason: null,
    });
    const degraded = run([600, 600, 600, 600, 600, 5, 0, 0, 0, 0]).at(-1) ?? NO_LINE_BUCKETS;
    expect(degraded.degraded).to.equal(true);
    expect(lineBucketsInterrupted(degraded)).to.include({ quiet: 0, quietLines: 0, degraded: false, reason: null });
    const healthy = run([600, 600]).at(-1) ?? NO_LINE_BUCKETS;
    expect(lineBucketsInterrupted(healthy)).to.equal(healthy);
    expect(lineBucketsInterrupted(NO_LINE_BUCKETS)).to.equal(NO_LINE_BUCKETS);
    expect(NO_LINE_BUCKETS).to.deep.equal({ usual: [], quiet: 0, quietLines: 0, degraded: false, reason: null });
    const afterwards = run([0, 0, 0, 0, 0], rule, lineBucketsInterrupted(degraded)).at(-1);
    expect(afterwards?.degraded, 'quiet buckets counted again from the interruption').to.equal(true);
  });

  it('bounded history, never mutates its input, degraded exactly after quietBuckets quiet buckets (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(2000), { maxLength: 300 }), (buckets) => {
        for (const history of run(buckets)) {
          expect(history.usual.length).to.be.at.most(rule.usualBuckets);
          expect(history.degraded).to.equal(history.quiet >= rule.quietBuckets);
          expect(history.degraded).to.equal(history.reason !== null);
        }
      }),
      { seed: 19, numRuns: 200 },
    );
  });
});
