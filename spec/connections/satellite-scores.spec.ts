import { expect } from 'chai';
import fc from 'fast-check';
import { ApiRequestError, toSatelliteScores } from '../../lib/index.js';

/** `GET /api/sno/satellites` as storj v1.162.3 encodes it (storagenode/console/service.go `Satellites`, `Audits`). */
const SATELLITES = {
  storageDaily: [],
  bandwidthDaily: [],
  storageSummary: 1.5e15,
  averageUsageBytes: 2e12,
  bandwidthSummary: 3e11,
  egressSummary: 2e11,
  ingressSummary: 1e11,
  earliestJoinedAt: '2023-01-01T00:00:00Z',
  audits: [
    { auditScore: 1, suspensionScore: 1, onlineScore: 0.9987, satelliteName: 'us1.storj.io:7777' },
    { auditScore: 0.97, suspensionScore: 0.82, onlineScore: 0.61, satelliteName: 'eu1.storj.io:7777' },
  ],
};

describe('toSatelliteScores', () => {
  it('reads the audits of a v1.162.3 answer; a fresh node (null audits) has none, nor an answer without audits', () => {
    expect(toSatelliteScores(SATELLITES)).to.deep.equal([
      { satellite: 'us1.storj.io:7777', audit: 1, suspension: 1, online: 0.9987 },
      { satellite: 'eu1.storj.io:7777', audit: 0.97, suspension: 0.82, online: 0.61 },
    ]);
    expect(toSatelliteScores({ ...SATELLITES, audits: null })).to.deep.equal([]);
    expect(toSatelliteScores({ storageDaily: [] })).to.deep.equal([]);
  });

  it('takes scores of exactly 0 and 1, and skips one below 0', () => {
    const entry = (auditScore: number, satelliteName: string) => ({ auditScore, suspensionScore: 1, onlineScore: 0, satelliteName });
    expect(toSatelliteScores({ audits: [entry(0, 'a:1'), entry(-0.01, 'b:1'), entry(1, 'c:1')] })).to.deep.equal([
      { satellite: 'a:1', audit: 0, suspension: 1, online: 0 },
      { satellite: 'c:1', audit: 1, suspension: 1, online: 0 },
    ]);
  });

  it('skips entries it cannot believe, caps the count, and fails a wrong shape as a body error', () => {
    const audits = [
      { auditScore: '1', suspensionScore: 1, onlineScore: 1, satelliteName: 'a:1' },
      { auditScore: 1.5, suspensionScore: 1, onlineScore: 1, satelliteName: 'a:2' },
      { auditScore: 1, suspensionScore: 1, onlineScore: 1, satelliteName: 'evil\u001b[2J:7777' },
      { auditScore: 1, suspensionScore: 1, onlineScore: 1 },
      null,
      { auditScore: 1, suspensionScore: 1, onlineScore: 1, satelliteName: '[2001:db8::1]:7777' },
    ];
    expect(toSatelliteScores({ audits }).map((scores) => scores.satellite)).to.deep.equal(['[2001:db8::1]:7777']);
    const many = Array.from({ length: 500 }, (_, index) => ({ auditScore: 1, suspensionScore: 1, onlineScore: 1, satelliteName: `s${index}.example:7777` }));
    expect(toSatelliteScores({ audits: many })).to.have.length(64);
    expect(() => toSatelliteScores([]))
      .to.throw(ApiRequestError, 'Satellites response is not a JSON object')
      .with.property('kind', 'body');
    expect(() => toSatelliteScores({ audits: {} }))
      .to.throw(ApiRequestError, 'Satellites response has no audits array')
      .with.property('kind', 'body');
  });

  it('never throws on any JSON object, and every score it returns is in [0, 1] (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue(), { maxLength: 10 }), (extra, audits) => {
        for (const scores of toSatelliteScores({ ...extra, audits })) {
          for (const value of [scores.audit, scores.suspension, scores.online]) expect(value).to.be.within(0, 1);
        }
      }),
      { seed: 19, numRuns: 200 },
    );
  });
});
