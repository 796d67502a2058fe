import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import { WebSocket } from 'ws';
import { runCli, type RunningCli } from '../../examples/cli.js';
import { simulatorRoutes } from '../../examples/simulator/control-routes.js';
import { SimulatedNode } from '../../examples/simulator/simulated-node.js';
import {
  createMonitor,
  initialLogReaderStatus,
  NodeApiClient,
  PEER_TEXT_MAX_CHARS,
  resolveMonitorConfig,
  serveFrames,
  type ConnectionStatusFrame,
  type FrameBroadcast,
  type NodeFeatures,
} from '../../lib/index.js';
import { registerPrometheusMetrics } from '../../lib/prometheus.js';
import { cli, type CliProcess } from '../support/cli-process.js';
import { refusedPort, TestForwarder } from '../support/forwarder.js';
import { listen } from '../support/listen.js';
import { TestNodeApi } from '../support/node-api.js';
import { RawHttpServer } from '../support/raw-http-server.js';
import { rawRequest, statusOf, upgradeRequest } from '../support/raw-request.js';
import { eventually } from '../support/wait.js';

/**
 * What a hostile node API answers: a status phrase of 12,000 letters with terminal
 * escapes in it (65,000 letters, as in the issue, are over Node's 16 KiB header limit:
 * the request fails as `Parse Error: Header overflow` before any of it is read).
 */
const HOSTILE_PHRASE = `Unavailable\u001b]0;owned\u0007\u001b[2J${'a'.repeat(12_000)}`;
const hostileReply = `HTTP/1.1 503 ${HOSTILE_PHRASE}\r\nContent-Length: 0\r\n\r\n`;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Longest peer text allowed: the cap plus its `…[+N chars]` marker. */
const CAPPED = PEER_TEXT_MAX_CHARS + 32;

const frameSource = () => ({
  frames$: new Subject<ConnectionStatusFrame>(),
  frame: (): ConnectionStatusFrame => ({ type: 'connection_status', states: { node1: { log_reader: initialLogReaderStatus('10.0.0.2', 9001) } } }),
});

