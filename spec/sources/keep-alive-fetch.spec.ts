import { expect } from 'chai';
import crossFetch from 'cross-fetch';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, lastValueFrom } from 'rxjs';
import { ApiRequestError, httpJson, KeepAliveFetch, type FetchLike } from '../../lib/index.js';
import { RequestSignal } from '../../lib/sources/request-signal.js';
import { listen } from '../support/listen.js';
import { ok, RawHttpServer } from '../support/raw-http-server.js';
import { DASHBOARD, TestNodeApi } from '../support/node-api.js';
import { eventually } from '../support/wait.js';

describe('KeepAliveFetch (a real HTTP server on 127.0.0.1)', () => {
  let api: TestNodeApi;
  let connections: KeepAliveFetch;
  beforeEach(async () => {
    api = await TestNodeApi.start();
    connections = new KeepAliveFetch();
  });
  afterEach(async () => {
    connections.close();
    await api.stop();
  });
  const get = (path = '/api/sno/', timeoutMs = 2000) =>
    lastValueFrom(httpJson({ url: `${api.url}${path}`, fetch: connections.fetch, scheduler: asyncScheduler, timeoutMs, maxBodyBytes: 1 << 20 }));
  const sockets = () => new Set(api.requests.map((request) => request.socket));

  it('sends the requests over one kept-alive connection, redirects included', async () => {
    for (let index = 0; index < 3; index++) expect(await get('/api/sno')).to.deep.equal(DASHBOARD);
    expect(api.requests.map((request) => request.url)).to.deep.equal(Array(3).fill(['/api/sno', '/api/sno/']).flat());
    expect(sockets().size).to.equal(1);
  });

  it('turns TCP keepalive on from the connect, before the first answer: the kernel shows its timer', async function () {
    let answer!: () => void;
    api.behaviour = (_request, response) => (answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const reply = get();
    await eventually(() => api.requests.length === 1);
    const client = api.requests[0]?.socket;
    let listing: string;
    try {
      listing = execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${client?.remotePort} )`], { encoding: 'utf8' });
    } catch {
      answer();
      await reply;
      return this.skip(); // no `ss` (iproute2) here
    }
    answer();
    await reply;
    // The first probe due 10 s after the connect (a few ms ago), not after Node's default
    // 1 s nor the kernel's two hours: `ss` shows the time left as `9.988ms` (9 s 988 ms),
    // `996ms`, `119min`.
    const [, minutes = '0', seconds = '0', millis = '0'] = /timer:\(keepalive,(?:(\d+)min)?(?:(\d+)(?:sec|\.))?(?:(\d+)ms)?,/.exec(listing) ?? [];
    expect(Number(minutes) * 60_000 + Number(seconds) * 1000 + Number(millis)).to.be.within(2000, 10_000);
  });

  it('resetConnections(): the next request goes over a new connection; idle ones close now, busy ones when their answer is read', async () => {
    await get();
    connections.resetConnections();
    await eventually(() => api.requests[0]?.socket.destroyed === true);
    await get();
    let answer!: () => void;
    api.behaviour = (_request, response) => (answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}'));
    const held = get();
    await eventually(() => api.requests.length === 3);
    connections.resetConnections();
    api.behaviour = (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"after":true}');
    expect(await get()).to.deep.equal({ after: true });
    answer();
    expect(await held).to.deep.equal({ held: true });
    await get();
    const [first, second, busy, third, reused] = api.requests.map((request) => request.socket);
    expect([second === first, busy === second, third === busy, reused === third]).to.deep.equal([false, true, false, true]);
    await eventually(() => busy?.destroyed === true);
  });

  it('close() aborts a request under way and closes its connection; a later request connects again', async () => {
    await get();
    const idle = api.requests[0]?.socket;
    api.behaviour = () => undefined;
    const aborted = get('/api/sno/', 5000).then(
      () => expect.fail('should have failed'),
      (error: unknown) => error,
    );
    await eventually(() => api.requests.length === 2);
    connections.close();
    expect(await aborted)
      .to.be.instanceOf(ApiRequestError)
      .and.include({ kind: 'transport' });
    expect(api.requests[1]?.socket).to.equal(idle);
    await eventually(() => idle?.destroyed === true);
    api.behaviour = (_request, response: ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    expect(await get()).to.deep.equal({});
    expect(sockets().size).to.equal(2);
  });

  const send = (signal: RequestSignal) => connections.fetch(`${api.url}/api/sno/`, { method: 'GET', headers: {}, redirect: 'manual', signal });

  it('node-fetch takes a RequestSignal, and lets go of it when the answer has come', async () => {
    const signal = new RequestSignal();
    const response = await send(signal);
    expect(response.status).to.equal(200);
    for await (const _chunk of response.body ?? []) void _chunk;
    expect(signal.idle).to.equal(true);
  });

  it('aborting a RequestSignal aborts a request under way, whose connection closes', async () => {
    api.behaviour = () => undefined;
    const signal = new RequestSignal();
    const sent = send(signal).then(
      () => expect.fail('should have failed'),
      (error: unknown) => error,
    );
    await eventually(() => api.requests.length === 1);
    signal.abort();
    expect(await sent).to.include({ name: 'AbortError' });
    await eventually(() => api.requests[0]?.socket.destroyed === true);
  });

  it('a RequestSignal aborted before it is sent: nothing goes out', async () => {
    const signal = new RequestSignal();
    signal.abort();
    const error = await send(signal).then(
      () => expect.fail('should have failed'),
      (caught: unknown) => caught,
    );
    expect(error).to.include({ name: 'AbortError' });
    // A request after it is the first the server sees, over the first connection.
    const later = await send(new RequestSignal());
    expect(later.status).to.equal(200);
    expect(api.requests).to.have.length(1);
    expect(api.connections).to.equal(1);
  });
});

/** httpJson given the KeepAliveFetch itself (its requests go with a RequestSignal), or its fetch (an AbortController each). */
const givenAs: Record<string, (connections: KeepAliveFetch) => KeepAliveFetch | FetchLike> = {
  'itself, with a RequestSignal': (connections) => connections,
  'its fetch, with an AbortController': (connections) => connections.fetch,
};

for (const [how, given] of Object.entries(givenAs))
  describe(`KeepAliveFetch resending, given ${how} (a raw server on 127.0.0.1)`, () => {
    let server: RawHttpServer;
    let connections: KeepAliveFetch;
    beforeEach(async () => {
      server = await RawHttpServer.start();
      connections = new KeepAliveFetch();
    });
    afterEach(async () => {
      connections.close();
      await server.stop();
    });
    const get = () =>
      lastValueFrom(
        httpJson({ url: `${server.origin}/api/sno/`, fetch: given(connections), scheduler: asyncScheduler, timeoutMs: 2000, maxBodyBytes: 1000 }),
      ).then(
        (body) => body,
        (error: Error) => error,
      );

    it('sends a request again, once, when a kept-alive connection turns out closed (the server’s idle timeout)', async () => {
      server.answer = (_head, socket, connection) => {
        // The first connection answers once, then closes on the next request, as a server timing it out does.
        if (connection === 0 && server.requests.length > 1) socket.destroy();
        else socket.write(ok(`{"connection":${connection}}`));
      };
      expect(await get()).to.deep.equal({ connection: 0 });
      expect(await get()).to.deep.equal({ connection: 1 });
      expect(server.connections).to.have.length(2);
    });

    it('does not send again on a new connection that closes unanswered, nor a second time', async () => {
      server.answer = (_head, socket) => socket.destroy();
      expect(await get())
        .to.be.instanceOf(ApiRequestError)
        .and.have.property('message')
        .that.matches(/socket hang up/);
      expect(server.requests).to.have.length(1);
      const answered = new Set<number>();
      server.answer = (_head, socket, connection) => {
        // Each connection answers its first request only, then closes on the next.
        if (answered.has(connection)) socket.destroy();
        else socket.write(ok('{}'));
        answered.add(connection);
      };
      expect(await get()).to.deep.equal({});
      server.answer = (_head, socket) => socket.destroy();
      expect(await get())
        .to.be.instanceOf(ApiRequestError)
        .and.have.property('message')
        .that.matches(/socket hang up/);
      // The failed one, the answered one, then one send and one resend.
      expect(server.requests).to.have.length(4);
    });
  });

describe('KeepAliveFetch over TLS (a real HTTPS server with a throwaway certificate)', function () {
  this.timeout(20_000);
  let directory: string;
  let key: Buffer;
  let cert: Buffer;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'storj-monitor-tls-'));
    // prettier-ignore
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore' });
    key = readFileSync(join(directory, 'key.pem'));
    cert = readFileSync(join(directory, 'cert.pem'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('talks HTTPS and refuses a certificate it does not trust; a fetch with an agent of your own (a CA) trusts it', async () => {
    const server = createHttpsServer({ key, cert }, (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"tls":true}'),
    );
    const port = await listen(server, 0);
    const connections = new KeepAliveFetch();
    const agent = new HttpsAgent({ keepAlive: true, ca: cert });
    const trusting: FetchLike = (url, init) => (crossFetch as unknown as (url: string, init: object) => ReturnType<FetchLike>)(url, { ...init, agent });
    const get = (fetch: FetchLike) =>
      lastValueFrom(httpJson({ url: `https://127.0.0.1:${port}/api/sno/`, fetch, scheduler: asyncScheduler, timeoutMs: 5000, maxBodyBytes: 1000 }));
    try {
      const error = await get(connections.fetch).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error).to.be.instanceOf(ApiRequestError).and.include({ kind: 'transport' });
      expect(error?.message).to.match(/self[- ]signed certificate/);
      expect(await get(trusting)).to.deep.equal({ tls: true });
      expect(await get(trusting)).to.deep.equal({ tls: true });
    } finally {
      connections.close();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
