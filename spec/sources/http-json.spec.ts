import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { asyncScheduler, lastValueFrom, VirtualTimeScheduler } from 'rxjs';
import {
  ApiRequestError,
  httpJson,
  jsonRequester,
  KeepAliveFetch,
  PEER_TEXT_MAX_CHARS,
  redactCredentials,
  toDashboard,
  type AbortSignalLike,
  type FetchLike,
  type SignalLikeFetch,
} from '../../lib/index.js';
import { RequestSignal } from '../../lib/sources/request-signal.js';
import { refusedPort } from '../support/forwarder.js';
import { DASHBOARD, healthy, json, TestNodeApi } from '../support/node-api.js';
import { eventually } from '../support/wait.js';

/** Every kind of fetch the API client is used with: its default (with a reused RequestSignal), the same as a plain fetch (an AbortController per request), and Node's own. */
const fetches: Record<string, () => { fetch: FetchLike | SignalLikeFetch; close: () => void }> = {
  'KeepAliveFetch (cross-fetch, keep-alive agents, a RequestSignal)': () => {
    const connections = new KeepAliveFetch();
    return { fetch: connections, close: () => connections.close() };
  },
  "KeepAliveFetch's fetch as a FetchLike (an AbortController per request)": () => {
    const connections = new KeepAliveFetch();
    return { fetch: connections.fetch, close: () => connections.close() };
  },
  "Node's global fetch (undici)": () => ({ fetch: (url, init) => fetch(url, init) as unknown as ReturnType<FetchLike>, close: () => undefined }),
};