/** Opens a ws client; resolves with the HTTP status of a refused upgrade, or 101 once open (then closes it). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const client = new WebSocket(url, { headers });
    client.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      client.terminate();
    });
    client.on('open', () => {
      resolve(101);
      client.terminate();
    });
    client.on('error', () => resolve(0));
  });
}

describe('attacks (real sockets on 127.0.0.1)', function () {
  this.timeout(30_000);

  describe('1. a request line that new URL() rejects', () => {
    let broadcast: FrameBroadcast | undefined;
    afterEach(async () => broadcast?.close());

    for (const target of ['http://[', '//a:99999/ws', 'http://a:99999/ws', '/ws\\..\\%']) {
      it(`serveFrames answers an upgrade to ${JSON.stringify(target)} with 400 and closes, and serves the next client`, async () => {
        broadcast = await serveFrames(frameSource(), { port: 0 });
        const answer = await rawRequest(broadcast.port, upgradeRequest(target));
        expect(answer.closed).to.equal(true);
        expect([400, 404]).to.include(statusOf(answer));
        expect(await upgradeStatus(`ws://127.0.0.1:${broadcast.port}/ws`)).to.equal(101);
      });
    }
  });

  describe('5. stray upgrades on a shared server', () => {
    let server: Server;
    let broadcast: FrameBroadcast | undefined;
    beforeEach(() => (server = createServer((_request, response) => response.end('page'))));
    afterEach(async () => {
      await broadcast?.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('answers 300 upgrades to other paths with 404 and closes every one of them', async () => {
      const port = await listen(server, 0);
      broadcast = await serveFrames(frameSource(), { server, path: '/ws' });
      const answers = await Promise.all(Array.from({ length: 300 }, (_, index) => rawRequest(port, upgradeRequest(`/other/${index}`))));
      expect(answers.every((answer) => answer.closed)).to.equal(true);
      expect(new Set(answers.map(statusOf))).to.deep.equal(new Set([404]));
      await eventually(async () => (await new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)))) === 0);
    });

    it('leaves other paths to another upgrade handler when there is one', async () => {
      const port = await listen(server, 0);
      broadcast = await serveFrames(frameSource(), { server, path: '/ws' });
      server.on('upgrade', (_request, socket) => socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n'));
      expect(statusOf(await rawRequest(port, upgradeRequest('/other')))).to.equal(418);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws`)).to.equal(101);
    });
  });

  describe('6. browser pages of other sites (cross-site WebSocket hijacking, DNS rebinding)', () => {
    let broadcast: FrameBroadcast | undefined;
    afterEach(async () => broadcast?.close());

    it('serveFrames without allowedOrigins: same-origin pages and non-browsers connect, other origins get 403, rebound names 421', async () => {
      broadcast = await serveFrames(frameSource(), { port: 0 });
      const url = `ws://127.0.0.1:${broadcast.port}/ws`;
      expect(await upgradeStatus(url)).to.equal(101);
      expect(await upgradeStatus(url, { origin: `http://127.0.0.1:${broadcast.port}` })).to.equal(101);
      expect(await upgradeStatus(url, { origin: 'https://evil.example' })).to.equal(403);
      expect(await upgradeStatus(url, { origin: 'null' })).to.equal(403);
      // A page of attacker.example whose name now resolves to 127.0.0.1: same origin, wrong host.
      const rebound = { origin: `http://attacker.example:${broadcast.port}`, host: `attacker.example:${broadcast.port}` };
      expect(await upgradeStatus(url, rebound)).to.equal(421);
    });

    it('serveFrames with allowedOrigins lets those pages in, and their host name', async () => {
      broadcast = await serveFrames(frameSource(), { port: 0, allowedOrigins: ['https://dash.example'] });
      const url = `ws://127.0.0.1:${broadcast.port}/ws`;
      expect(await upgradeStatus(url, { origin: 'https://dash.example' })).to.equal(101);
      expect(await upgradeStatus(url, { origin: 'https://dash.example', host: 'dash.example' })).to.equal(101);
      expect(await upgradeStatus(url, { origin: 'https://evil.example' })).to.equal(403);
    });
  });

  describe('2 and 4. a hostile node API, and a node named __proto__, through createMonitor', () => {
    let api: RawHttpServer;
    let forwarder: TestForwarder;
    let healthy: TestNodeApi;
    beforeEach(async () => {
      [api, forwarder, healthy] = await Promise.all([RawHttpServer.start(), TestForwarder.start(), TestNodeApi.start()]);
      api.answer = (_head, socket) => socket.write(hostileReply);
    });
    afterEach(async () => Promise.all([api.stop(), forwarder.kill(), healthy.stop()]));

    it('keeps last_error and query errors capped and free of control characters', async () => {
      const client = new NodeApiClient({ node: 'hostile', url: api.origin, maxReconnectAttempts: 1, backoff: { initialMs: 10_000 } });
      try {
        client.start();
        await eventually(() => client.status.last_error !== null);
        const lastError = client.status.last_error ?? '';
        expect(lastError).to.match(/^HTTP 503 Unavailable\]0;owned\[2Jaaa/);
        expect(lastError).to.match(/…\[\+\d+ chars\]$/);
        expect(lastError.length).to.be.at.most(CAPPED);
        expect(lastError).not.to.match(CONTROL);
      } finally {
        client.stop();
      }
    });

    for (const name of ['__proto__', 'constructor']) {
      it(`shows a node named ${name} in states$, frames, features$, metrics and Prometheus`, async () => {
        const monitor = createMonitor({
          nodes: [
            { name, log: { host: '127.0.0.1', port: forwarder.port }, api: { url: healthy.url } },
            { name: 'plain', api: { url: api.origin } },
          ],
          broadcastIntervalMs: 50,
        });
        const registry = new Registry();
        const unregister = registerPrometheusMetrics(monitor, { registry });
        let features: Readonly<Record<string, NodeFeatures>> = {};
        const watching = monitor.features$.subscribe((latest) => (features = latest));
        const frames: string[] = [];
        const framing = monitor.frames$.subscribe((frame) => frames.push(JSON.stringify(frame)));
        try {
          monitor.start();
          await eventually(() => features[name]?.mode === 'log+api');
          const states = monitor.registry.snapshot();
          expect(Object.keys(states)).to.deep.equal([name, 'plain']);
          const inherited: string[] = [];
          for (const key in states) inherited.push(key);
          expect(inherited).to.deep.equal([name, 'plain']);
          expect(Object.getOwnPropertyDescriptor(states, name)?.value).to.have.keys('log_reader', 'api_client');
          await eventually(() => frames.length > 0);
          const frame = JSON.parse(frames.at(-1) ?? '{}') as { states: object; metrics: object };
          expect(Object.keys(frame.states)).to.deep.equal([name, 'plain']);
          expect(Object.keys(frame.metrics)).to.deep.equal([name, 'plain']);
          expect(Object.keys(monitor.metrics.snapshot())).to.deep.equal([name, 'plain']);
          expect(await registry.metrics()).to.include(`storj_monitor_connection_state{node="${name}",component="log_reader",state="connected"} 1`);
          // The hostile API's text is capped in the frame too.
          const plain = (JSON.parse(frames.at(-1) ?? '{}') as ConnectionStatusFrame).states.plain?.api_client?.last_error ?? '';
          expect(plain.length).to.be.at.most(CAPPED);
        } finally {
          watching.unsubscribe();
          framing.unsubscribe();
          unregister();
          await monitor.stop();
        }
      });
    }
  });

  describe('the example CLI', () => {
    let directory: string;
    let forwarder: TestForwarder;
    let api: RawHttpServer;
    let running: CliProcess;
    let port: number;
    before(async () => {
      directory = await mkdtemp(join(tmpdir(), 'storj-monitor-attacks-'));
      [forwarder, api] = await Promise.all([TestForwarder.start(), RawHttpServer.start()]);
      api.answer = (_head, socket) => socket.write(hostileReply);
      const config = join(directory, 'config.json');
      await writeFile(
        config,
        JSON.stringify({
          nodes: [
            { name: '__proto__', log: { host: '127.0.0.1', port: forwarder.port } },
            { name: 'hostile', api: { url: api.origin } },
          ],
          apiClient: { initialBackoffMs: 100, maxBackoffMs: 100 },
          broadcastIntervalMs: 100,
        }),
      );
      const args = ['--config', config, '--listen', '127.0.0.1:0', '--json', '--allow-origin', 'https://dash.example', '--alert-after', '0.3'];
      running = cli(args, { DEBUG: 'storj-monitor:*', DEBUG_COLORS: 'no' });
      await eventually(() => /dashboard at http:\/\/127\.0\.0\.1:\d+\//.test(running.output.stderr), 15_000);
      port = Number(/dashboard at http:\/\/127\.0\.0\.1:(\d+)\//.exec(running.output.stderr)?.[1]);
    });
    after(async () => {
      running.child.kill('SIGKILL');
      await running.exit;
      await Promise.all([forwarder.kill(), api.stop()]);
      await rm(directory, { recursive: true, force: true });
    });

    const get = (target: string, host = `127.0.0.1:${port}`, extra: readonly string[] = []) =>
      rawRequest(port, [`GET ${target} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...extra, '', ''].join('\r\n'));

    it('1. answers GET http://[ with 400 and closes, and lives on', async () => {
      for (const target of ['http://[', '//a:99999/', 'http://a:99999/metrics']) {
        const answer = await get(target);
        expect(statusOf(answer), target).to.equal(400);
        expect(answer.closed).to.equal(true);
      }
      const upgrade = await rawRequest(port, upgradeRequest('http://['));
      expect(statusOf(upgrade)).to.equal(400);
      expect(running.child.exitCode).to.equal(null);
      expect(statusOf(await get('/'))).to.equal(200);
    });

    it('2. prints the hostile API’s text capped and without control characters: frames, the alert line, debug logs', async () => {
      await eventually(() => running.output.stderr.includes('alert: [hostile] api_client down'), 15_000);
      const alert = running.output.stderr.split('\n').find((line) => line.includes('alert: [hostile]')) ?? '';
      expect(alert).to.include('HTTP 503 Unavailable]0;owned[2Jaaa');
      expect(alert.length).to.be.below(CAPPED + 100);
      expect(running.output.stderr).to.include('API health check failed: HTTP 503');
      expect(running.output.stderr).not.to.match(CONTROL);
      expect(running.output.stdout).not.to.match(CONTROL);
      const frame = JSON.parse(running.output.stdout.trim().split('\n').at(-1) ?? '{}') as ConnectionStatusFrame;
      expect(frame.states.hostile?.api_client?.last_error?.length).to.be.at.most(CAPPED);
    });

    it('4. shows the node named __proto__ in frames and /metrics', async () => {
      await eventually(() => running.output.stdout.includes('"__proto__":{"log_reader":{"state":"connected"'), 15_000);
      const metrics = await get('/metrics');
      expect(metrics.response).to.include('storj_monitor_connection_state{node="__proto__",component="log_reader",state="connected"} 1');
    });

    it('6. lets in same-origin pages, --allow-origin pages and non-browsers; refuses other origins (403) and other hosts on every route (421)', async () => {
      const url = `ws://127.0.0.1:${port}/ws`;
      expect(await upgradeStatus(url)).to.equal(101);
      expect(await upgradeStatus(url, { origin: `http://127.0.0.1:${port}` })).to.equal(101);
      expect(await upgradeStatus(url, { origin: 'https://dash.example' })).to.equal(101);
      expect(await upgradeStatus(url, { origin: 'https://evil.example' })).to.equal(403);
      expect(await upgradeStatus(url, { origin: `http://attacker.example:${port}`, host: `attacker.example:${port}` })).to.equal(421);
      for (const target of ['/', '/metrics', '/app.js']) expect(statusOf(await get(target, `attacker.example:${port}`)), target).to.equal(421);
      expect(statusOf(await get('/metrics', `localhost:${port}`))).to.equal(200);
      expect(statusOf(await get('/metrics', 'dash.example'))).to.equal(200);
      expect(statusOf(await get('/metrics', `127.0.0.1:${port}`, ['Origin: https://evil.example']))).to.equal(403);
    });
  });

  describe('7. the npm start demo’s control routes, and config', () => {
    let nodes: SimulatedNode[] = [];
    let running: RunningCli | undefined;
    let port: number;
    before(async () => {
      nodes = [await SimulatedNode.start({ name: 'alpha', linesPerSecond: 0 })];
      const config = { nodes: [{ name: 'alpha', log: { host: nodes[0]?.host ?? '', port: nodes[0]?.logPort ?? 0 } }] };
      const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
      running = await runCli({ host: '127.0.0.1', port: 0, json: true }, config, { routes: simulatorRoutes(nodes), out: silent });
      port = Number(new URL(running.url).port);
    });
    after(async () => {
      await running?.close();
      for (const node of nodes) await node.close();
    });

    const post = (target: string, extra: readonly string[] = []) =>
      rawRequest(port, [`POST ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Length: 0', 'Connection: close', ...extra, '', ''].join('\r\n'));

    it('answers POST /sim/%zz/api-ok and /sim/alpha/__proto__ with 404, and lives on', async () => {
      expect(statusOf(await post('/sim/%zz/api-ok'))).to.equal(404);
      expect(statusOf(await post('/sim/alpha/__proto__'))).to.equal(404);
      expect(statusOf(await post('/sim/alpha/constructor'))).to.equal(404);
      expect(statusOf(await post('/sim/alpha/api-ok'))).to.equal(204);
    });

    it('the simulated node API answers GET http://[ with 400 and a satellite %zz as an unknown satellite, and lives on', async () => {
      const apiPort = nodes[0]?.apiPort ?? 0;
      const get = (target: string) => rawRequest(apiPort, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(statusOf(await get('http://['))).to.equal(400);
      const unknown = await get('/api/sno/satellite/%zz');
      expect(statusOf(unknown)).to.equal(404);
      expect(unknown.response).to.include('"error"');
      expect((await get('/api/sno/')).response).to.include('"nodeID"');
    });

    it('refuses a cross-site POST (403) and does what a same-origin one asks', async () => {
      expect(statusOf(await post('/sim/alpha/api-unavailable', ['Origin: https://evil.example']))).to.equal(403);
      expect(nodes[0]?.status().api).to.equal('ok');
      expect(statusOf(await post('/sim/alpha/api-unavailable', [`Origin: http://127.0.0.1:${port}`]))).to.equal(204);
      expect(nodes[0]?.status().api).to.equal('unavailable');
      expect(statusOf(await post('/sim/alpha/api-ok'))).to.equal(204);
    });

    const refused: Array<[string, unknown, RegExp]> = [
      ['API port 0', { url: 'http://127.0.0.1:0' }, /^nodes\[0\]\.api\.url must have a port 1-65535/],
      ['a query', { url: 'http://127.0.0.1:14002/?x=1' }, /^nodes\[0\]\.api\.url must not have a query or fragment/],
      ['a fragment', { url: 'http://127.0.0.1:14002/#top' }, /^nodes\[0\]\.api\.url must not have a query or fragment/],
      [
        '%zz in a password',
        { url: 'http://operator:hunter2%zz@127.0.0.1:14002' },
        /^nodes\[0\]\.api\.url has a user name or password that is not valid percent-encoding/,
      ],
      ['an unparseable URL with a password', { url: 'http://operator:hunter2@[bad' }, /^nodes\[0\]\.api\.url must be an http\(s\) URL/],
      ['a password with a slash', { url: 'http://operator:hun/ter2@127.0.0.1:14002' }, /^nodes\[0\]\.api\.url must be an http\(s\) URL/],
    ];
    for (const [what, api, message] of refused) {
      it(`refuses ${what} with a RangeError naming the field and never the password`, () => {
        const attempt = () => resolveMonitorConfig({ nodes: [{ name: 'a', api }] });
        expect(attempt).to.throw(RangeError, message);
        try {
          attempt();
        } catch (error) {
          expect((error as Error).message).not.to.match(/hunter|ter2|operator/);
        }
      });
    }

    for (const host of ['127.0.0.1\n', 'file:///x', 'http://10.0.0.2', '10.0.0.2:9001', '[::1]', 'a b']) {
      it(`refuses log.host ${JSON.stringify(host)}`, () => {
        expect(() => resolveMonitorConfig({ nodes: [{ name: 'a', log: { host, port: 9001 } }] })).to.throw(RangeError, /^nodes\[0\]\.log\.host must/);
      });
    }

    it('the CLI says so in one line and exits 2, without the password', async () => {
      const directory = await mkdtemp(join(tmpdir(), 'storj-monitor-attacks-'));
      try {
        const config = join(directory, 'bad.json');
        await writeFile(config, JSON.stringify({ nodes: [{ name: 'a', api: { url: 'http://operator:hunter2%zz@127.0.0.1:14002' } }] }));
        const run = cli(['--config', config, '--listen', `127.0.0.1:${await refusedPort()}`]);
        expect(await run.exit).to.equal(2);
        expect(run.output.stderr).to.match(/nodes\[0\]\.api\.url has a user name or password that is not valid percent-encoding/);
        expect(run.output.stderr).not.to.include('hunter2');
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });
});
