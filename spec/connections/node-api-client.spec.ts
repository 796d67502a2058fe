import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { firstValueFrom, lastValueFrom, Subscription, VirtualTimeScheduler } from 'rxjs';
import sinon from 'sinon';
import {
  ApiRequestError,
  ApiUnavailableError,
  ConnectionRegistry,
  KeepAliveFetch,
  NodeApiClient,
  tcpLogSource,
  type ApiClientEvent,
  type ApiClientStatus,
  type FetchLike,
  type FetchResponseLike,
  type NodeApiClientOptions,
} from '../../lib/index.js';
import { fakeClock } from '../support/fake-clock.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { firstMatch, refusedPort, statusMatch, TestForwarder } from '../support/forwarder.js';
import { DASHBOARD, json, TestNodeApi } from '../support/node-api.js';
import { eventually } from '../support/wait.js';

const FAST = { healthCheckIntervalMs: 100, timeoutMs: 1000, backoff: { initialMs: 30, maxMs: 30 } } as const;

function client(options: NodeApiClientOptions) {
  const registry = new ConnectionRegistry();
  const api = new NodeApiClient({ ...options, registry });
  const until = async (predicate: (status: ApiClientStatus) => boolean): Promise<ApiClientStatus> => {
    await statusMatch(registry.states$, options.node, 'api_client', predicate);
    return api.status;
  };
  return { api, registry, until };
}