for (const [name, open] of Object.entries(fetches))
  describe(`httpJson over ${name} (a real HTTP server on 127.0.0.1)`, () => {
    let api: TestNodeApi;
    let fetch: FetchLike | SignalLikeFetch;
    let close: () => void;
    beforeEach(async () => {
      api = await TestNodeApi.start();
      ({ fetch, close } = open());
    });
    afterEach(async () => {
      close();
      await api.stop();
    });

    const get = (path: string, options: { timeoutMs?: number; maxBodyBytes?: number; url?: string } = {}) =>
      lastValueFrom(
        httpJson({
          url: options.url ?? `${api.url}${path}`,
          fetch,
          scheduler: asyncScheduler,
          timeoutMs: options.timeoutMs ?? 2000,
          maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
        }),
      );
    const failure = async (path: string, options?: Parameters<typeof get>[1]): Promise<ApiRequestError> => {
      const error = await get(path, options).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ApiRequestError);
      return error as ApiRequestError;
    };
    const requester = (scheduler = asyncScheduler) =>
      jsonRequester({ url: `${api.url}/api/sno/`, fetch, scheduler, timeoutMs: 2000, maxBodyBytes: 1 << 20, accept: toDashboard });
    /** One call of a jsonRequester: its outcome, and how many times a callback ran. */
    const call = (send: ReturnType<typeof requester>) =>
      new Promise<{ body?: unknown; error?: ApiRequestError; calls: number }>((resolve) => {
        let calls = 0;
        send(
          (body) => {
            calls++;
            setImmediate(() => resolve({ body, calls }));
          },
          (error) => {
            calls++;
            setImmediate(() => resolve({ error, calls }));
          },
        );
      });

    it('gets and parses a JSON body', async () => {
      expect(await get('/api/sno/')).to.deep.equal(DASHBOARD);
    });

    it('follows the node’s 301 from /api/sno to /api/sno/', async () => {
      expect(await get('/api/sno')).to.deep.equal(DASHBOARD);
    });

    for (const status of [500, 502, 503]) {
      it(`${status} fails with the status, marking the API unavailable`, async () => {
        api.behaviour = (_request, response) => json(response, { error: 'down' }, status);
        const error = await failure('/api/sno/');
        expect(error).to.include({ kind: 'http', status, marksUnavailable: true });
        expect(error.message).to.match(new RegExp(`^HTTP ${status}`));
      });
    }

    it('keeps the node’s own reason, {"error": "..."}, in the message; other bodies add nothing', async () => {
      // As a storagenode writes it: serveJSONError, storj/storj storagenode/console/consoleapi/payouts.go (6ba8f6c8a9).
      api.behaviour = (_request, response) => json(response, { error: 'payouts console web error: consoleapi payouts: wrong period format' }, 400);
      expect(await failure('/api/heldamount/paystubs/2025-13/2025-09')).to.include({
        kind: 'http',
        status: 400,
        message: 'HTTP 400 Bad Request: payouts console web error: consoleapi payouts: wrong period format',
      });
      api.behaviour = (_request, response) => json(response, { error: 'consoleapi storagenode: database is locked' }, 500);
      expect(await failure('/api/sno/')).to.include({
        status: 500,
        marksUnavailable: true,
        message: 'HTTP 500 Internal Server Error: consoleapi storagenode: database is locked',
      });
      for (const body of ['<html>Bad Gateway</html>', '{"error": 42}', '{"error": "  "}', '["error"]']) {
        api.behaviour = (_request, response) => response.writeHead(502, { 'content-type': 'text/html' }).end(body);
        expect((await failure('/api/sno/')).message).to.equal('HTTP 502 Bad Gateway');
      }
    });

    it('a hostile reason is stripped of control characters and capped', async () => {
      api.behaviour = (_request, response) => json(response, { error: `locked\u001b]0;owned\u0007\u001b[2J${'a'.repeat(5000)}` }, 500);
      const { message } = await failure('/api/sno/');
      expect(message).to.match(/^HTTP 500 Internal Server Error: locked\]0;owned\[2Ja+…\[\+\d+ chars\]$/);
      expect(message.length).to.be.at.most(PEER_TEXT_MAX_CHARS + 32);
    });

    it('never shows the credentials it sent, even when the peer echoes them back', async () => {
      const token = Buffer.from('operator:hunter2-s3cret').toString('base64');
      api.behaviour = (request, response) => json(response, { error: `denied: ${request.headers.authorization} (operator:hunter2-s3cret)` }, 401);
      const error = await lastValueFrom(
        httpJson({
          url: `${api.url}/api/sno/`,
          fetch,
          scheduler: asyncScheduler,
          timeoutMs: 2000,
          maxBodyBytes: 1000,
          headers: { authorization: `Basic ${token}` },
        }),
      ).then(
        () => expect.fail('should have failed'),
        (caught: Error) => caught,
      );
      expect(error.message).to.equal('HTTP 401 Unauthorized: denied: Basic *** (***)');
    });

    it('does not follow a redirect to a URL with credentials in it', async () => {
      api.behaviour = (_request, response) => response.writeHead(302, { location: `http://someone:else@127.0.0.1:${api.port}/api/sno/` }).end();
      const error = await failure('/api/sno/');
      expect(error).to.include({ kind: 'http', status: 302 });
      expect(error.message).to.match(/^HTTP 302 redirect to an unusable location/);
      expect(error.message).to.not.include('else');
      expect(api.requests).to.have.length(1);
    });

    it('404 fails that request only', async () => {
      api.behaviour = (_request, response) => json(response, { error: 'not found' }, 404);
      expect(await failure('/api/sno/satellite/x')).to.include({ kind: 'http', status: 404, marksUnavailable: false });
    });

    it('follows a redirect to another origin without the credentials, and gives up after 20 redirects', async () => {
      const other = await TestNodeApi.start();
      try {
        api.behaviour = (_request, response) => response.writeHead(302, { location: `${other.url}/api/sno/` }).end();
        const body = await lastValueFrom(
          httpJson({
            url: `${api.url}/api/sno`,
            fetch,
            scheduler: asyncScheduler,
            timeoutMs: 2000,
            maxBodyBytes: 1 << 20,
            headers: { authorization: 'Basic eDp5' },
          }),
        );
        expect(body).to.deep.equal(DASHBOARD);
        expect(api.requests[0]?.headers.authorization).to.equal('Basic eDp5');
        // Followed by httpJson, whatever the fetch would do (node-fetch keeps credentials for the same host on another port).
        expect(other.requests[0]?.headers).to.not.have.property('authorization');
      } finally {
        await other.stop();
      }
      let hops = 0;
      api.behaviour = (_request, response) => response.writeHead(307, { location: `/loop/${++hops}` }).end();
      const error = await failure('/loop/0');
      expect(error.message).to.match(/redirect/i);
      expect(error).to.include({ kind: 'http', marksUnavailable: false, message: 'Too many redirects (more than 20)' });
    });

    it('follows a chain of exactly 20 redirects; of 21, it refuses the 21st without sending it', async () => {
      /** `/hop/N/of/M` redirects to `/hop/N+1/of/M` until N is M, which answers the dashboard. */
      api.behaviour = (request, response) => {
        const [, at, of] = /^\/hop\/(\d+)\/of\/(\d+)$/.exec(request.url ?? '') ?? [];
        if (at === of) json(response, DASHBOARD);
        else response.writeHead(302, { location: `/hop/${Number(at) + 1}/of/${of}` }).end();
      };
      expect(await get('/hop/0/of/20')).to.deep.equal(DASHBOARD);
      expect(api.requests).to.have.length(21);
      expect(await failure('/hop/0/of/21')).to.include({ kind: 'http', status: 302, message: 'Too many redirects (more than 20)' });
      const sent = api.requests.slice(21).map((request) => request.url);
      expect(sent).to.have.length(21);
      expect(sent.at(-1)).to.equal('/hop/20/of/21');
    });

    it('a 301 without a location is a failed request, not a crash', async () => {
      api.behaviour = (_request, response) => response.writeHead(301).end();
      expect(await failure('/api/sno')).to.include({ status: 301, marksUnavailable: false });
    });

    it('200 with HTML (an unknown path on a real node) is rejected with a clear error', async () => {
      const error = await failure('/unknown');
      expect(error).to.include({ kind: 'body', marksUnavailable: false });
      expect(error.message).to.equal('Response is not JSON (starts with "<!DOCTYPE html><html><body>dashboard</bo")');
    });

    it('200 with truncated JSON, or an empty body, is rejected', async () => {
      api.behaviour = (_request, response) => response.end('{"nodeID": "12AB');
      expect((await failure('/api/sno/')).message).to.match(/^Response is not JSON/);
      api.behaviour = (_request, response) => response.end();
      expect((await failure('/api/sno/')).message).to.equal('Response body is empty');
    });

    it('a server that accepts and never answers times out', async () => {
      api.behaviour = () => undefined;
      const error = await failure('/api/sno/', { timeoutMs: 100 });
      expect(error).to.include({ kind: 'timeout', marksUnavailable: true, message: 'Connection timeout (no response within 100 ms)' });
    });

    it('a slow body is covered by the same timeout', async () => {
      api.behaviour = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"nodeID": ');
      };
      expect(await failure('/api/sno/', { timeoutMs: 150 })).to.include({ kind: 'timeout' });
    });

    it('a connection reset is a transport failure', async () => {
      api.behaviour = (request) => request.socket.resetAndDestroy();
      const error = await failure('/api/sno/');
      expect(error).to.include({ kind: 'transport', marksUnavailable: true });
      expect(error.message).to.match(/^Connection reset by peer|socket hang up/);
    });

    it('an unreachable port is a transport failure that reads plainly', async () => {
      const port = await refusedPort();
      const error = await failure('', { url: `http://127.0.0.1:${port}/api/sno/` });
      expect(error.message).to.equal(`Connection refused (connect ECONNREFUSED 127.0.0.1:${port})`);
    });

    it('rejects an oversized body, declared or streamed', async () => {
      api.behaviour = (_request, response) => json(response, { nodeID: 'x', pad: 'p'.repeat(5000) });
      expect((await failure('/api/sno/', { maxBodyBytes: 1000 })).message).to.equal('Response body larger than 1000 bytes');
      api.behaviour = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let index = 0; index < 100; index++) response.write('"'.padEnd(1000, 'p'));
        response.end();
      };
      expect((await failure('/api/sno/', { maxBodyBytes: 10_000 })).message).to.equal('Response body larger than 10000 bytes');
    });

    it('unsubscribing aborts the request', async () => {
      let closed!: () => void;
      const aborted = new Promise<void>((resolve) => (closed = resolve));
      api.behaviour = (request) => request.socket.once('close', closed);
      const subscription = httpJson({ url: `${api.url}/api/sno/`, fetch, scheduler: asyncScheduler, timeoutMs: 5000, maxBodyBytes: 1000 }).subscribe();
      await eventually(() => api.requests.length > 0);
      subscription.unsubscribe();
      await aborted;
    });

    it('jsonRequester calls back once with the accepted body, and sends the request again on each call', async () => {
      const send = requester();
      expect(await call(send)).to.deep.equal({ body: toDashboard(DASHBOARD), calls: 1 });
      expect(await call(send)).to.deep.equal({ body: toDashboard(DASHBOARD), calls: 1 });
      expect(api.requests).to.have.length(2);
    });

    it('jsonRequester calls back once with the error, never with a body', async () => {
      api.behaviour = (_request, response) => json(response, { nodeID: 42 });
      const outcome = await call(requester());
      expect(outcome.calls).to.equal(1);
      expect(outcome.error).to.include({ kind: 'body', message: 'Response has no string nodeID' });
    });

    it('abandoning a jsonRequester call calls back neither, and aborts the request', async () => {
      let closed!: () => void;
      const aborted = new Promise<void>((resolve) => (closed = resolve));
      api.behaviour = (request) => request.socket.once('close', closed);
      let calls = 0;
      const abandon = requester()(
        () => calls++,
        () => calls++,
      );
      await eventually(() => api.requests.length > 0);
      abandon();
      await aborted;
      expect(calls).to.equal(0);
    });

    it('jsonRequester times out on the scheduler it is given (virtual time)', async () => {
      api.behaviour = () => undefined;
      const scheduler = new VirtualTimeScheduler();
      const errors: ApiRequestError[] = [];
      requester(scheduler)(
        () => undefined,
        (error) => errors.push(error),
      );
      await eventually(() => api.requests.length > 0);
      expect(errors).to.deep.equal([]);
      scheduler.flush();
      expect(errors.map((error) => [error.kind, error.message])).to.deep.equal([['timeout', 'Connection timeout (no response within 2000 ms)']]);
    });
  });

