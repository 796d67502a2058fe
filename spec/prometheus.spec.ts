import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { VirtualTimeScheduler } from 'rxjs';
import { ConnectionMetricsCollector, ConnectionRegistry, createMonitor, initialLogReaderStatus, type Monitor } from '../lib/index.js';
import { registerPrometheusMetrics } from '../lib/prometheus.js';
import { TestForwarder } from './support/forwarder.js';
import { listen } from './support/listen.js';
import { PROMETHEUS, PrometheusServer } from './support/prometheus-server.js';
import { healthy, json, TestNodeApi } from './support/node-api.js';
import { eventually } from './support/wait.js';

const PROMTOOL = '/usr/bin/promtool';

function run(command: string, args: string[], input: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += String(data)));
    child.stderr.on('data', (data: Buffer) => (output += String(data)));
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/**
 * The Prometheus export against Debian's Prometheus (which .ci/run installs): the
 * exposition passes `promtool check metrics`, and a real server scraping the monitor
 * sees a node's state gauge go to connected, then away from it when the node breaks.
 * Real time: Prometheus scrapes every second.
 */
describe('storj-monitor-rx/prometheus against a real Prometheus', function () {
  this.timeout(60_000);
  let forwarder: TestForwarder;
  let api: TestNodeApi;
  let monitor: Monitor;
  let registry: Registry;
  let unregister: () => void;
  let server: Server;
  let metricsPort = 0;

  before(async function () {
    if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) {
      console.log(`      skipped: ${PROMETHEUS} or ${PROMTOOL} is not installed (apt-get install prometheus; .ci/run does)`);
      this.skip();
    }
    forwarder = await TestForwarder.start();
    api = await TestNodeApi.start();
    api.behaviour = (request, response) =>
      request.url === '/api/sno/satellites'
        ? json(response, { audits: [{ auditScore: 1, suspensionScore: 0.85, onlineScore: 0.99, satelliteName: 'us1.storj.io:7777' }] })
        : healthy(request, response);
    monitor = createMonitor({
      nodes: [{ name: 'node "1"\\n', log: { host: '127.0.0.1', port: forwarder.port }, api: { url: api.url } }],
      logReader: { initialBackoffMs: 100, maxBackoffMs: 100 },
      apiClient: { healthCheckIntervalMs: 200, initialBackoffMs: 100, maxBackoffMs: 100 },
    });
    registry = new Registry();
    unregister = registerPrometheusMetrics(monitor, { registry });
    server = createServer((_request, response) => {
      void registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
    });
    metricsPort = await listen(server, 0);
    monitor.start();
    await eventually(() => monitor.registry.snapshot()['node "1"\\n']?.api_client?.state === 'connected');
    await eventually(() => monitor.health.scores().size === 1);
  });

  after(async () => {
    unregister?.();
    await monitor?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await forwarder?.kill();
    await api?.stop();
  });

  it('exposes well-formed metrics under storj_monitor_ that promtool accepts', async () => {
    const text = await registry.metrics();
    for (const name of [
      'storj_monitor_connection_state',
      'storj_monitor_connection_uptime_ratio',
      'storj_monitor_reconnections_total',
      'storj_monitor_failed_attempts_total',
      'storj_monitor_health_checks_total',
      'storj_monitor_lines_total',
      'storj_monitor_unrecognized_lines_total',
      'storj_monitor_reconnection_duration_seconds',
      'storj_monitor_degraded',
      'storj_monitor_node_verdict',
      'storj_monitor_satellite_score',
    ]) {
      expect(text).to.include(`# TYPE ${name} `);
    }
    expect(text).to.include('storj_monitor_connection_state{node="node \\"1\\"\\\\n",component="log_reader",state="connected"} 1');
    expect(text).to.include('storj_monitor_unrecognized_lines_total{node="node \\"1\\"\\\\n",component="log_reader"} 0');
    expect(text).to.include('storj_monitor_degraded{node="node \\"1\\"\\\\n",component="api_client"} 0');
    expect(text).to.include('storj_monitor_node_verdict{node="node \\"1\\"\\\\n",verdict="at-risk"} 1');
    expect(text).to.include('storj_monitor_node_verdict{node="node \\"1\\"\\\\n",verdict="ok"} 0');
    expect(text).to.include('storj_monitor_satellite_score{node="node \\"1\\"\\\\n",satellite="us1.storj.io:7777",score="suspension"} 0.85');
    const check = await run(PROMTOOL, ['check', 'metrics'], text);
    expect(check.code, check.output).to.equal(0);
  });

  it("README's alerting rules pass promtool check rules and name only metrics the monitor exports", async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const rules = /# rules\.yml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(rules, 'a rules.yml block in README').to.be.a('string');
    const directory = await mkdtemp(join(tmpdir(), 'storj-monitor-rules-'));
    try {
      await writeFile(join(directory, 'rules.yml'), rules ?? '');
      const check = await run(PROMTOOL, ['check', 'rules', join(directory, 'rules.yml')], '');
      expect(check.code, check.output).to.equal(0);
      expect(check.output).to.match(/SUCCESS: 8 rules found/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    const exported = new Set((await registry.metrics()).match(/^# TYPE (\S+)/gm)?.map((line) => line.slice('# TYPE '.length)));
    for (const [, name] of (rules ?? '').matchAll(/(storj_monitor_[a-z_]+)/g)) expect([...exported], name).to.include(name);
  });

  it('a Prometheus server scraping the monitor sees the state gauge change when the node breaks', async () => {
    const prometheus = await PrometheusServer.start([`127.0.0.1:${metricsPort}`]);
    try {
      const connected = 'storj_monitor_connection_state{component="log_reader",state="connected"}';
      await eventually(async () => (await prometheus.query(connected)) === '1', 30_000, 250);
      await forwarder.kill();
      await eventually(async () => (await prometheus.query(connected)) === '0', 30_000, 250);
      expect(await prometheus.query('storj_monitor_connection_state{component="api_client",state="connected"}')).to.equal('1');
    } finally {
      await prometheus.stop();
    }
  });
});

describe('storj-monitor-rx/prometheus when nodes leave', () => {
  it('a node removed from the registry leaves every metric, the reconnection histogram included', async () => {
    const scheduler = new VirtualTimeScheduler();
    const connections = new ConnectionRegistry({ scheduler });
    const log = connections.track('retired', 'log_reader', initialLogReaderStatus('127.0.0.1', 9001));
    connections.track('staying', 'log_reader', initialLogReaderStatus('127.0.0.1', 9002));
    const metrics = new ConnectionMetricsCollector(connections, { scheduler });
    const registry = new Registry();
    const unregister = registerPrometheusMetrics({ metrics }, { registry });
    scheduler.schedule(() => log({ type: 'connected', reconnectAttempts: 0 }), 0);
    scheduler.schedule(() => log({ type: 'failed', error: 'reset', reconnectAttempts: 1, retryInMs: 1000, retryAt: 2000 }), 1000);
    scheduler.schedule(() => log({ type: 'connected', reconnectAttempts: 0 }), 3000);
    scheduler.flush();
    expect(await registry.metrics()).to.include('storj_monitor_reconnection_duration_seconds_count{node="retired",component="log_reader"} 1');
    connections.remove('retired');
    // One scrape reads one snapshot, kept until the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const exposition = await registry.metrics();
    expect(exposition).to.not.include('node="retired"');
    expect(exposition).to.include('storj_monitor_connection_state{node="staying",component="log_reader",state="disconnected"} 1');
    unregister();
    metrics.stop();
  });
});

/**
 * Past one process (README): N sharded monitors over one config, scraped by one real
 * Prometheus, show every node exactly once; and the README's federation and remote-write
 * configs pass `promtool check config`.
 */
describe('sharded monitors scraped by one Prometheus', function () {
  this.timeout(60_000);
  before(function () {
    if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) {
      console.log(`      skipped: ${PROMETHEUS} or ${PROMTOOL} is not installed (apt-get install prometheus; .ci/run does)`);
      this.skip();
    }
  });

  it('sees every node of the fleet once, whichever monitor watches it', async () => {
    const forwarders = await Promise.all(Array.from({ length: 6 }, () => TestForwarder.start()));
    const nodes = forwarders.map(({ port }, index) => ({ name: `node${index + 1}`, log: { host: '127.0.0.1', port } }));
    const shards = [1, 2, 3].map((index) => {
      const monitor = createMonitor({ nodes, shard: { index, count: 3 } });
      const registry = new Registry();
      const unregister = registerPrometheusMetrics(monitor, { registry });
      const server = createServer((_request, response) => {
        void registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
      });
      monitor.start();
      return { monitor, unregister, server };
    });
    let prometheus: PrometheusServer | undefined;
    try {
      const targets = await Promise.all(shards.map(async ({ server }) => `127.0.0.1:${await listen(server, 0)}`));
      const running = (prometheus = await PrometheusServer.start(targets));
      const query = (expression: string) => running.query(expression);
      const connected = 'storj_monitor_connection_state{component="log_reader",state="connected"}';
      await eventually(async () => (await query(`count(${connected} == 1)`)) === '6', 30_000, 250);
      expect(await query(`count(count by (node) (${connected}))`)).to.equal('6');
      expect(await query(`max(count by (node) (${connected}))`)).to.equal('1');
      expect(await query(`count(count by (instance) (${connected}))`)).to.equal('3');
    } finally {
      await prometheus?.stop();
      for (const { monitor, unregister, server } of shards) {
        unregister();
        await monitor.stop();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      for (const forwarder of forwarders) await forwarder.kill();
    }
  });

  it('the README’s scrape, federation and remote-write configs pass promtool check config', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Past one process'), readme.indexOf('## Performance'));
    const configs = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(configs).to.have.length(2);
    const directory = await mkdtemp(join(tmpdir(), 'storj-monitor-readme-'));
    try {
      for (const [index, config] of configs.entries()) {
        const path = join(directory, `prometheus-${index}.yml`);
        await writeFile(path, config);
        const check = await run(PROMTOOL, ['check', 'config', path], '');
        expect(check.code, check.output).to.equal(0);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
