// The simulated node's HTTP API (SPEC §3.3) in the shapes one storagenode release marshals
// (releases.ts ApiFormat; storagenode/console, storagenode/payouts): the dashboard on
// /api/sno/ (and the real node's 301 on /api/sno), satellites, one satellite, estimated
// payout (floats in cents) and paystubs (integers in micro-dollars), `{"error": ...}` with
// the node's reason for a bad paystub period or an unknown satellite, the HTML dashboard on
// unknown paths; and faults: 503s, or requests left hanging.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { requestTarget } from 'storj-monitor-rx';
import { decodedSegment } from './decoded-segment.js';
import { SATELLITES } from './log-lines.js';
import type { ApiFormat } from './releases.js';

export type ApiFault = 'ok' | 'unavailable' | 'hang';

export interface SimulatedApi {
  readonly server: Server;
  fault: ApiFault;
}

const URLS = ['us1.storj.io:7777', 'eu1.storj.io:7777', 'ap1.storj.io:7777', 'saltlake.tardigrade.io:7777'];
const ALLOCATED = 4e12;
const TRASH = 3.2e10;
const PIECES = 2.6e12;
const JOINED_AT = '2023-02-14T10:11:12.123456Z';

export function createSimulatedApi(nodeId: string, startedAt: Date, format: ApiFormat): SimulatedApi {
  const api: SimulatedApi = { server: createServer((request, response) => answer(api, nodeId, startedAt, format, request, response)), fault: 'ok' };
  return api;
}

function answer(api: SimulatedApi, nodeId: string, startedAt: Date, format: ApiFormat, request: IncomingMessage, response: ServerResponse): void {
  if (api.fault === 'hang') return;
  if (api.fault === 'unavailable') {
    response.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
    return;
  }
  const path = requestTarget(request)?.pathname;
  if (path === undefined) {
    response.writeHead(400, { connection: 'close', 'content-type': 'text/plain' }).end('Bad Request');
    return;
  }
  if (path === '/api/sno') {
    response.writeHead(301, { location: '/api/sno/' }).end();
    return;
  }
  const reply = route(path, nodeId, startedAt, format);
  if (reply === undefined) {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Node Dashboard</title></head><body></body></html>');
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json' }).end(`${JSON.stringify(reply.body)}\n`);
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function route(path: string, nodeId: string, startedAt: Date, format: ApiFormat): Reply | undefined {
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const monthFraction = (now.getTime() - monthStart.getTime()) / (31 * 24 * 3600 * 1000);
  if (path === '/api/sno/') return ok(dashboard(nodeId, startedAt, now, monthFraction, format));
  if (path === '/api/sno/satellites') {
    return ok({
      storageDaily: days(now, (day) => storageDay(day, PIECES, format, false)),
      bandwidthDaily: days(now, bandwidthDay),
      storageSummary: PIECES * 24 * now.getUTCDate(),
      averageUsageBytes: PIECES,
      bandwidthSummary: Math.round(9.5e11 * monthFraction),
      egressSummary: Math.round(6.2e11 * monthFraction),
      ingressSummary: Math.round(3.3e11 * monthFraction),
      earliestJoinedAt: JOINED_AT,
      audits: URLS.map((url) => ({ auditScore: 1, suspensionScore: 1, onlineScore: 0.998, satelliteName: url.split(':')[0] })),
    });
  }
  const satellite = /^\/api\/sno\/satellite\/([^/]+)$/.exec(path)?.[1];
  if (satellite !== undefined) {
    // Not percent-encoding (%zz): no satellite has that id.
    const id = decodedSegment(satellite) ?? '';
    if (!SATELLITES.includes(id)) return { status: 404, body: { error: 'consoleapi storagenode: console: trust: satellite is untrusted' } };
    return ok({
      id,
      storageDaily: days(now, (day) => storageDay(day, PIECES / 4, format, true)),
      bandwidthDaily: days(now, bandwidthDay),
      storageSummary: (PIECES / 4) * 24 * now.getUTCDate(),
      averageUsageBytes: PIECES / 4,
      bandwidthSummary: Math.round(2.4e11 * monthFraction),
      egressSummary: Math.round(1.6e11 * monthFraction),
      ingressSummary: Math.round(0.8e11 * monthFraction),
      ...(format.currentStorageUsed && { currentStorageUsed: PIECES / 4 }),
      audits: { auditScore: 1, suspensionScore: 1, onlineScore: 0.998, satelliteName: URLS[SATELLITES.indexOf(id)]?.split(':')[0] ?? '' },
      auditHistory: { score: 0.998, windows: [{ windowStart: new Date(now.getTime() - 12 * 3600_000).toISOString(), totalCount: 12, onlineCount: 12 }] },
      priceModel: { EgressBandwidth: 200, RepairBandwidth: 200, AuditBandwidth: 200, DiskSpace: 150 },
      nodeJoinedAt: JOINED_AT,
      ...(format.vettedAt && { vettedAt: '2023-03-10T08:21:40.27731Z' }),
    });
  }
  if (path === '/api/sno/estimated-payout') {
    const current = payoutMonth(6.2e11 * monthFraction, 0.4e11 * monthFraction, PIECES * 720 * monthFraction);
    return ok({
      currentMonth: current,
      previousMonth: payoutMonth(6.2e11, 0.4e11, PIECES * 720),
      currentMonthExpectations: Math.round(current.payout / Math.max(monthFraction, 0.01)),
    });
  }
  const period = /^\/api\/heldamount\/paystubs\/([^/]+)\/([^/]+)$/.exec(path);
  if (period) {
    if (!/^\d{4}-\d{2}$/.test(period[1] ?? '') || !/^\d{4}-\d{2}$/.test(period[2] ?? '')) {
      return { status: 400, body: { error: 'consoleapi payouts: wrong period format: period start has wrong format' } };
    }
    return ok(SATELLITES.slice(0, 2).map((satelliteId) => paystub(satelliteId, period[2] ?? '')));
  }
  return undefined;
}

function dashboard(nodeId: string, startedAt: Date, now: Date, monthFraction: number, format: ApiFormat): unknown {
  const used = PIECES + TRASH;
  // Before v1.143 `available` is the allocation and `used` the pieces; from v1.143
  // (4e52fd0b2d) `used` includes the trash and `available` is what is left.
  const diskSpace = format.diskSpaceV143
    ? { used, available: ALLOCATED - used, overused: 0, allocated: ALLOCATED, trash: TRASH, reclaimable: 1.1e10 }
    : { used: PIECES, available: ALLOCATED, trash: TRASH, overused: 0 };
  return {
    nodeID: nodeId,
    wallet: '0x9f2cbb0aF1e54B4D1E9bC7a1C3bEC62c7A2c2A11',
    walletFeatures: ['zksync-era'],
    satellites: SATELLITES.map((id, index) => ({
      id,
      url: URLS[index],
      disqualified: null,
      suspended: null,
      ...(format.currentStorageUsed && { currentStorageUsed: PIECES / 4 }),
      ...(format.vettedAt && { vettedAt: index === 3 ? null : '2023-03-10T08:21:40.27731Z' }),
    })),
    diskSpace,
    bandwidth: { used: Math.round(9.5e11 * monthFraction), available: 0 },
    lastPinged: new Date(now.getTime() - 4000).toISOString(),
    version: format.version,
    allowedVersion: '1.140.0',
    upToDate: true,
    startedAt: startedAt.toISOString(),
    configuredPort: '28967',
    quicStatus: 'OK',
    lastQuicPingedAt: new Date(now.getTime() - 9000).toISOString(),
  };
}

/** The UTC days of this month so far, each through `make`. */
function days<T>(now: Date, make: (day: string) => T): T[] {
  return Array.from({ length: now.getUTCDate() }, (_, index) => make(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), index + 1)).toISOString()));
}

