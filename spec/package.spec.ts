import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ConnectionStatusFrame } from '../lib/index.js';
import { program, type CliProcess } from './support/cli-process.js';
import { TestForwarder } from './support/forwarder.js';
import { eventually } from './support/wait.js';
import { killAndWait } from './support/kill-and-wait.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** What a user gets from `npm install storj-monitor-rx`: the packed tarball, installed into a fresh project. */
describe('the packed package, installed in a consumer project', function () {
  this.timeout(180_000);
  let project = '';

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'storj-monitor-rx-consumer-'));
    await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root });
    const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, 'prom-client@15'], { cwd: project });
  });

  after(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('imports the public names from storj-monitor-rx and they work', async () => {
    const script = `
      import { exponentialBackoff, LOG_READER_BACKOFF, API_CLIENT_BACKOFF, ConnectionRegistry, retryWithState } from 'storj-monitor-rx';
      const log = exponentialBackoff(LOG_READER_BACKOFF);
      const api = exponentialBackoff(API_CLIENT_BACKOFF);
      console.log(JSON.stringify({
        log: [1, 6].map(log), api: [8, 9].map(api),
        registry: typeof ConnectionRegistry, retry: typeof retryWithState,
      }));`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: project });
    expect(JSON.parse(stdout)).to.deep.equal({ log: [2000, 60_000], api: [256_000, 300_000], registry: 'function', retry: 'function' });
  });

  it('imports the Prometheus entry point storj-monitor-rx/prometheus, with prom-client installed beside it', async () => {
    const script = `
      import { Registry } from 'prom-client';
      import { createMonitor } from 'storj-monitor-rx';
      import { registerPrometheusMetrics } from 'storj-monitor-rx/prometheus';
      const monitor = createMonitor({ nodes: [{ name: 'n', log: { host: '127.0.0.1', port: 9 } }] });
      const registry = new Registry();
      registerPrometheusMetrics(monitor, { registry });
      console.log((await registry.metrics()).includes('storj_monitor_connection_state{node="n",component="log_reader",state="disconnected"} 1'));`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: project });
    expect(stdout.trim()).to.equal('true');
  });

  it('installs cross-fetch as a dependency, and a NodeApiClient checks a node through it', async () => {
    const manifest = JSON.parse(await readFile(join(project, 'node_modules/storj-monitor-rx/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies).to.have.property('cross-fetch');
    const installed = JSON.parse(await readFile(join(project, 'node_modules/cross-fetch/package.json'), 'utf8')) as { name: string };
    expect(installed.name).to.equal('cross-fetch');
    const script = `
      import { createServer } from 'node:http';
      import { NodeApiClient } from 'storj-monitor-rx';
      const server = createServer((request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"nodeID":"12AB"}'));
      server.listen(0, '127.0.0.1', () => {
        const api = new NodeApiClient({ node: 'n', url: 'http://127.0.0.1:' + server.address().port, onEvent: (event) => {
          if (event.type !== 'connected') return;
          console.log(JSON.stringify(api.status.state));
          api.stop();
          server.close();
        } });
        api.start();
      });`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: project });
    expect(JSON.parse(stdout)).to.equal('connected');
  });

  it('ships built JavaScript with type declarations and no sources or specs', async () => {
    const installed = join(project, 'node_modules', 'storj-monitor-rx');
    const files = await readdir(join(installed, 'dist'));
    expect(files).to.include.members(['index.js', 'index.d.ts']);
    expect(await readdir(installed)).to.not.include.members(['lib', 'spec', 'bench']);
  });

  it('installs the storj-monitor bin: plain node (no tsx), npx finds it, SIGHUP reloads, the dashboard and /metrics are served', async () => {
    const { stdout, stderr } = await run('npx', ['--offline', 'storj-monitor', '--bogus'], { cwd: project }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(stdout).to.equal('');
    expect(stderr).to.match(/^storj-monitor-rx: unknown argument "--bogus"; usage: storj-monitor --config FILE/);
    const [first, second] = [await TestForwarder.start(), await TestForwarder.start()];
    const config = (ports: number[]): string =>
      JSON.stringify({ nodes: ports.map((port, index) => ({ name: `node${index + 1}`, log: { host: '127.0.0.1', port } })), broadcastIntervalMs: 100 });
    const path = join(project, 'monitor.json');
    await writeFile(path, config([first.port]));
    const cli = program([join(project, 'node_modules', '.bin', 'storj-monitor'), '--config', path, '--listen', '127.0.0.1:0', '--json'], { cwd: project });
    try {
      await eventually(() => lastFrame(cli)?.states.node1?.log_reader?.state === 'connected', 15_000);
      // The bin's shebang runs node itself: the process that gets SIGHUP is the monitor.
      const commandLine = (await readFile(`/proc/${cli.child.pid}/cmdline`, 'utf8')).split('\0');
      expect(commandLine[0]).to.match(/(^|\/)node$/);
      expect(commandLine.join(' ')).to.not.include('tsx');
      await writeFile(path, config([first.port, second.port]));
      cli.child.kill('SIGHUP');
      await eventually(() => lastFrame(cli)?.states.node2?.log_reader?.state === 'connected', 15_000);
      expect(first.connections).to.equal(1);
      const base = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(cli.output.stderr)?.[1];
      expect(await (await fetch(`${base}/`)).text()).to.match(/^<!doctype html>/i);
      expect(await (await fetch(`${base}/metrics`)).text()).to.include(
        'storj_monitor_connection_state{node="node2",component="log_reader",state="connected"} 1',
      );
      cli.child.kill('SIGTERM');
      expect(await cli.exit).to.equal(0);
    } finally {
      await killAndWait(cli.child);
      await first.kill();
      await second.kill();
    }
  });

  it('installs the storj-log-forwarder bin: plain node, it forwards a line appended to the log', async () => {
    const log = join(project, 'node.log');
    await writeFile(log, '');
    const forwarder = program([join(project, 'node_modules', '.bin', 'storj-log-forwarder'), '--file', log, '--listen', '127.0.0.1:0'], { cwd: project });
    const client = new Socket();
    try {
      await eventually(() => /listening on 127\.0\.0\.1:\d+/.test(forwarder.output.stdout), 15_000);
      const commandLine = (await readFile(`/proc/${forwarder.child.pid}/cmdline`, 'utf8')).split('\0');
      expect(commandLine[0]).to.match(/(^|\/)node$/);
      const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(forwarder.output.stdout)?.[1]);
      let received = '';
      client.on('data', (data: Buffer) => (received += String(data)));
      await new Promise<void>((resolve, reject) => client.once('error', reject).connect(port, '127.0.0.1', resolve));
      // Appended until it arrives: the forwarder sends the lines written after a client connected.
      await eventually(
        async () => {
          await appendFile(log, '2025-10-06T00:00:14Z\tINFO\tpiecestore\tdownloaded\t{}\n');
          return received.includes(' 2025-10-06T00:00:14Z\tINFO\tpiecestore\tdownloaded\t{}\n');
        },
        15_000,
        100,
      );
      expect(received).to.match(/^\d+(\.\d+)? 2025-10-06T00:00:14Z\tINFO/);
      forwarder.child.kill('SIGTERM');
      expect(await forwarder.exit).to.equal(0);
    } finally {
      client.destroy();
      await killAndWait(forwarder.child);
    }
  });

  it('the bin runs without prom-client (an optional peer dependency), saying once that /metrics is off', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'storj-monitor-rx-bare-'));
    const forwarder = await TestForwarder.start();
    try {
      const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz')) ?? '';
      await writeFile(join(bare, 'package.json'), JSON.stringify({ name: 'bare', private: true, type: 'module' }));
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(project, tarball)], { cwd: bare });
      await writeFile(
        join(bare, 'monitor.json'),
        JSON.stringify({ nodes: [{ name: 'node1', log: { host: '127.0.0.1', port: forwarder.port } }], broadcastIntervalMs: 100 }),
      );
      const cli = program([join(bare, 'node_modules', '.bin', 'storj-monitor'), '--config', 'monitor.json', '--listen', '127.0.0.1:0', '--json'], {
        cwd: bare,
      });
      await eventually(() => lastFrame(cli)?.states.node1?.log_reader?.state === 'connected', 15_000);
      expect(cli.output.stderr).to.include('storj-monitor-rx: /metrics is off: prom-client is not installed (npm install prom-client)\n');
      cli.child.kill('SIGTERM');
      expect(await cli.exit).to.equal(0);
    } finally {
      await forwarder.kill();
      await rm(bare, { recursive: true, force: true });
    }
  });
});

function lastFrame({ output }: CliProcess): ConnectionStatusFrame | undefined {
  const lines = output.stdout.trim().split('\n').filter(Boolean);
  return lines.length > 0 ? (JSON.parse(lines.at(-1) ?? '') as ConnectionStatusFrame) : undefined;
}
