// The simulated node's HTTP API (SPEC §3.3): the dashboard on /api/sno/ (and the real
// node's 301 on /api/sno), satellites, one satellite, estimated payout and paystubs,
// the HTML dashboard on unknown paths; and faults: 503s, or requests left hanging.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SATELLITES } from './log-lines.js';

export type ApiFault = 'ok' | 'unavailable' | 'hang';

export interface SimulatedApi {
  readonly server: Server;
  fault: ApiFault;
}

export function createSimulatedApi(nodeId: string, startedAt: Date): SimulatedApi {
  const api: SimulatedApi = { server: createServer((request, response) => answer(api, nodeId, startedAt, request, response)), fault: 'ok' };
  return api;
}

function answer(api: SimulatedApi, nodeId: string, startedAt: Date, request: IncomingMessage, response: ServerResponse): void {
  if (api.fault === 'hang') return;
  if (api.fault === 'unavailable') {
    response.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
    return;
  }
  const path = new URL(request.url ?? '/', 'http://node').pathname;
  if (path === '/api/sno') {
    response.writeHead(301, { location: '/api/sno/' }).end();
    return;
  }
  const body = route(path, nodeId, startedAt);
  if (body === undefined) {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Node Dashboard</title></head><body></body></html>');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function route(path: string, nodeId: string, startedAt: Date): unknown {
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const monthFraction = (now.getTime() - monthStart.getTime()) / (31 * 24 * 3600 * 1000);
  if (path === '/api/sno/') {
    return {
      nodeID: nodeId,
      wallet: '0x9f2cbb0aF1e54B4D1E9bC7a1C3bEC62c7A2c2A11',
      walletFeatures: ['zksync-era'],
      satellites: SATELLITES.map((id, index) => ({
        id,
        url: `${['us1', 'eu1', 'ap1', 'saltlake'][index]}.storj.io:7777`,
        disqualified: null,
        suspended: null,
        currentStorageUsed: 2.1e11,
      })),
      diskSpace: { used: 2.6e12, available: 4e12, trash: 3.2e10, overused: 0 },
      bandwidth: { used: Math.round(9.5e11 * monthFraction) },
      lastPinged: new Date(now.getTime() - 4000).toISOString(),
      version: '1.115.5',
      allowedVersion: '1.104.0',
      upToDate: true,
      startedAt: startedAt.toISOString(),
      quicStatus: 'OK',
      configuredPort: '28967',
      lastQuicPingedAt: new Date(now.getTime() - 9000).toISOString(),
    };
  }
  if (path === '/api/sno/satellites') {
    return {
      storageDaily: [],
      bandwidthDaily: [],
      storageSummary: 6.1e15,
      bandwidthSummary: 9.5e11,
      egressSummary: 6.2e11,
      ingressSummary: 3.3e11,
      audits: [],
    };
  }
  const satellite = /^\/api\/sno\/satellite\/([^/]+)$/.exec(path)?.[1];
  if (satellite) {
    return { id: decodeURIComponent(satellite), storageDaily: [], bandwidthDaily: [], audits: { auditScore: 1, suspensionScore: 1, onlineScore: 0.998 } };
  }
  if (path === '/api/sno/estimated-payout') {
    return {
      currentMonth: { egressBandwidthPayout: 1234, diskSpacePayout: 2345, payout: 3579, held: 0 },
      currentMonthExpectations: Math.round(3579 / Math.max(monthFraction, 0.01)),
    };
  }
  if (/^\/api\/heldamount\/paystubs\/\d{4}-\d{2}\/\d{4}-\d{2}$/.test(path)) {
    return [{ period: '2025-09', paid: 412_345, held: 0, distributed: 412_345 }];
  }
  return undefined;
}
