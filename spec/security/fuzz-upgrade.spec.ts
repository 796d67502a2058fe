import { expect } from 'chai';
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';
import { Subject } from 'rxjs';
import { initialLogReaderStatus, serveFrames, type ConnectionStatusFrame, type FrameBroadcast } from '../../lib/index.js';
import { fuzzParameters } from '../support/fuzz.js';

const TOKEN = 'T0ken-of-the-test';
/** In every piece of text the generator makes up; the server must never send it back. */
const MARKER = 'ZQXJ';
const printable = fc
  .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 12 })
  .map((text) => `${text}${MARKER}`);

const hosts = {
  ip: '127.0.0.1:8080',
  localhost: 'localhost:8080',
  allowed: 'dash.example',
  attacker: 'attacker.example:8080',
} as const;
type HostKind = keyof typeof hosts | 'garbage' | 'missing';
type OriginKind = 'none' | 'same' | 'allowed' | 'evil' | 'null' | 'garbage';
type TargetKind = 'ws' | 'absolute' | 'other' | 'unparseable' | 'garbage';

const requests = fc.record({
  method: fc.oneof({ weight: 8, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'HEAD', 'PUT', 'M-SEARCH') }),
  target: fc.constantFrom<TargetKind>('ws', 'ws', 'absolute', 'other', 'unparseable', 'garbage'),
  query: fc.constantFrom('right', 'wrong', 'none'),
  bearer: fc.constantFrom('right', 'wrong', 'none', 'none'),
  host: fc.constantFrom<HostKind>('ip', 'localhost', 'allowed', 'attacker', 'garbage', 'missing'),
  origin: fc.constantFrom<OriginKind>('none', 'none', 'same', 'allowed', 'evil', 'null', 'garbage'),
  handshake: fc.constantFrom('valid', 'valid', 'valid', 'no-upgrade', 'bad-key', 'bad-version'),
  garbage: printable,
  unparseable: fc.constantFrom('http://[', '//a:99999/ws', 'http://a:99999/ws', 'http://[::1/ws'),
  extra: fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), printable), { maxLength: 3 }),
});
type Request = typeof requests extends fc.Arbitrary<infer R> ? R : never;

/** The request's bytes, and whether SPEC §8 says it may be upgraded. */
function build(request: Request): { bytes: string; acceptable: boolean } {
  const query = request.query === 'right' ? `?token=${TOKEN}` : request.query === 'wrong' ? `?token=${request.garbage}` : '';
  const targets: Record<TargetKind, string> = {
    ws: `/ws${query}`,
    absolute: `http://127.0.0.1:8080/ws${query}`,
    other: `/${request.garbage}`,
    unparseable: request.unparseable,
    garbage: request.garbage,
  };
  const host = request.host === 'missing' ? undefined : request.host === 'garbage' ? `${request.garbage}@x` : hosts[request.host];
  const origins: Record<OriginKind, string | undefined> = {
    none: undefined,
    same: `http://${host ?? 'localhost:8080'}`,
    allowed: 'https://dash.example',
    evil: 'https://evil.example',
    null: 'null',
    garbage: request.garbage,
  };
  const origin = origins[request.origin];
  const lines = [
    `${request.method} ${targets[request.target]} HTTP/1.1`,
    ...(host === undefined ? [] : [`Host: ${host}`]),
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    ...(request.handshake === 'no-upgrade' ? ['Connection: close'] : ['Upgrade: websocket', 'Connection: Upgrade']),
    `Sec-WebSocket-Key: ${request.handshake === 'bad-key' ? request.garbage : 'dGhlIHNhbXBsZSBub25jZQ=='}`,
    `Sec-WebSocket-Version: ${request.handshake === 'bad-version' ? '99' : '13'}`,
    ...(request.bearer === 'none' ? [] : [`Authorization: Bearer ${request.bearer === 'right' ? TOKEN : request.garbage}`]),
    ...request.extra.map(([name, value]) => `X-${name}: ${value}`),
  ];
  const tokenOk = request.query === 'right' || (request.query === 'none' && request.bearer === 'right');
  const hostOk = request.host === 'ip' || request.host === 'localhost' || request.host === 'allowed';
  const originOk = request.origin === 'none' || ((request.origin === 'same' || request.origin === 'allowed') && hostOk);
  const pathOk = request.target === 'ws' || request.target === 'absolute';
  const acceptable = request.method === 'GET' && request.handshake === 'valid' && pathOk && tokenOk && originOk;
  return { bytes: `${lines.join('\r\n')}\r\n\r\n`, acceptable };
}

/**
 * One connection into `server` without TCP (a Duplex emitted as its `connection`, which
 * `http.Server` takes as any socket): the real HTTP parser, the real upgrade handlers,
 * the real ws handshake. Resolves with what the server wrote and whether it closed,
 * after at most `turns` turns of the event loop.
 */
async function exchange(server: Server, bytes: Buffer, turns = 100): Promise<{ response: string; closed: boolean }> {
  let response = '';
  let closed = false;
  const socket = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, done) => {
      response += chunk.toString('latin1');
      done();
    },
    final: (done) => {
      closed = true;
      done();
    },
  });
  socket.on('close', () => (closed = true));
  // What ws calls on a socket it takes over.
  Object.assign(socket, { setTimeout: () => socket, setNoDelay: () => socket, setKeepAlive: () => socket });
  server.emit('connection', socket);
  socket.push(bytes);
  for (let turn = 0; turn < turns && !closed && !/^HTTP\/1\.1 101 [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/.test(response); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  socket.destroy();
  return { response, closed };
}

describe('fuzz: the WebSocket upgrade handler (serveFrames on a shared server)', function () {
  this.timeout(120_000);
  let server: Server;
  let broadcast: FrameBroadcast;
  before(async () => {
    server = createServer((_request, response) => response.writeHead(426, { connection: 'close' }).end());
    const frame: ConnectionStatusFrame = { type: 'connection_status', states: { node1: { log_reader: initialLogReaderStatus('10.0.0.2', 9001) } } };
    broadcast = await serveFrames(
      { frames$: new Subject<ConnectionStatusFrame>(), frame: () => frame },
      { server, token: TOKEN, allowedOrigins: ['https://dash.example'] },
    );
  });
  after(async () => broadcast.close());

  it('any request line and headers: upgraded exactly when SPEC §8 allows, else answered and closed; nothing of the peer or the token sent back', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const { bytes, acceptable } = build(request);
        const { response, closed } = await exchange(server, Buffer.from(bytes, 'latin1'));
        const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);
        if (acceptable) {
          expect(status, response).to.equal(101);
        } else {
          expect([400, 401, 403, 404, 405, 421, 426], response).to.include(status);
          expect(closed, 'closed').to.equal(true);
          expect(response.length).to.be.at.most(512);
        }
        expect(response).not.to.include(MARKER);
        expect(response).not.to.include(TOKEN);
      }),
      fuzzParameters(),
    );
    expect(broadcast.clientCount).to.equal(0);
  });

  it('any bytes at all: answered (400) or held as an incomplete request, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
        const { response } = await exchange(server, Buffer.from(bytes), 10);
        if (response !== '') expect(response).to.match(/^HTTP\/1\.1 (400|404|426|431|505) /);
      }),
      fuzzParameters(2000),
    );
  });
});
