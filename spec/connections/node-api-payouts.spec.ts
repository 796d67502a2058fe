import { expect } from 'chai';
import { ApiRequestError, toEstimatedPayout, toPaystubs } from '../../lib/index.js';
import { requireMonth } from '../../lib/connections/node-api-payouts.js';
import { fixtureBody } from '../support/node-api-fixtures.js';

describe('toEstimatedPayout and toPaystubs', () => {
  for (const tag of ['v1.142.3', 'v1.162.3']) {
    it(`${tag}: accepted as sent`, () => {
      expect(toEstimatedPayout(fixtureBody(`${tag}-estimated-payout`))).to.deep.equal(fixtureBody(`${tag}-estimated-payout`));
      expect(toPaystubs(fixtureBody(`${tag}-paystubs`))).to.deep.equal(fixtureBody(`${tag}-paystubs`));
    });
  }

  it('payouts are cent floats, paystub amounts micro-dollar integers, as the node sends them', () => {
    const estimate = toEstimatedPayout(fixtureBody('v1.162.3-estimated-payout'));
    expect(Math.round(estimate.currentMonth.payout * 100) / 100, 'two decimals of cents').to.equal(estimate.currentMonth.payout);
    expect(Number.isInteger(estimate.currentMonthExpectations)).to.equal(true);
    const [stub] = toPaystubs(fixtureBody('v1.162.3-paystubs'));
    expect(Number.isInteger(stub?.paid)).to.equal(true);
  });

  it('no paystubs (null) is []; wrong shapes fail naming the field', () => {
    expect(toPaystubs(null)).to.deep.equal([]);
    expect(() => toPaystubs({}))
      .to.throw(ApiRequestError, /^Response is not a JSON array/)
      .with.property('kind', 'body');
    expect(() => toPaystubs([{ satelliteId: 's', period: 202610 }]))
      .to.throw(ApiRequestError, /^paystubs\[0\] has no string period and satelliteId/)
      .with.property('kind', 'body');
    expect(() => toPaystubs([{ period: '2026-10' }]))
      .to.throw(ApiRequestError, /^paystubs\[0\] has no string period and satelliteId/)
      .with.property('kind', 'body');
    expect(() => toPaystubs([{ period: '2026-10', satelliteId: 's', paid: '1' }]))
      .to.throw(ApiRequestError, /^paystubs\[0\]\.paid is not a number/)
      .with.property('kind', 'body');
    const estimate = fixtureBody('v1.162.3-estimated-payout') as Record<string, unknown>;
    expect(() => toEstimatedPayout({ ...estimate, previousMonth: undefined })).to.throw(
      ApiRequestError,
      /^estimatedPayout\.previousMonth is not a JSON object/,
    );
    expect(() => toEstimatedPayout({ ...estimate, currentMonth: { payout: '1' } })).to.throw(
      ApiRequestError,
      /^estimatedPayout\.currentMonth\.payout is not a number/,
    );
    expect(() => toEstimatedPayout({ ...estimate, currentMonthExpectations: null }))
      .to.throw(ApiRequestError, /currentMonthExpectations is not a number/)
      .with.property('kind', 'body');
  });

  it('requireMonth takes a YYYY-MM month and nothing around it; a RangeError names the argument and shows the value', () => {
    for (const month of ['2025-01', '2025-09', '2025-10', '2025-12', '0000-01']) expect(requireMonth('from', month)).to.equal(month);
    const bad = [
      '2025-00',
      '2025-13',
      '2025-20',
      '2025-1',
      '2025-001',
      '2025-0a',
      '2025-1a',
      '202-01',
      '20250-01',
      '5-01',
      'abcd-01',
      'x2025-01',
      '2025-01x',
      '2025_01',
      '',
    ];
    for (const month of bad) expect(() => requireMonth('to', month), month).to.throw(RangeError, `to must be a month as YYYY-MM; got ${JSON.stringify(month)}`);
  });
});
