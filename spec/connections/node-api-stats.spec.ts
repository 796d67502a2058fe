import { expect } from 'chai';
import { ApiRequestError, toSatellite, toSatellites } from '../../lib/index.js';
import { fixtureBody } from '../support/node-api-fixtures.js';

describe('toSatellites and toSatellite', () => {
  for (const tag of ['v1.142.3', 'v1.162.3']) {
    it(`${tag}: accepted as sent`, () => {
      expect(toSatellites(fixtureBody(`${tag}-satellites`))).to.deep.equal(fixtureBody(`${tag}-satellites`));
      expect(toSatellite(fixtureBody(`${tag}-satellite`))).to.deep.equal(fixtureBody(`${tag}-satellite`));
    });
  }

  it('storage days carry calculated from v1.162', () => {
    expect(toSatellites(fixtureBody('v1.142.3-satellites')).storageDaily[0]).to.not.have.property('calculated');
    expect(toSatellites(fixtureBody('v1.162.3-satellites')).storageDaily[0]).to.have.property('calculated', false);
  });

  it('null arrays (a fresh node) are []', () => {
    expect(toSatellites({ storageDaily: null, bandwidthDaily: null, audits: null, storageSummary: 0 })).to.deep.include({
      storageDaily: [],
      bandwidthDaily: [],
      audits: [],
    });
    expect(toSatellite({ id: 'x', storageDaily: null, bandwidthDaily: null, auditHistory: { score: 1, windows: null } })).to.deep.include({
      storageDaily: [],
      bandwidthDaily: [],
      auditHistory: { score: 1, windows: [] },
    });
  });

  it('rejects wrong shapes, naming the field', () => {
    expect(() => toSatellites([]))
      .to.throw(ApiRequestError, /^Response is not a JSON object \(got an array\)/)
      .with.property('kind', 'body');
    expect(() => toSatellites({ storageDaily: [{ atRestTotal: 'x' }] })).to.throw(
      ApiRequestError,
      /^satellites\.storageDaily\[0\]\.atRestTotal is not a number/,
    );
    expect(() => toSatellite({ storageDaily: [] }))
      .to.throw(ApiRequestError, /^Response has no string id/)
      .with.property('kind', 'body');
    expect(() => toSatellite({ id: 'x', vettedAt: 3 }))
      .to.throw(ApiRequestError, /^satellite\.vettedAt is not a time or null/)
      .with.property('kind', 'body');
  });

  it('a wrong field anywhere is named by its path', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => toSatellites({ storageSummary: 'x' }), /^satellites\.storageSummary is not a number/],
      [() => toSatellites({ earliestJoinedAt: 1 }), /^satellites\.earliestJoinedAt is not a string/],
      [() => toSatellites({ bandwidthDaily: [1] }), /^satellites\.bandwidthDaily\[0\] is not a JSON object/],
      [() => toSatellites({ audits: [1] }), /^satellites\.audits\[0\] is not a JSON object/],
      [() => toSatellite({ id: 'x', nodeJoinedAt: 1 }), /^satellite\.nodeJoinedAt is not a string/],
      [() => toSatellite({ id: 'x', currentStorageUsed: '1' }), /^satellite\.currentStorageUsed is not a number/],
      [() => toSatellite({ id: 'x', auditHistory: 1 }), /^satellite\.auditHistory is not a JSON object/],
      [() => toSatellite({ id: 'x', auditHistory: { windows: [1] } }), /^satellite\.auditHistory\.windows\[0\] is not a JSON object/],
      [() => toSatellite({ id: 'x', storageDaily: [1] }), /^satellite\.storageDaily\[0\] is not a JSON object/],
      [() => toSatellite({ id: 'x', bandwidthDaily: [1] }), /^satellite\.bandwidthDaily\[0\] is not a JSON object/],
      [() => toSatellite({ id: 'x', storageDaily: [{ calculated: 'no' }] }), /^satellite\.storageDaily\[0\]\.calculated is not true or false/],
    ];
    for (const [parse, message] of cases) expect(parse, message.source).to.throw(ApiRequestError, message).with.property('kind', 'body');
  });
});