/** `storageusage.StampGroup` (summed) or `Stamp` (one satellite, with `intervalInHours`); `calculated` from v1.162. */
function storageDay(day: string, bytes: number, format: ApiFormat, perSatellite: boolean): unknown {
  return {
    atRestTotal: bytes * 24,
    atRestTotalBytes: bytes,
    ...(perSatellite && { intervalInHours: 24 }),
    intervalStart: day,
    ...(format.calculatedDays && { calculated: false }),
  };
}

function bandwidthDay(day: string): unknown {
  return { egress: { repair: 1.2e9, audit: 6.9e4, usage: 2.0e10 }, ingress: { repair: 2.3e9, usage: 1.1e10 }, delete: 0, intervalStart: day };
}

/** `estimatedpayouts.PayoutMonthly`: prices in cents per TB, payouts in cents rounded to 2 places, as the node computes them. */
function payoutMonth(egress: number, repairAudit: number, byteHours: number): { readonly payout: number } & Record<string, number> {
  const cents = (value: number) => Math.round(value * 100) / 100;
  const egressPayout = cents((egress * 200) / 1e12);
  const repairPayout = cents((repairAudit * 200) / 1e12);
  const diskPayout = cents((byteHours * 150) / 1e12 / 720);
  return {
    egressBandwidth: Math.round(egress),
    egressBandwidthPayout: egressPayout,
    egressRepairAudit: Math.round(repairAudit),
    egressRepairAuditPayout: repairPayout,
    diskSpace: byteHours,
    diskSpacePayout: diskPayout,
    heldRate: 0,
    payout: cents(egressPayout + repairPayout + diskPayout),
    held: 0,
  };
}

/** `payouts.PayStub`: amounts in micro-dollars. */
function paystub(satelliteId: string, period: string): unknown {
  return {
    satelliteId,
    period,
    created: `${period}-28T12:09:21.437951Z`,
    codes: '',
    usageAtRest: PIECES * 720,
    usageGet: 3.1e11,
    usagePut: 0,
    usageGetRepair: 4.1e10,
    usagePutRepair: 0,
    usageGetAudit: 69_120,
    compAtRest: 1_218_518,
    compGet: 620_469,
    compPut: 0,
    compGetRepair: 82_469,
    compPutRepair: 0,
    compGetAudit: 0,
    surgePercent: 0,
    held: 0,
    owed: 1_921_456,
    disposed: 0,
    paid: 1_921_456,
    distributed: 1_921_456,
  };
}
