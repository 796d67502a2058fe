import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { lastValueFrom } from 'rxjs';
import { KeepAliveHttp, type HttpReply } from '../../lib/index.js';
import { listen } from '../support/listen.js';
import { ok, RawHttpServer, text } from '../support/raw-http-server.js';
import { eventually } from '../support/wait.js';

describe('KeepAliveHttp (raw and real servers on 127.0.0.1)', () => {
  let server: RawHttpServer;
  let http: KeepAliveHttp;
  beforeEach(async () => {
    server = await RawHttpServer.start();
    http = new KeepAliveHttp(server.origin);
  });
  afterEach(async () => {
    http.close();
    await server.stop();
  });
  const get = (path = '/api/sno/', headers: Record<string, string> = {}, maxBodyBytes = 1 << 20): Promise<HttpReply> =>
    lastValueFrom(http.request(new URL(path, server.origin), headers, maxBodyBytes));

  it('sends a plain GET with the Host and the given headers, and reuses one connection', async () => {
    for (let index = 0; index < 3; index++) expect(text(await get('/api/sno/?x=1', { authorization: 'Basic eDp5' }))).to.equal('{"ok":true}');
    expect(server.connections).to.have.length(1);
    expect(server.requests[0]).to.equal(
      `GET /api/sno/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUser-Agent: storj-monitor-rx\r\nauthorization: Basic eDp5`,
    );
  });

  it('reads a chunked answer that arrives a byte at a time', async () => {
    server.answer = (_head, socket) => {
      const bytes = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n');
      // One byte per write, each after the last went out, so each is its own TCP segment.
      const next = (index: number): void => void (index < bytes.length && socket.write(bytes.subarray(index, index + 1), () => setImmediate(next, index + 1)));
      next(0);
    };
    expect(text(await get())).to.equal('{"a":1}');
    expect(text(await get())).to.equal('{"a":1}');
    expect(server.connections).to.have.length(1);
  });

  it('queues requests beyond maxConnections and serves them all', async () => {
    http = new KeepAliveHttp(server.origin, { maxConnections: 2 });
    const held: Array<() => void> = [];
    server.answer = (head, socket) => held.push(() => socket.write(ok(JSON.stringify(head.split(' ')[1]))));
    const replies = Promise.all([1, 2, 3, 4, 5].map((index) => get(`/q${index}`)));
    await eventually(() => held.length === 2);
    while (held.length > 0) {
      held.shift()?.();
      await eventually(() => held.length > 0 || server.requests.length === 5);
    }
    await eventually(() => held.length === 0 && server.requests.length === 5);
    expect((await replies).map(text)).to.deep.equal(['"/q1"', '"/q2"', '"/q3"', '"/q4"', '"/q5"']);
    expect(server.connections).to.have.length(2);
  });

  it('unsubscribing mid-answer closes that connection; a queued request that is dropped is never sent', async () => {
    http = new KeepAliveHttp(server.origin, { maxConnections: 1 });
    server.answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"slow');
    const first = http.request(new URL('/first', server.origin), {}, 1000).subscribe();
    const queued = http.request(new URL('/queued', server.origin), {}, 1000).subscribe();
    await eventually(() => server.requests.length === 1);
    queued.unsubscribe();
    first.unsubscribe();
    await eventually(() => server.closedConnections === 1);
    server.answer = (_head, socket) => socket.write(ok('{}'));
    expect(text(await get('/after'))).to.equal('{}');
    expect(server.requests.map((head) => head.split(' ')[1])).to.deep.equal(['/first', '/after']);
  });

  it('sends a request for another origin over a connection of its own, closed afterwards', async () => {
    const other = await RawHttpServer.start();
    try {
      other.answer = (_head, socket) => socket.write(ok('"elsewhere"'));
      const reply = await lastValueFrom(http.request(new URL('/x', other.origin), {}, 1000));
      expect(text(reply)).to.equal('"elsewhere"');
      await eventually(() => other.closedConnections === 1);
      expect(server.connections).to.have.length(0);
    } finally {
      await other.stop();
    }
  });

  it('close() closes the idle connections; a later request opens a new one', async () => {
    await get();
    http.close();
    await eventually(() => server.closedConnections === 1);
    await get();
    expect(server.connections).to.have.length(2);
  });

  it('refuses a header or path that would split the request, sending nothing', async () => {
    const refused = (path: string, headers: Record<string, string>) =>
      lastValueFrom(http.request(new URL(path, server.origin), headers, 1000)).then(
        () => expect.fail('should have failed'),
        (error: Error) => error,
      );
    expect(await refused('/', { 'x-evil': 'a\r\nGET /admin HTTP/1.1' }))
      .to.be.instanceOf(RangeError)
      .and.have.property('message')
      .that.matches(/header "x-evil"/);
    expect(await refused('/', { 'x\r\ny': 'a' })).to.be.instanceOf(RangeError);
    expect(server.requests).to.have.length(0);
    expect(text(await get())).to.equal('{"ok":true}');
  });

  it('rejects an origin that is not http(s), naming it', () => {
    expect(() => new KeepAliveHttp('ftp://127.0.0.1/')).to.throw(RangeError, /origin must be an http\(s\) URL; got "ftp:\/\/127.0.0.1"/);
    expect(() => new KeepAliveHttp('http://127.0.0.1', { maxConnections: 0 })).to.throw(RangeError, /maxConnections/);
  });
});

describe('KeepAliveHttp over TLS (a real HTTPS server with a throwaway certificate)', function () {
  this.timeout(20_000);
  let directory: string;
  let key: Buffer;
  let cert: Buffer;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'storj-monitor-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(directory, 'key.pem'),
        '-out',
        join(directory, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(directory, 'key.pem'));
    cert = readFileSync(join(directory, 'cert.pem'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('talks HTTPS by default and refuses a certificate it does not trust; a connect option can trust it', async () => {
    const server = createHttpsServer({ key, cert }, (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"tls":true}'),
    );
    const port = await listen(server, 0);
    const origin = `https://127.0.0.1:${port}`;
    const untrusting = new KeepAliveHttp(origin);
    const trusting = new KeepAliveHttp(origin, { connect: ({ host, port: to }) => tlsConnect({ host, port: to, ca: cert }) });
    try {
      const error = await lastValueFrom(untrusting.request(new URL('/api/sno/', origin), {}, 1000)).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).to.match(/self[- ]signed certificate/);
      expect(text(await lastValueFrom(trusting.request(new URL('/api/sno/', origin), {}, 1000)))).to.equal('{"tls":true}');
      expect(text(await lastValueFrom(trusting.request(new URL('/api/sno/', origin), {}, 1000)))).to.equal('{"tls":true}');
    } finally {
      untrusting.close();
      trusting.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
