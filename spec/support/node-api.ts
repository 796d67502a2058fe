import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listen } from './listen.js';
import { fixtureBody } from './node-api-fixtures.js';

export type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

/** A healthy node's dashboard: pinged by a satellite a minute before the tests started, up for two days. */
export const DASHBOARD = {
  nodeID: '12ABcdEFghIJklMNopQRstUVwxYZ34CD',
  wallet: '0x0000000000000000000000000000000000000000',
  walletFeatures: null,
  satellites: [{ id: '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S', url: 'us1.storj.io:7777', disqualified: null, suspended: null }],
  diskSpace: { used: 1e12, available: 4e12, trash: 1e9, overused: 0 },
  bandwidth: { used: 5e11 },
  lastPinged: new Date(Date.now() - 60_000).toISOString(),
  version: '1.115.5',
  allowedVersion: '1.104.0',
  upToDate: true,
  startedAt: new Date(Date.now() - 2 * 24 * 3_600_000).toISOString(),
  quicStatus: 'OK',
};

/**
 * Answers like a healthy node: the dashboard on /api/sno/, a 301 on /api/sno, the
 * v1.162.3 bodies of the other endpoints (spec/fixtures/node-api), JSON elsewhere.
 */
export const healthy: Behaviour = (request, response) => {
  if (request.url === '/api/sno') {
    response.writeHead(301, { location: '/api/sno/' }).end();
  } else if (request.url === '/api/sno/') {
    json(response, DASHBOARD);
  } else if (request.url?.startsWith('/api/heldamount/paystubs/')) {
    json(response, fixtureBody('v1.162.3-paystubs'));
  } else if (request.url === '/api/sno/satellites') {
    json(response, fixtureBody('v1.162.3-satellites'));
  } else if (request.url?.startsWith('/api/sno/satellite/')) {
    json(response, fixtureBody('v1.162.3-satellite'));
  } else if (request.url === '/api/sno/estimated-payout') {
    json(response, fixtureBody('v1.162.3-estimated-payout'));
  } else if (request.url?.startsWith('/api/sno/')) {
    json(response, { ok: true, path: request.url });
  } else {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>dashboard</body></html>');
  }
};

export function json(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A stand-in node API on 127.0.0.1 whose behaviour each test scripts. */
export class TestNodeApi {
  behaviour: Behaviour = healthy;
  readonly requests: IncomingMessage[] = [];
  /** TCP connections accepted since the start, closed ones included. */
  connections = 0;
  /** TCP connections open now. */
  readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  private constructor(public port: number) {}

  static async start(port = 0): Promise<TestNodeApi> {
    const api = new TestNodeApi(port);
    await api.listen();
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      this.requests.push(request);
      this.behaviour(request, response);
    });
    server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.port = await listen(server, this.port);
    this.server = server;
  }

  /** Stops listening and drops every connection, like a node that went down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