describe('NodeApiClient (a real HTTP server on 127.0.0.1)', () => {
  let node: TestNodeApi;
  let under: ReturnType<typeof client> | undefined;
  beforeEach(async () => (node = await TestNodeApi.start()));
  afterEach(async () => {
    under?.api.stop();
    under = undefined;
    await node.stop();
  });

  /** Starts a client that checks every 10 ms; `events` gets its events' types (`checked true|false` for a check). */
  const startCheckingEvery10Ms = (): { api: NodeApiClient; events: string[] } => {
    const events: string[] = [];
    under = client({
      node: 'node1',
      url: node.url,
      ...FAST,
      healthCheckIntervalMs: 10,
      onEvent: (event) => events.push(event.type === 'health_checked' ? `checked ${event.ok}` : event.type),
    });
    under.api.start();
    return { api: under.api, events };
  };

  it('is registered before it connects, then connected with is_available and last_successful_request', async () => {
    under = client({ node: 'node1', url: node.url, ...FAST });
    expect(under.registry.snapshot().node1?.api_client).to.include({ state: 'disconnected', is_available: false });
    expect(under.api.version, 'no dashboard yet').to.equal(null);
    const before = Date.now() / 1000;
    under.api.start();
    const status = await under.until((current) => current.state === 'connected');
    expect(under.api.version).to.equal('1.115.5');
    expect(status).to.include({ is_available: true, last_error: null, reconnect_attempts: 0 });
    expect(status.last_successful_request).to.be.within(before, Date.now() / 1000);
    expect(Object.keys(status).sort()).to.include.members(['state', 'is_available', 'last_error', 'reconnect_attempts', 'last_successful_request']);
    expect(node.requests.every((request) => request.url === '/api/sno/')).to.equal(true);
  });

  it('a dashboard without a version leaves the version known before', async () => {
    const { version: _version, ...unversioned } = DASHBOARD;
    node.behaviour = (_request, response) => json(response, unversioned);
    under = client({ node: 'node1', url: node.url, ...FAST });
    under.api.start();
    await under.until((current) => current.state === 'connected');
    expect(under.api.version).to.equal(null);
    node.behaviour = (_request, response) => json(response, DASHBOARD);
    await eventually(() => under?.api.version === '1.115.5');
    node.behaviour = (_request, response) => json(response, unversioned);
    const checked = node.requests.length;
    await eventually(() => node.requests.length > checked + 1);
    expect(under.api.version).to.equal('1.115.5');
  });

  it('connected$ emits each time the client becomes connected, when its status already says so', async () => {
    under = client({ node: 'node1', url: node.url, ...FAST });
    const { api } = under;
    const seen: boolean[] = [];
    const watching = api.connected$.subscribe(() => seen.push(api.isAvailable));
    try {
      api.start();
      await eventually(() => seen.length === 1);
      node.behaviour = (_request, response) => void response.writeHead(500).end();
      await under.until((status) => status.state === 'error');
      expect(seen, 'not while failing').to.deep.equal([true]);
      node.behaviour = (_request, response) => json(response, DASHBOARD);
      await eventually(() => seen.length === 2);
      expect(seen).to.deep.equal([true, true]);
    } finally {
      watching.unsubscribe();
    }
  });

  it('Scenario 3, API unavailability: error and not available while the log keeps streaming; recovers by itself', async () => {
    const forwarder = await TestForwarder.start();
    const registry = new ConnectionRegistry();
    const api = new NodeApiClient({ node: 'node1', url: node.url, registry, ...FAST });
    const lines: string[] = [];
    const logs = new Subscription();
    try {
      logs.add(tcpLogSource({ node: 'node1', host: '127.0.0.1', port: forwarder.port, registry }).subscribe((line) => lines.push(line.line)));
      api.start();
      const state = (predicate: (status: ApiClientStatus) => boolean) =>
        firstMatch(registry.states$, (states) => {
          const status = states.node1?.api_client;
          return status !== undefined && predicate(status) && states.node1?.log_reader?.state === 'connected';
        });
      await state((status) => status.state === 'connected');

      await node.stop();
      const down = await state((status) => status.state === 'error');
      expect(down.node1?.api_client).to.include({ is_available: false });
      expect(down.node1?.api_client?.last_error).to.match(/^Connection refused/);
      const unavailable = await firstValueFrom(api.dashboard()).catch((error: unknown) => error);
      expect(unavailable).to.be.instanceOf(ApiUnavailableError);

      forwarder.send('1.0 still streaming while the API is down\n');
      await eventually(() => lines.length === 1);
      expect(lines).to.deep.equal(['still streaming while the API is down']);

      await node.listen();
      const back = await state((status) => status.state === 'connected');
      expect(back.node1?.api_client).to.include({ is_available: true, last_error: null });
      expect((await lastValueFrom(api.dashboard())).nodeID).to.equal(DASHBOARD.nodeID);
    } finally {
      logs.unsubscribe();
      api.stop();
      await forwarder.kill();
    }
  });

  const unhealthy: Array<[string, (response: ServerResponse) => void, RegExp]> = [
    ['500', (response) => json(response, {}, 500), /^HTTP 500/],
    [
      '500 with the node’s reason',
      (response) => json(response, { error: 'consoleapi storagenode: database is locked' }, 500),
      /^HTTP 500 Internal Server Error: consoleapi storagenode: database is locked$/,
    ],
    ['502', (response) => json(response, {}, 502), /^HTTP 502/],
    ['503', (response) => json(response, {}, 503), /^HTTP 503/],
    ['404', (response) => json(response, {}, 404), /^HTTP 404/],
    ['301 with an empty body', (response) => response.writeHead(301).end(), /^HTTP 301/],
    ['200 with HTML', (response) => response.end('<html>dashboard</html>'), /^Response is not JSON/],
    ['200 with truncated JSON', (response) => response.end('{"nodeID": "12'), /^Response is not JSON/],
    ['200 without nodeID', (response) => json(response, { wallet: '0x0' }), /^Response has no string nodeID$/],
    ['200 with a JSON array', (response) => json(response, [DASHBOARD]), /^Response is not a JSON object/],
  ];
  for (const [name, answer, lastError] of unhealthy) {
    it(`a health check answered ${name} fails: error, not available, readable last_error`, async () => {
      node.behaviour = (_request, response) => answer(response);
      under = client({ node: 'node1', url: node.url, ...FAST, backoff: { initialMs: 5000 } });
      under.api.start();
      const status = await under.until((current) => current.state === 'error');
      expect(status).to.include({ is_available: false, reconnect_attempts: 1 });
      expect(status.last_error).to.match(lastError);
    });
  }

  it('checks over one kept-alive connection, and a node that closes idle connections causes no failed check', async () => {
    const { events } = startCheckingEvery10Ms();
    await eventually(() => node.requests.length >= 5);
    expect(new Set(node.requests.map((request) => request.socket)).size).to.equal(1);
    // Now the node closes each connection 1 ms after answering (an idle timeout): every check finds it closed and connects again.
    node.behaviour = (request, response) => {
      json(response, DASHBOARD);
      response.on('finish', () => setTimeout(() => request.socket.destroy(), 1));
    };
    const before = node.requests.length;
    await eventually(() => node.requests.length >= before + 10);
    expect(new Set(node.requests.slice(before + 1).map((request) => request.socket)).size).to.be.greaterThan(1);
    expect(events).to.not.include('checked false');
    expect(events.filter((type) => type !== 'checked true' && type !== 'request_succeeded')).to.deep.equal(['connecting', 'connected']);
  });

  it('a KeepAliveFetch of your own, given as `fetch`: checks go over its connection, and stop() leaves it open', async () => {
    const connections = new KeepAliveFetch();
    try {
      under = client({ node: 'node1', url: node.url, ...FAST, healthCheckIntervalMs: 10, fetch: connections });
      under.api.start();
      await eventually(() => node.requests.length >= 3);
      under.api.stop();
      const socket = node.requests[0]?.socket;
      expect(new Set(node.requests.map((request) => request.socket))).to.deep.equal(new Set([socket]));
      // Still open and still the connection the next request goes over.
      const response = await connections.fetch(`${node.url}/api/sno/`, {
        method: 'GET',
        headers: {},
        redirect: 'manual',
        signal: new AbortController().signal,
      });
      expect(response.status).to.equal(200);
      expect(node.requests.at(-1)?.socket).to.equal(socket);
    } finally {
      connections.close();
    }
  });

  it('resetConnections(): the next health check goes over a new TCP connection, without a failed check', async () => {
    const { api, events } = startCheckingEvery10Ms();
    await eventually(() => node.requests.length >= 3);
    const before = node.requests.length;
    api.resetConnections();
    await eventually(() => node.requests.length >= before + 3);
    const sockets = node.requests.map((request) => request.socket);
    expect(new Set(sockets.slice(0, before - 1)).size).to.equal(1);
    expect(sockets.slice(before + 1)).to.not.include(sockets[0]);
    expect(events).to.not.include('checked false');
  });

  it('a server that accepts and never answers fails the check by timeout', async () => {
    node.behaviour = () => undefined;
    under = client({ node: 'node1', url: node.url, ...FAST, timeoutMs: 100, backoff: { initialMs: 5000 } });
    under.api.start();
    expect((await under.until((current) => current.state === 'error')).last_error).to.equal('Connection timeout (no response within 100 ms)');
  });

  it('a connection reset fails the check', async () => {
    node.behaviour = (request) => request.socket.resetAndDestroy();
    under = client({ node: 'node1', url: node.url, ...FAST, backoff: { initialMs: 5000 } });
    under.api.start();
    expect((await under.until((current) => current.state === 'error')).last_error).to.match(/reset|hang up/);
  });

  it('an oversized body fails the check (a slow body: see httpJson)', async () => {
    node.behaviour = (_request, response) => json(response, { nodeID: 'x', pad: 'p'.repeat(10_000) });
    under = client({ node: 'node1', url: node.url, ...FAST, maxBodyBytes: 1000, backoff: { initialMs: 5000 } });
    under.api.start();
    expect((await under.until((current) => current.state === 'error')).last_error).to.equal('Response body larger than 1000 bytes');
  });

  it('a first connect that fails, then a node that appears later: recovers by itself', async () => {
    const port = await refusedPort();
    under = client({ node: 'node1', url: `http://127.0.0.1:${port}`, ...FAST });
    under.api.start();
    expect((await under.until((current) => current.state === 'error')).last_error).to.match(/^Connection refused/);
    const late = await TestNodeApi.start(port);
    try {
      expect(await under.until((current) => current.state === 'connected')).to.include({ is_available: true });
    } finally {
      under.api.stop();
      await late.stop();
    }
  });

  describe('queries', () => {
    beforeEach(async () => {
      under = client({ node: 'node1', url: node.url, ...FAST, healthCheckIntervalMs: 60_000 });
      under.api.start();
      await under.until((current) => current.state === 'connected');
    });

    it('dashboard, satellites, satellite(id), estimated payout and paystubs complete with typed bodies', async () => {
      const api = under!.api;
      const dashboard = await lastValueFrom(api.dashboard());
      expect(dashboard.nodeID).to.equal(DASHBOARD.nodeID);
      expect(dashboard.walletFeatures, 'null on the wire').to.deep.equal([]);
      expect((await lastValueFrom(api.satellites())).storageDaily[1]?.calculated).to.equal(true);
      expect((await lastValueFrom(api.satellite('12Eay/../x'))).priceModel?.EgressBandwidth).to.equal(200);
      expect((await lastValueFrom(api.estimatedPayout())).currentMonth.payout).to.be.a('number');
      expect((await lastValueFrom(api.paystubs('2025-01', '2025-09'))).map((stub) => stub.period)).to.deep.equal(['2026-09', '2026-10']);
      expect(node.requests.map((request) => request.url).filter((url) => url !== '/api/sno/')).to.deep.equal([
        '/api/sno/satellites',
        '/api/sno/satellite/12Eay%2F..%2Fx',
        '/api/sno/estimated-payout',
        '/api/heldamount/paystubs/2025-01/2025-09',
      ]);
      expect(() => api.paystubs('2025-13', '2025-09')).to.throw(RangeError, /^from must be a month/);
      expect(() => api.paystubs('2025-01', '2025-9')).to.throw(RangeError, /^to must be a month/);
      expect(() => api.satellite('')).to.throw(RangeError, /^id /);
    });

    it('every successful query updates last_successful_request', async () => {
      const before = under!.api.status.last_successful_request ?? 0;
      // The clock must move past the last success (a millisecond), not a fixed sleep.
      await eventually(() => Date.now() / 1000 > before, 1000, 1);
      await lastValueFrom(under!.api.satellites());
      expect(under!.api.status.last_successful_request).to.be.greaterThan(before);
    });

    it('a 4xx fails that query only; the API stays available', async () => {
      node.behaviour = (_request, response) => json(response, { error: 'consoleapi storagenode: satellite not found' }, 404);
      const error = await lastValueFrom(under!.api.satellite('nope')).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(ApiRequestError).and.include({
        status: 404,
        marksUnavailable: false,
        message: 'HTTP 404 Not Found: consoleapi storagenode: satellite not found',
      });
      expect(under!.api.status).to.include({ state: 'connected', is_available: true });
    });

    it('a 5xx on a query marks the API unavailable at once; later queries fail fast', async () => {
      node.behaviour = (_request, response) => json(response, {}, 503);
      const error = await lastValueFrom(under!.api.estimatedPayout()).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(ApiRequestError).and.include({ status: 503 });
      expect(under!.api.status).to.include({ state: 'error', is_available: false, last_error: 'HTTP 503 Service Unavailable' });
      const requestsBefore = node.requests.length;
      const fast = await lastValueFrom(under!.api.satellites()).catch((caught: unknown) => caught);
      expect(fast).to.be.instanceOf(ApiUnavailableError);
      expect((fast as Error).message).to.equal('[node1] API unavailable: HTTP 503 Service Unavailable');
      expect(node.requests.length).to.equal(requestsBefore);
    });

    it('stop() fails a query under way as unavailable (client stopped) and aborts its request', async () => {
      let closed!: () => void;
      const aborted = new Promise<void>((resolve) => (closed = resolve));
      node.behaviour = (request) => request.socket.once('close', closed);
      const error = lastValueFrom(under!.api.satellites()).catch((caught: unknown) => caught);
      await eventually(() => node.requests.some((request) => request.url === '/api/sno/satellites'));
      under!.api.stop();
      expect(await error)
        .to.be.instanceOf(ApiUnavailableError)
        .and.include({ message: '[node1] API unavailable: client stopped' });
      await aborted;
    });
  });

  it('a query before the first healthy check fails fast, naming the state', async () => {
    under = client({ node: 'node1', url: node.url, ...FAST });
    const error = await lastValueFrom(under.api.dashboard()).catch((caught: unknown) => caught);
    expect(error)
      .to.be.instanceOf(ApiUnavailableError)
      .and.include({ name: 'ApiUnavailableError', node: 'node1', message: '[node1] API unavailable: state is disconnected' });
    expect(node.requests).to.have.length(0);
  });

  it('sends URL credentials as Basic auth and never shows them in last_error, logs or frames', () =>
    withDebugLogs('storj-monitor:*', async (logs) => {
      const api = client({ node: 'node1', url: `http://operator:hunter2@127.0.0.1:${node.port}`, ...FAST });
      under = api;
      api.api.start();
      await api.until((current) => current.state === 'connected');
      expect(node.requests[0]?.headers.authorization).to.equal(`Basic ${Buffer.from('operator:hunter2').toString('base64')}`);
      expect(api.api.url).to.equal(`http://127.0.0.1:${node.port}`);
      await node.stop();
      const status = await api.until((current) => current.state === 'error');
      const everything = JSON.stringify({ status, frames: api.registry.snapshot(), logs, url: api.api.url });
      expect(everything).to.not.include('hunter2');
      expect(everything).to.not.include('operator');
      expect(logs.join('\n')).to.include(`[node1] API client connected to http://127.0.0.1:${node.port} (Node ID: 12AB...34CD)`);
      expect(logs.join('\n')).to.include('[node1] API health check failed: Connection refused');
    }));

  it("a transport error naming a URL with credentials (a proxy's, from a fetch of your own) shows them neither in the query's error, last_error nor logs", () =>
    withDebugLogs('storj-monitor:*', async (logs) => {
      const connections = new KeepAliveFetch();
      let broken = false;
      /** Over the client's own kind of connections, until `broken`: then refused by a proxy that names itself with its credentials. */
      const fetch: FetchLike = (url, init) =>
        broken
          ? Promise.reject(
              Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3128 (proxy http://proxy:hunter2@127.0.0.1:3128)'), { code: 'ECONNREFUSED' }),
            )
          : connections.fetch(url, init);
      const api = client({ node: 'node1', url: node.url, ...FAST, backoff: { initialMs: 5000 }, fetch });
      under = api;
      try {
        api.api.start();
        await api.until((current) => current.state === 'connected');
        broken = true;
        const error = await lastValueFrom(api.api.dashboard()).then(
          () => expect.fail('should have failed'),
          (caught: unknown) => caught,
        );
        expect(error).to.be.instanceOf(ApiRequestError);
        expect((error as ApiRequestError).message).to.equal('Connection refused (connect ECONNREFUSED 127.0.0.1:3128 (proxy http://127.0.0.1:3128))');
        const status = await api.until((current) => current.state === 'error');
        expect(status.last_error).to.equal('Connection refused (connect ECONNREFUSED 127.0.0.1:3128 (proxy http://127.0.0.1:3128))');
        expect(logs.join('\n')).to.include('[node1] API health check failed: Connection refused').and.not.include('hunter2');
      } finally {
        connections.close();
      }
    }));

  it("a node's error reason naming a URL with credentials: the query's error, last_error and logs show the URL without them", () =>
    withDebugLogs('storj-monitor:*', async (logs) => {
      const api = client({ node: 'node1', url: node.url, ...FAST, backoff: { initialMs: 5000 } });
      under = api;
      api.api.start();
      await api.until((current) => current.state === 'connected');
      node.behaviour = (_request, response) => json(response, { error: 'upstream http://proxy:hunter2@10.0.0.9:3128 refused' }, 503);
      const shown = 'HTTP 503 Service Unavailable: upstream http://10.0.0.9:3128 refused';
      const error = await lastValueFrom(api.api.dashboard()).then(
        () => expect.fail('should have failed'),
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ApiRequestError).and.include({ message: shown });
      expect((await api.until((current) => current.state === 'error')).last_error).to.equal(shown);
      expect(logs.join('\n')).to.include(`[node1] API health check failed: ${shown}`).and.not.include('hunter2');
    }));

  it('stop() aborts in-flight requests, cancels timers and leaves the state stopped', async () => {
    let closed!: () => void;
    const aborted = new Promise<void>((resolve) => (closed = resolve));
    node.behaviour = (request) => request.socket.once('close', closed);
    under = client({ node: 'node1', url: node.url, ...FAST });
    under.api.start();
    await eventually(() => node.requests.length > 0);
    under.api.stop();
    await aborted;
    expect(under.api.status).to.include({ state: 'stopped', is_available: false, next_retry_at: null });
    expect(under.registry.snapshot().node1?.api_client?.state).to.equal('stopped');
    under.api.stop();
  });

  it('stop() reports stopped once, whether it was running or never started', async () => {
    const events: string[] = [];
    const running = client({ node: 'node1', url: node.url, ...FAST, onEvent: (event) => events.push(event.type) });
    under = running;
    running.api.start();
    await running.until((current) => current.state === 'connected');
    running.api.stop();
    running.api.stop();
    expect(events.filter((type) => type === 'stopped')).to.have.length(1);
    expect(running.api.status.state).to.equal('stopped');

    const idleEvents: string[] = [];
    const idle = client({ node: 'node2', url: node.url, ...FAST, onEvent: (event) => idleEvents.push(event.type) });
    idle.api.stop();
    idle.api.stop();
    expect(idleEvents).to.deep.equal(['stopped']);
    expect(idle.api.status).to.include({ state: 'stopped', is_available: false });
    expect(idle.registry.snapshot().node2?.api_client?.state).to.equal('stopped');
  });

  it('rejects bad options at once, naming the option', () => {
    expect(() => new NodeApiClient({ node: 'n', url: 'not a url' })).to.throw(RangeError, /^url must be an http\(s\) URL/);
    expect(() => new NodeApiClient({ node: 'n', url: 'ftp://x' })).to.throw(RangeError, /^url must be/);
    expect(() => new NodeApiClient({ node: 'n', url: 'http://a:secret@' }))
      .to.throw(RangeError)
      .that.satisfies((error: Error) => !error.message.includes('secret'));
    expect(() => new NodeApiClient({ node: 'n', url: 'http://x', timeoutMs: 0 })).to.throw(RangeError, /^timeoutMs/);
    expect(() => new NodeApiClient({ node: 'n', url: 'http://x', healthCheckIntervalMs: -1 })).to.throw(RangeError, /^healthCheckIntervalMs/);
    expect(() => new NodeApiClient({ node: 'n', url: 'http://x', maxReconnectAttempts: 1.5 })).to.throw(RangeError, /^maxReconnectAttempts/);
    expect(() => new NodeApiClient({ node: 'n', url: 'http://x', maxBodyBytes: 0 })).to.throw(RangeError, /^maxBodyBytes/);
    expect(() => new NodeApiClient({ node: '', url: 'http://x' })).to.throw(RangeError, /^node /);
  });
});

describe('NodeApiClient on a VirtualTimeScheduler', () => {
  /** Runs what is due up to `frame`, then lets the scripted answers (real promises and streams) come in. */
  async function runUntil(scheduler: VirtualTimeScheduler, frame: number): Promise<void> {
    scheduler.maxFrames = frame;
    scheduler.flush();
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  it("checks on the scheduler's clock: the first after its delay, each next one interval after the last ended; stop() leaves nothing scheduled", async () => {
    const { fetch, script } = scriptedFetch();
    script.down = false;
    const scheduler = new VirtualTimeScheduler();
    const sent: number[] = [];
    const api = new NodeApiClient({
      node: 'node1',
      url: 'http://127.0.0.1:14002',
      scheduler,
      fetch: (url, init) => {
        sent.push(scheduler.now());
        return fetch(url, init);
      },
    });
    api.start({ firstCheckDelayMs: 500 });
    try {
      for (const frame of [499, 500, 30_499, 30_500, 60_500, 90_500]) await runUntil(scheduler, frame);
      expect(sent).to.deep.equal([500, 30_500, 60_500, 90_500]);
      expect(api.status).to.include({ state: 'connected', last_successful_request: 90.5 });
      expect(scheduler.actions.map((action) => action.delay)).to.deep.equal([120_500]);
    } finally {
      api.stop();
    }
    expect(scheduler.actions).to.deep.equal([]);
  });
});

/** A scripted fetch: refused while `down`, the dashboard otherwise (after `delayMs`); records when it was called. */
function scriptedFetch() {
  const calls: number[] = [];
  const script = { down: true, delayMs: 0 };
  const fetch: FetchLike = async () => {
    calls.push(Date.now());
    if (script.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
    if (script.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:14002'), { code: 'ECONNREFUSED' });
    const body = Buffer.from(JSON.stringify(DASHBOARD));
    const response: FetchResponseLike = {
      status: 200,
      statusText: 'OK',
      headers: { get: () => null },
      body: Readable.from([body]),
    };
    return response;
  };
  return { fetch, calls, script };
}

describe('NodeApiClient schedule (virtual time: sinon fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = fakeClock()));
  afterEach(() => clock.restore());

  const seconds = (calls: number[]) => calls.map((at) => at / 1000);

  it('reconnects after 2, 4 ... 256, 300, 300 s, pauses one health-check interval, starts a new cycle; reconnect() at once', async () => {
    const { fetch, calls, script } = scriptedFetch();
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch });
    const events: string[] = [];
    api.start();
    try {
      await clock.tickAsync(0);
      expect(api.status).to.include({ state: 'error', reconnect_attempts: 1, next_retry_at: 2 });
      await clock.tickAsync(1110_000);
      const schedule = [0, 2, 6, 14, 30, 62, 126, 254, 510, 810, 1110];
      expect(seconds(calls)).to.deep.equal(schedule);
      expect(api.status).to.include({ state: 'error', reconnect_attempts: 10, next_retry_at: 1140 });
      expect(api.status.last_error).to.match(/^10 reconnect attempts failed, next cycle scheduled: Connection refused/);

      await clock.tickAsync(30_000 + 2000);
      expect(seconds(calls).slice(schedule.length)).to.deep.equal([1140, 1142]);
      expect(api.status).to.include({ reconnect_attempts: 2 });

      await clock.tickAsync(1000);
      api.reconnect();
      await clock.tickAsync(0);
      expect(seconds(calls).slice(schedule.length)).to.deep.equal([1140, 1142, 1143]);
      expect(api.status).to.include({ state: 'error', reconnect_attempts: 1, next_retry_at: 1145 });

      script.down = false;
      api.reconnect();
      await clock.tickAsync(0);
      expect(api.status).to.include({ state: 'connected', is_available: true, reconnect_attempts: 0, last_successful_request: 1143 });
      const connectedCalls = calls.length;
      await clock.tickAsync(90_000);
      expect(seconds(calls.slice(connectedCalls))).to.deep.equal([1173, 1203, 1233]);
      expect(api.status.last_successful_request).to.equal(1233);
      events.push(api.status.state);
    } finally {
      api.stop();
    }
    expect(events).to.deep.equal(['connected']);
    expect(api.status.state).to.equal('stopped');
  });

  it("start's firstCheckDelayMs: the first check waits for it, the later ones and the reconnect attempts do not; a new start() takes its own", async () => {
    const { fetch, calls, script } = scriptedFetch();
    script.down = false;
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch });
    expect(api.started).to.equal(false);
    api.start({ firstCheckDelayMs: 700 });
    expect(api.started).to.equal(true);
    try {
      await clock.tickAsync(699);
      expect(calls).to.deep.equal([]);
      expect(api.status.state).to.equal('connecting');
      await clock.tickAsync(1);
      expect(api.status).to.include({ state: 'connected', is_available: true });
      await clock.tickAsync(60_000);
      expect(seconds(calls)).to.deep.equal([0.7, 30.7, 60.7]);
      script.down = true;
      await clock.tickAsync(30_000 + 2000);
      expect(seconds(calls).slice(3)).to.deep.equal([90.7, 92.7]);
      expect(api.status).to.include({ state: 'error', reconnect_attempts: 2 });
      // While started, start() does nothing, delay or not.
      api.start({ firstCheckDelayMs: 10 });
      await clock.tickAsync(1000);
      expect(seconds(calls).slice(5)).to.deep.equal([]);
      api.stop();
      expect(api.started).to.equal(false);
      script.down = false;
      api.start({ firstCheckDelayMs: 250 });
      await clock.tickAsync(249);
      expect(seconds(calls).slice(5)).to.deep.equal([]);
      await clock.tickAsync(1);
      expect(seconds(calls).slice(5)).to.deep.equal([93.95]);
      expect(api.status).to.include({ state: 'connected' });
      api.stop();
      api.start();
      await clock.tickAsync(0);
      expect(seconds(calls).slice(6)).to.deep.equal([93.95]);
    } finally {
      api.stop();
    }
  });

  it("start's firstCheckDelayMs must be a timer's delay (a fraction of a ms too): a bad one throws naming it, and the client stays stopped", async () => {
    const { fetch, calls } = scriptedFetch();
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch });
    for (const firstCheckDelayMs of [-1, Number.NaN, 2 ** 31]) {
      expect(() => api.start({ firstCheckDelayMs })).to.throw(RangeError, /^firstCheckDelayMs/);
      expect(api.started).to.equal(false);
    }
    await clock.tickAsync(60_000);
    expect(calls).to.deep.equal([]);
    api.start({ firstCheckDelayMs: 0.5 });
    await clock.tickAsync(1);
    expect(calls).to.have.length(1);
    api.stop();
  });

  it('a slow node: the next check starts one interval after the previous one ended, never two at once', async () => {
    const { fetch, calls, script } = scriptedFetch();
    script.down = false;
    script.delayMs = 8000;
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch });
    api.start();
    try {
      await clock.tickAsync(8000);
      expect(api.status).to.include({ state: 'connected', last_successful_request: 8 });
      await clock.tickAsync(120_000);
      expect(seconds(calls)).to.deep.equal([0, 38, 76, 114]);
      expect(api.status).to.include({ state: 'connected', last_successful_request: 122 });
    } finally {
      api.stop();
    }
  });

  it('a loop whose subscriber is done after a value checks no more; each check is reported with its outcome', async () => {
    const { fetch, calls, script } = scriptedFetch();
    script.down = false;
    const events: ApiClientEvent[] = [];
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch, onEvent: (event) => events.push(event) });
    try {
      const first = firstValueFrom(api.connection$);
      await clock.tickAsync(0);
      expect((await first).nodeID).to.equal(DASHBOARD.nodeID);
      await clock.tickAsync(300_000);
      expect(calls).to.have.length(1);
      script.down = true;
      api.start();
      await clock.tickAsync(0);
      expect(events.flatMap((event) => (event.type === 'health_checked' ? [event.ok] : []))).to.deep.equal([true, false]);
    } finally {
      api.stop();
    }
  });

  it('between checks a client holds one timer, its next check (delayed first check or not), and none once stopped', async () => {
    const { fetch, calls, script } = scriptedFetch();
    script.down = false;
    for (const firstCheckDelayMs of [0, 400]) {
      const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch });
      calls.length = 0;
      api.start({ firstCheckDelayMs });
      try {
        await clock.tickAsync(firstCheckDelayMs);
        for (let check = 1; check <= 12; check++) {
          expect(clock.countTimers(), `after check ${check}`).to.equal(1);
          await clock.tickAsync(30_000);
        }
        expect(calls).to.have.length(13);
        expect(calls.at(-1)).to.equal((calls[0] ?? Number.NaN) + 12 * 30_000);
      } finally {
        api.stop();
      }
      expect(clock.countTimers()).to.equal(0);
    }
  });

  it('maxReconnectAttempts 0 is unlimited: attempts go on past 10, every 300 s', async () => {
    const { fetch, calls } = scriptedFetch();
    const api = new NodeApiClient({ node: 'node1', url: 'http://127.0.0.1:14002', fetch, maxReconnectAttempts: 0 });
    api.start();
    try {
      await clock.tickAsync(1110_000 + 600_000);
      expect(seconds(calls).slice(-3)).to.deep.equal([1110, 1410, 1710]);
      expect(api.status.reconnect_attempts).to.equal(13);
    } finally {
      api.stop();
    }
  });
});