describe('jsonRequester over a KeepAliveFetch reuses the RequestSignal of a request that ended well once node-fetch let go of it (a real HTTP server on 127.0.0.1)', () => {
  let api: TestNodeApi;
  let connections: KeepAliveFetch;
  /** The signal each request was sent with, in order. */
  let signals: AbortSignalLike[];
  beforeEach(async () => {
    api = await TestNodeApi.start();
    connections = new KeepAliveFetch();
    signals = [];
  });
  afterEach(async () => {
    connections.close();
    await api.stop();
  });

  const recording: SignalLikeFetch = {
    fetch: (url, init) => {
      signals.push(init.signal);
      return connections.fetch(url, init);
    },
  };
  const requester = (fetch: FetchLike | SignalLikeFetch = recording) =>
    jsonRequester({ url: `${api.url}/api/sno/`, fetch, scheduler: asyncScheduler, timeoutMs: 2000, maxBodyBytes: 1 << 20, accept: toDashboard });
  const call = (send: ReturnType<typeof requester>) =>
    new Promise<{ ok: boolean; abandon: () => void }>((resolve) => {
      const abandon = send(
        () => setImmediate(() => resolve({ ok: true, abandon })),
        () => setImmediate(() => resolve({ ok: false, abandon })),
      );
    });

  it("one RequestSignal for every request that ends well, node-fetch's listener gone after each, over one connection", async () => {
    const send = requester();
    for (let index = 0; index < 20; index++) {
      expect((await call(send)).ok).to.equal(true);
      expect(signals[0]).to.be.instanceOf(RequestSignal);
      expect((signals[0] as RequestSignal).idle).to.equal(true);
    }
    expect(new Set(signals).size).to.equal(1);
    expect(signals[0]?.aborted).to.equal(false);
    expect(api.connections).to.equal(1);
  });

  it("a redirect's hop goes with the signal of the hop before it: one signal for requests through a 301", async () => {
    const send = jsonRequester({
      url: `${api.url}/api/sno`,
      fetch: recording,
      scheduler: asyncScheduler,
      timeoutMs: 2000,
      maxBodyBytes: 1 << 20,
      accept: toDashboard,
    });
    for (let index = 0; index < 3; index++) expect((await call(send)).ok).to.equal(true);
    expect(api.requests.map((request) => request.url)).to.deep.equal(Array(3).fill(['/api/sno', '/api/sno/']).flat());
    expect(new Set(signals).size).to.equal(1);
    expect((signals[0] as RequestSignal).idle).to.equal(true);
  });

  it('after a request that failed, the next gets a new signal: the failed one was aborted', async () => {
    const send = requester();
    await call(send);
    api.behaviour = (_request, response) => json(response, { nodeID: 42 });
    expect((await call(send)).ok).to.equal(false);
    api.behaviour = (_request, response) => response.writeHead(500).end('oops');
    expect((await call(send)).ok).to.equal(false);
    api.behaviour = healthy;
    expect((await call(send)).ok).to.equal(true);
    expect((await call(send)).ok).to.equal(true);
    const [first, second, third, fourth, fifth] = signals;
    expect(second).to.equal(first);
    expect(first?.aborted).to.equal(true);
    expect(third).to.not.equal(first);
    expect(third?.aborted).to.equal(true);
    expect(fourth).to.not.equal(third);
    expect(fifth).to.equal(fourth);
    expect(fifth?.aborted).to.equal(false);
  });

  it('abandoning a request that ended well does not abort the next one, which has its signal', async () => {
    const send = requester();
    const { abandon: abandonFirst } = await call(send);
    let answer!: () => void;
    api.behaviour = (_request, response) => (answer = () => healthy(_request, response));
    const second = call(send);
    await eventually(() => api.requests.length === 2);
    abandonFirst();
    answer();
    expect((await second).ok).to.equal(true);
    expect(signals[1]).to.equal(signals[0]);
    expect(signals[1]?.aborted).to.equal(false);
  });

  it('an abandoned request leaves no signal to reuse: the next gets a new one', async () => {
    const send = requester();
    await call(send);
    api.behaviour = () => undefined;
    const abandon = send(
      () => undefined,
      () => undefined,
    );
    await eventually(() => api.requests.length === 2);
    abandon();
    api.behaviour = healthy;
    expect((await call(send)).ok).to.equal(true);
    expect(signals[1]).to.equal(signals[0]);
    expect(signals[1]?.aborted).to.equal(true);
    expect(signals[2]).to.not.equal(signals[1]);
  });

  it('a fetch that keeps a listener on its signal gets a new signal for every request', async () => {
    const keeping: SignalLikeFetch = {
      fetch: (url, init) => {
        init.signal.addEventListener('abort', () => undefined);
        return recording.fetch(url, init);
      },
    };
    const send = requester(keeping);
    for (let index = 0; index < 3; index++) expect((await call(send)).ok).to.equal(true);
    expect(new Set(signals).size).to.equal(3);
  });

  it("a plain FetchLike (KeepAliveFetch's fetch, as undici would be) gets an AbortController's signal of its own for every request", async () => {
    const plain: FetchLike = (url, init) => {
      signals.push(init.signal);
      return connections.fetch(url, init);
    };
    const send = requester(plain);
    for (let index = 0; index < 3; index++) expect((await call(send)).ok).to.equal(true);
    expect(new Set(signals).size).to.equal(3);
    for (const signal of signals) expect(signal).to.be.instanceOf(AbortSignal);
    expect(api.connections).to.equal(1);
  });

  it('a compressed body that ends before its response does (bytes after the gzip stream): its signal is not reused, so a later failure cannot cut that response off', async () => {
    // Real time, short: the answer's last bytes come 20 and 150 ms after its body, on the server's own timers.
    const ended: boolean[] = [];
    const timers: NodeJS.Timeout[] = [];
    api.behaviour = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.write(gzipSync(JSON.stringify(DASHBOARD)));
      timers.push(setTimeout(() => response.write(Buffer.alloc(4)), 20));
      timers.push(setTimeout(() => response.end(), 150));
      response.on('close', () => ended.push(response.writableFinished));
    };
    try {
      const send = requester();
      expect((await call(send)).ok).to.equal(true);
      api.behaviour = (_request, response) => response.writeHead(500).end('oops');
      expect((await call(send)).ok).to.equal(false);
      expect(signals[1]).to.not.equal(signals[0]);
      expect(signals[0]?.aborted).to.equal(false);
      await eventually(() => ended.length === 1);
      expect(ended).to.deep.equal([true]);
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  });
});

describe('redactCredentials', () => {
  it('removes user:password@ from URLs in any text', () => {
    expect(redactCredentials('request to http://admin:s3cret@10.0.0.2:14002/api failed')).to.equal('request to http://10.0.0.2:14002/api failed');
    expect(redactCredentials('https://only-user@host/ and http://a:b@c/')).to.equal('https://host/ and http://c/');
    expect(redactCredentials('no url here')).to.equal('no url here');
  });
});
