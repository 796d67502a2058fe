import { expect } from 'chai';
import {
  REPUTATION_WARNING_THRESHOLDS,
  reputationAlertsBetween,
  reputationThresholds,
  reputationWarnings,
  SATELLITE_LIMITS,
  type SatelliteScores,
} from '../../lib/index.js';

const us1 = (scores: Partial<SatelliteScores>): SatelliteScores => ({ satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 1, ...scores });
const eu1 = (scores: Partial<SatelliteScores>): SatelliteScores => ({ satellite: 'eu1.storj.io:7777', audit: 1, suspension: 1, online: 1, ...scores });

describe('reputation thresholds and alerts', () => {
  it('defaults sit between a perfect score and the satellites own limits (storj v1.162.3)', () => {
    expect(SATELLITE_LIMITS).to.deep.equal({ audit: 0.96, suspension: 0.6, online: 0.6 });
    expect(REPUTATION_WARNING_THRESHOLDS).to.deep.equal({ audit: 0.99, suspension: 0.9, online: 0.9 });
    for (const score of ['audit', 'suspension', 'online'] as const) {
      expect(REPUTATION_WARNING_THRESHOLDS[score]).to.be.above(SATELLITE_LIMITS[score]).and.below(1);
    }
    expect(reputationThresholds({ online: 0.95 })).to.deep.equal({ audit: 0.99, suspension: 0.9, online: 0.95 });
    expect(() => reputationThresholds({ audit: 1.5 })).to.throw(RangeError, 'reputationThresholds.audit must be a number 0-1; got 1.5');
    expect(() => reputationThresholds({ uptime: 0.5 } as never)).to.throw(RangeError, 'reputationThresholds.uptime is not a known score');
  });

  it('names every threshold it rejects, under the path given, and lists the known scores', () => {
    for (const score of ['audit', 'suspension', 'online'] as const) {
      expect(() => reputationThresholds({ [score]: -0.1 }, 'nodes[1].reputationThresholds'), score).to.throw(
        RangeError,
        `nodes[1].reputationThresholds.${score} must be a number 0-1; got -0.1`,
      );
    }
    expect(() => reputationThresholds({ uptime: 0.5 } as never)).to.throw(
      RangeError,
      'reputationThresholds.uptime is not a known score (known: audit, suspension, online)',
    );
    expect(reputationThresholds({ audit: 0.5, suspension: 0.4 })).to.deep.equal({ audit: 0.5, suspension: 0.4, online: 0.9 });
  });

  it('a score below its threshold warns; at the threshold it does not', () => {
    const warnings = reputationWarnings([us1({ audit: 0.985, online: 0.9 }), eu1({ suspension: 0.5, online: 0.7 })], REPUTATION_WARNING_THRESHOLDS);
    expect(warnings).to.deep.equal([
      { satellite: 'us1.storj.io:7777', score: 'audit', value: 0.985, threshold: 0.99 },
      { satellite: 'eu1.storj.io:7777', score: 'suspension', value: 0.5, threshold: 0.9 },
      { satellite: 'eu1.storj.io:7777', score: 'online', value: 0.7, threshold: 0.9 },
    ]);
  });

  it('alerts once on falling below, not again while below, and recovers once back; a vanished satellite does neither', () => {
    const thresholds = REPUTATION_WARNING_THRESHOLDS;
    const readings = [
      [us1({}), eu1({})],
      [us1({ online: 0.8 }), eu1({})],
      [us1({ online: 0.7 }), eu1({ audit: 0.97 })],
      [us1({ online: 0.95 })],
      [us1({}), eu1({})],
    ];
    const alerts = [];
    let before = reputationWarnings([], thresholds);
    for (const reading of readings) {
      const after = reputationWarnings(reading, thresholds);
      alerts.push(reputationAlertsBetween('node1', before, after, reading, thresholds));
      before = after;
    }
    expect(alerts).to.deep.equal([
      [],
      [{ type: 'reputation', node: 'node1', satellite: 'us1.storj.io:7777', score: 'online', value: 0.8, threshold: 0.9 }],
      [{ type: 'reputation', node: 'node1', satellite: 'eu1.storj.io:7777', score: 'audit', value: 0.97, threshold: 0.99 }],
      [{ type: 'reputation_recovered', node: 'node1', satellite: 'us1.storj.io:7777', score: 'online', value: 0.95, threshold: 0.9 }],
      [],
    ]);
  });
});
