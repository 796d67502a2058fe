import { expect } from 'chai';
import { ApiRequestError, knownTime, toDashboard, ZERO_TIME } from '../../lib/index.js';
import { API_FIXTURES, fixtureBody } from '../support/node-api-fixtures.js';

const dashboards = [...API_FIXTURES.values()].filter((fixture) => fixture.path === '/api/sno/' && fixture.status === 200);

describe('toDashboard', () => {
  it('has dashboards of v1.80, v1.130, v1.142 and v1.162, fresh ones too', () => {
    expect(dashboards.map(({ name }) => name)).to.include.members([
      'v1.80.3-dashboard',
      'v1.130.1-dashboard',
      'v1.142.3-dashboard',
      'v1.142.3-dashboard-fresh',
      'v1.162.3-dashboard',
      'v1.162.3-dashboard-fresh',
    ]);
  });

  for (const fixture of dashboards) {
    it(`${fixture.name}: accepted with every field as the node sent it, null arrays as []`, () => {
      const body = fixture.body as Record<string, unknown>;
      const dashboard = toDashboard(body);
      expect(dashboard).to.deep.equal({ ...body, walletFeatures: body.walletFeatures ?? [], satellites: body.satellites ?? [] });
    });
  }

  it('a fresh node: no satellites, no wallet features, no ping yet', () => {
    const dashboard = toDashboard(fixtureBody('v1.162.3-dashboard-fresh'));
    expect(dashboard).to.include({ lastPinged: ZERO_TIME, quicStatus: '' });
    expect(dashboard.satellites).to.deep.equal([]);
    expect(dashboard.walletFeatures).to.deep.equal([]);
    expect(knownTime(dashboard.lastPinged)).to.equal(null);
  });

  it('satellites carry vettedAt from v1.131 and currentStorageUsed up to v1.121', () => {
    const [old] = toDashboard(fixtureBody('v1.80.3-dashboard')).satellites;
    const [current] = toDashboard(fixtureBody('v1.162.3-dashboard')).satellites;
    expect(old).to.have.property('currentStorageUsed').that.is.a('number');
    expect(old).to.not.have.property('vettedAt');
    expect(current).to.have.property('vettedAt').that.is.a('string');
    expect(current).to.not.have.property('currentStorageUsed');
  });

  it('rejects what is no dashboard, naming the field', () => {
    const base = fixtureBody('v1.162.3-dashboard') as Record<string, unknown>;
    const cases: Array<[unknown, RegExp]> = [
      ['<html>', /^Response is not a JSON object \(got string\)/],
      [{ ...base, nodeID: 7 }, /^Response has no string nodeID/],
      [{ ...base, nodeID: '' }, /^Response has no string nodeID/],
      [{ ...base, satellites: {} }, /^dashboard\.satellites is not an array \(got object\)/],
      [{ ...base, satellites: [{ url: 'x' }] }, /^dashboard\.satellites\[0\]\.id is not a string/],
      [{ ...base, satellites: [{ id: 'x', disqualified: true }] }, /^dashboard\.satellites\[0\]\.disqualified is not a time or null/],
      [{ ...base, walletFeatures: [1] }, /^dashboard\.walletFeatures\[0\]\.value is not a string/],
      [{ ...base, diskSpace: { used: '1' } }, /^dashboard\.diskSpace\.used is not a number \(got string\)/],
      [{ ...base, diskSpace: null }, /^dashboard\.diskSpace is not a JSON object \(got null\)/],
      [{ ...base, bandwidth: { used: null } }, /^dashboard\.bandwidth\.used is not a number/],
      [{ ...base, upToDate: 'yes' }, /^dashboard\.upToDate is not true or false/],
    ];
    for (const [body, message] of cases) {
      expect(() => toDashboard(body), JSON.stringify(body).slice(0, 80))
        .to.throw(ApiRequestError, message)
        .with.property('kind', 'body');
    }
  });
});

describe('knownTime', () => {
  it('is null for null, missing and the zero time, the time otherwise', () => {
    expect([knownTime(null), knownTime(undefined), knownTime(ZERO_TIME), knownTime('2026-12-01T05:46:58Z')]).to.deep.equal([
      null,
      null,
      null,
      '2026-12-01T05:46:58Z',
    ]);
  });
});
