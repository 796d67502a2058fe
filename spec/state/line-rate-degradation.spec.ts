import { expect } from 'chai';
import fc from 'fast-check';
import { judgeLineBucket, lineRateRule, NO_LINE_BUCKETS, type LineRateHistory } from '../../lib/index.js';
import { scanStates } from '../support/scan-states.js';

const rule = lineRateRule();

const judge = (history: LineRateHistory, lines: number): LineRateHistory => judgeLineBucket(history, lines, rule);
const run = (buckets: readonly number[]): LineRateHistory[] => scanStates(buckets, NO_LINE_BUCKETS, judge);

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
