import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionStatusFrame, HistoryMap } from '../../lib/index.js';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { refusedPort, TestForwarder } from '../support/forwarder.js';
import { cli } from '../support/cli-process.js';
import { listen } from '../support/listen.js';
import { TestNodeApi } from '../support/node-api.js';
import { eventually } from '../support/wait.js';
import { killAndWait } from '../support/kill-and-wait.js';

describe('examples/cli.ts', function () {
  this.timeout(30_000);
  let directory: string;
  before(async () => (directory = await mkdtemp(join(tmpdir(), 'storj-monitor-cli-'))));
  after(async () => rm(directory, { recursive: true, force: true }));

  const configFile = async (name: string, content: string): Promise<string> => {
    const path = join(directory, name);
    await writeFile(path, content);
    return path;
  };

  const usageCases: Array<[string, () => Promise<string[]>, RegExp]> = [
    ['no --config', () => Promise.resolve([]), /^storj-monitor-rx: --config is required; usage:/],
    ['an unknown argument', () => Promise.resolve(['--bogus']), /^storj-monitor-rx: unknown argument "--bogus"/],
    ['a bad --listen', () => Promise.resolve(['--config', 'x.json', '--listen', 'nowhere']), /^storj-monitor-rx: --listen must be HOST:PORT/],
    [
      'a --shard past its count',
      () => Promise.resolve(['--config', 'x.json', '--shard', '3/2']),
      /^storj-monitor-rx: --shard must be I\/N with 1 <= I <= N \(e\.g\. 2\/3\); got "3\/2"$/,
    ],
    ['a --shard that is no fraction', () => Promise.resolve(['--config', 'x.json', '--shard', 'two']), /^storj-monitor-rx: --shard must be I\/N/],
    ['a missing file', () => Promise.resolve(['--config', join(directory, 'missing.json')]), /^storj-monitor-rx: cannot read config/],
    ['invalid JSON', async () => ['--config', await configFile('broken.json', '{"nodes": [')], /^storj-monitor-rx: config .*broken\.json is not valid JSON/],
    [
      'a bad field',
      async () => ['--config', await configFile('bad.json', JSON.stringify({ nodes: [{ name: 'a', log: { host: 'h', port: 0 } }] }))],
      /^storj-monitor-rx: config .*bad\.json: nodes\[0\]\.log\.port must be an integer 1-65535; got 0$/,
    ],
  ];
  for (const [name, args, message] of usageCases) {
    it(`exits 2 with one line naming the problem for ${name}`, async () => {
      const { output, exit } = cli(await args());
      expect(await exit).to.equal(2);
      expect(output.stderr.trim().split('\n')).to.have.length(1);
      expect(output.stderr.trim()).to.match(message);
    });
  }

  it('--json prints each frame as one JSON line; SIGTERM stops gracefully with exit 0', async () => {
    const forwarder = await TestForwarder.start();
    const api = await TestNodeApi.start();
    try {
      const config = await configFile(
        'good.json',
        JSON.stringify({
          nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port }, api: { url: api.url } }],
          broadcastIntervalMs: 100,
        }),
      );
      const { child, output, exit } = cli(['--config', config, '--listen', '127.0.0.1:0', '--json']);
      const frames = (): ConnectionStatusFrame[] =>
        output.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as ConnectionStatusFrame);
      await eventually(
        () => frames().some((frame) => frame.states.node1?.log_reader?.state === 'connected' && frame.states.node1.api_client?.state === 'connected'),
        10_000,
      );
      expect(output.stderr).to.match(/dashboard at http:\/\/127\.0\.0\.1:\d+\//);
      child.kill('SIGTERM');
      expect(await exit).to.equal(0);
      const last = frames().at(-1);
      expect(last?.states.node1?.log_reader?.state).to.equal('stopped');
      expect(last?.states.node1?.api_client?.state).to.equal('stopped');
    } finally {
      await forwarder.kill();
      await api.stop();
    }
  });

  /** A webhook receiver on 127.0.0.1: the JSON of every post. */
  async function webhook() {
    const alerts: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (data: Buffer) => (body += String(data)));
      request.on('end', () => {
        alerts.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    const url = `http://127.0.0.1:${await listen(server, 0)}/hook`;
    const close = async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    return { alerts, url, close };
  }

  /**
   * Runs the CLI with `args` until `work` is done, then stops it with SIGTERM and expects exit 0.
   * When `work` fails, the CLI is SIGKILLed (and waited for) and `work`'s error is the one thrown.
   */
  async function withCli(args: string[], work: (running: ReturnType<typeof cli>) => Promise<void>): Promise<void> {
    const running = cli(args);
    try {
      await work(running);
    } catch (error) {
      await killAndWait(running.child);
      throw error;
    }
    if (running.child.exitCode === null) running.child.kill('SIGTERM');
    expect(await running.exit).to.equal(0);
  }

  it('serves Prometheus metrics at /metrics on --listen, and posts alerts to --alert-webhook', async () => {
    const port = await refusedPort();
    const hook = await webhook();
    try {
      const config = await configFile(
        'down.json',
        JSON.stringify({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port } }], logReader: { initialBackoffMs: 100, maxBackoffMs: 100 } }),
      );
      await withCli(['--config', config, '--listen', '127.0.0.1:0', '--json', '--alert-webhook', hook.url, '--alert-after', '0.3'], async ({ output }) => {
        await eventually(() => /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.test(output.stderr), 10_000);
        const base = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output.stderr)?.[1];
        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).to.include('storj_monitor_connection_state{node="node1",component="log_reader",state="error"} 1');
        expect(metrics).to.include('storj_monitor_node_verdict{node="node1",verdict="offline"} 1');
        await eventually(() => hook.alerts.length === 1, 10_000);
        expect(hook.alerts[0]).to.include({ type: 'down', node: 'node1', component: 'log_reader' });
        expect(output.stderr).to.include('alert: [node1] log_reader down since');
      });
    } finally {
      await hook.close();
    }
  });

  it('four nodes of one host down together: one host_down, printed once and posted once', async () => {
    const ports = [await refusedPort(), await refusedPort(), await refusedPort(), await refusedPort()];
    const hook = await webhook();
    try {
      const config = await configFile(
        'host.json',
        JSON.stringify({
          nodes: ports.map((port, index) => ({ name: `n${index + 1}`, log: { host: '127.0.0.1', port } })),
          logReader: { initialBackoffMs: 100, maxBackoffMs: 100 },
        }),
      );
      let stderr = '';
      await withCli(
        ['--config', config, '--listen', '127.0.0.1:0', '--json', '--alert-webhook', hook.url, '--alert-after', '0.3', '--host-alert-window', '5'],
        async ({ output }) => {
          await eventually(() => hook.alerts.length >= 1, 10_000);
          stderr = output.stderr;
        },
      );
      // Every alert of that moment was printed and posted together; the CLI has stopped since.
      expect(hook.alerts).to.deep.equal([
        {
          type: 'host_down',
          host: '127.0.0.1',
          nodes: ['n1', 'n2', 'n3', 'n4'],
          since: (hook.alerts[0] as { since: number }).since,
          text: (hook.alerts[0] as { text: string }).text,
        },
      ]);
      expect(stderr.match(/alert: /g)).to.have.length(1);
      expect(stderr).to.match(/alert: host 127\.0\.0\.1 down since \S+: nodes n1, n2, n3, n4/);
    } finally {
      await hook.close();
    }
  });

  it('serves /history.json behind the token, Origin and Host checks; with --history-file it outlives a kill -9', async () => {
    const forwarder = await TestForwarder.start();
    const historyFile = join(directory, 'history.jsonl');
    const config = await configFile(
      'history.json',
      JSON.stringify({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port } }], logReader: { initialBackoffMs: 100, maxBackoffMs: 100 } }),
    );
    const start = async () => {
      const running = cli(['--config', config, '--listen', '127.0.0.1:0', '--json', '--token', 's3cret', '--history-file', historyFile]);
      await eventually(() => /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.test(running.output.stderr), 10_000);
      return { ...running, base: /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(running.output.stderr)?.[1] ?? '' };
    };
    const history = async (base: string) => (await get(`${base}/history.json?token=s3cret`)).body as { windowMs: number; nodes: HistoryMap };
    let running = await start();
    try {
      expect((await get(`${running.base}/history.json`)).status).to.equal(401);
      expect((await get(`${running.base}/history.json?token=wrong`)).status).to.equal(401);
      expect((await get(`${running.base}/history.json`, { authorization: 'Bearer s3cret' })).status).to.equal(200);
      expect((await get(`${running.base}/history.json?token=s3cret`, { host: 'attacker.example' })).status).to.equal(421);
      expect((await get(`${running.base}/history.json?token=s3cret`, { origin: 'https://evil.example' })).status).to.equal(403);
      await eventually(async () => (await history(running.base)).nodes.node1?.log_reader?.at(-1)?.state === 'connected', 10_000, 50);
      await forwarder.kill();
      await eventually(async () => (await history(running.base)).nodes.node1?.log_reader?.some((segment) => segment.state === 'error') === true, 10_000, 50);
      await forwarder.listen();
      await eventually(async () => (await history(running.base)).nodes.node1?.log_reader?.at(-1)?.state === 'connected', 10_000, 50);
      const before = await history(running.base);
      expect(before.windowMs).to.equal(86_400_000);
      // The journal is appended every 5 s: wait for the outage to be in it, then kill.
      await eventually(() => readFileSync(historyFile, 'utf8').split('"state":"connected"').length >= 3, 10_000, 100);
      await killAndWait(running.child);
      running = await start();
      const after = (await history(running.base)).nodes.node1?.log_reader ?? [];
      const outage = before.nodes.node1?.log_reader?.find((segment) => segment.state === 'error');
      expect(after.find((segment) => segment.state === 'error')).to.deep.equal(outage);
      expect(after.at(-1)?.to).to.equal(null);
      running.child.kill('SIGTERM');
      expect(await running.exit).to.equal(0);
    } finally {
      await killAndWait(running.child);
      await forwarder.kill();
    }
  });

  it('SIGINT stops it too, with exit 0', async () => {
    const forwarder = await TestForwarder.start();
    try {
      const config = await configFile('log-only.json', JSON.stringify({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port } }] }));
      const { child, output, exit } = cli(['--config', config, '--listen', '127.0.0.1:0']);
      await eventually(() => output.stdout.includes('Dashboard: http://127.0.0.1:'), 10_000);
      child.kill('SIGINT');
      expect(await exit).to.equal(0);
    } finally {
      await forwarder.kill();
    }
  });
});

/** A GET with any headers (fetch will not send another Host); the body parsed when it is JSON. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let text = '';
      response.on('data', (data: Buffer) => (text += String(data)));
      response.on('end', () => {
        const json = response.headers['content-type'] === 'application/json';
        resolve({ status: response.statusCode ?? 0, body: json ? (JSON.parse(text) as unknown) : text });
      });
    })
      .on('error', reject)
      .end();
  });
}
