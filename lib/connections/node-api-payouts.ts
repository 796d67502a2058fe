import { ApiRequestError } from '../sources/api-request-error.js';
import { arrayOf, checkFields, NUMBER, toObject, type JsonObject } from './json-fields.js';

// The payout endpoints as storj marshals them (storagenode/payouts/estimatedpayouts,
// storagenode/payouts/payouts.go), unchanged v1.80 .. v1.162.

/**
 * One month of `GET /api/sno/estimated-payout` (`estimatedpayouts.PayoutMonthly`): bytes
 * (`diskSpace` in byte-hours), and payouts as **floats in cents** rounded to 2 places (the
 * node's web UI shows them with `centsToDollars`), as the node sends them.
 */
export interface SnoPayoutMonth extends JsonObject {
  readonly egressBandwidth: number;
  readonly egressBandwidthPayout: number;
  readonly egressRepairAudit: number;
  readonly egressRepairAuditPayout: number;
  readonly diskSpace: number;
  readonly diskSpacePayout: number;
  readonly heldRate: number;
  readonly payout: number;
  readonly held: number;
}

/** `GET /api/sno/estimated-payout` (`estimatedpayouts.EstimatedPayout`); `currentMonthExpectations` is in cents. */
export interface SnoEstimatedPayout extends JsonObject {
  readonly currentMonth: SnoPayoutMonth;
  readonly previousMonth: SnoPayoutMonth;
  readonly currentMonthExpectations: number;
}

const PAYOUT_MONTH = {
  egressBandwidth: NUMBER,
  egressBandwidthPayout: NUMBER,
  egressRepairAudit: NUMBER,
  egressRepairAuditPayout: NUMBER,
  diskSpace: NUMBER,
  diskSpacePayout: NUMBER,
  heldRate: NUMBER,
  payout: NUMBER,
  held: NUMBER,
} as const;

/**
 * Accepts `GET /api/sno/estimated-payout`: both months are objects of numbers.
 *
 * @example
 * ```ts
 * const cents = toEstimatedPayout(body).currentMonth.payout; // e.g. 45.35, i.e. $0.4535
 * ```
 */
export function toEstimatedPayout(body: unknown): SnoEstimatedPayout {
  const object = toObject(body);
  const month = (key: string): SnoPayoutMonth => {
    const value = toObject(object[key], `estimatedPayout.${key}`);
    checkFields(value, `estimatedPayout.${key}`, PAYOUT_MONTH);
    return value as SnoPayoutMonth;
  };
  const expectations = object.currentMonthExpectations;
  if (typeof expectations !== 'number') throw new ApiRequestError('estimatedPayout.currentMonthExpectations is not a number', 'body');
  return { ...object, currentMonth: month('currentMonth'), previousMonth: month('previousMonth'), currentMonthExpectations: expectations };
}

/**
 * One paystub of `GET /api/heldamount/paystubs/{from}/{to}` (`payouts.PayStub`): usage in
 * bytes (byte-hours at rest), amounts as **integers in micro-dollars** (the web UI divides
 * by 10,000 for cents).
 */
export interface SnoPaystub extends JsonObject {
  readonly satelliteId: string;
  readonly period: string;
  readonly created: string;
  readonly codes: string;
  readonly usageAtRest: number;
  readonly usageGet: number;
  readonly usagePut: number;
  readonly usageGetRepair: number;
  readonly usagePutRepair: number;
  readonly usageGetAudit: number;
  readonly compAtRest: number;
  readonly compGet: number;
  readonly compPut: number;
  readonly compGetRepair: number;
  readonly compPutRepair: number;
  readonly compGetAudit: number;
  readonly surgePercent: number;
  readonly held: number;
  readonly owed: number;
  readonly disposed: number;
  readonly paid: number;
  readonly distributed: number;
}

/**
 * Accepts the paystubs: a JSON array of objects (`null`, a node with none, is `[]`), each
 * with a string `period` and `satelliteId` and its amounts numbers.
 *
 * @example
 * ```ts
 * toPaystubs(null); // []
 * ```
 */
export function toPaystubs(body: unknown): readonly SnoPaystub[] {
  if (body !== null && !Array.isArray(body)) throw new ApiRequestError(`Response is not a JSON array (got ${typeof body})`, 'body');
  return arrayOf(body, 'paystubs', (value, path) => {
    const stub = toObject(value, path);
    if (typeof stub.period !== 'string' || typeof stub.satelliteId !== 'string')
      throw new ApiRequestError(`${path} has no string period and satelliteId`, 'body');
    checkFields(stub, path, { paid: NUMBER, held: NUMBER, owed: NUMBER, disposed: NUMBER, distributed: NUMBER, surgePercent: NUMBER });
    return stub as SnoPaystub;
  });
}

/**
 * Checks a paystub month (`YYYY-MM`) and returns it; a `RangeError` names the argument.
 *
 * @example
 * ```ts
 * requireMonth('from', '2025-09'); // '2025-09'
 * ```
 */
export function requireMonth(name: string, month: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`${name} must be a month as YYYY-MM; got ${JSON.stringify(month)}`);
  return month;
}
