import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createMonitor, type ConnectionStates, type Monitor } from '../lib/index.js';
import { firstMatch } from './support/forwarder.js';
import { eventually } from './support/wait.js';

const run = promisify(execFile);
const id = process.pid % 100_000;
const namespace = `smrx${id}`;
const hostLink = `smrxh${id}`;
const peerLink = `smrxn${id}`;
const subnet = `10.237.${id % 250}`;
const peer = `${subnet}.2`;
const ip = (...args: string[]) => run('ip', args);
const inNamespace = (...args: string[]) => run('ip', ['netns', 'exec', namespace, ...args]);

/**
 * The seed's Scenario 2 for real: a stand-in node on a test host in its own network
 * namespace, whose link is taken down (no FIN, no RST: packets just stop, as with
 * `ifconfig eth0 down`) and brought back. These tests wait in real time on purpose:
 * what is tested is the kernel's TCP keepalive noticing a dead link, about
 * keepAliveMs + 10 probes of 1 s; with keepAliveMs 1000 that is ~11 s.
 */
describe('Scenario 2, network interruption (network namespace, real link down/up)', function () {
  this.timeout(90_000);
  let peerProcess: ChildProcess | undefined;
  let monitor: Monitor | undefined;

  before(async function () {
    try {
      await ip('netns', 'add', namespace);
    } catch (error) {
      console.log(`      skipped: cannot create a network namespace here (${(error as Error).message.split('\n')[0]}); needs root and iproute2`);
      this.skip();
    }
    await ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', peerLink);
    await ip('link', 'set', peerLink, 'netns', namespace);
    await ip('addr', 'add', `${subnet}.1/30`, 'dev', hostLink);
    await ip('link', 'set', hostLink, 'up');
    await inNamespace('ip', 'addr', 'add', `${peer}/30`, 'dev', peerLink);
    await inNamespace('ip', 'link', 'set', peerLink, 'up');
    await inNamespace('ip', 'link', 'set', 'lo', 'up');
    peerProcess = spawn('ip', ['netns', 'exec', namespace, process.execPath, '--import', 'tsx', 'spec/support/netns-peer.ts', peer], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      peerProcess?.stdout?.on('data', (data: Buffer) => String(data).includes('ready') && resolve());
      peerProcess?.once('exit', (code) => reject(new Error(`the peer exited with ${code}`)));
    });
  });

  after(async () => {
    await monitor?.stop();
    peerProcess?.kill('SIGTERM');
    await ip('netns', 'del', namespace).catch(() => undefined);
    await ip('link', 'del', hostLink).catch(() => undefined);
  });

  it('both sources notice within keepAliveMs + 11 s, back off, and recover when the link returns', async () => {
    const keepAliveMs = 1000;
    monitor = createMonitor({
      nodes: [{ name: 'node1', log: { host: peer, port: 9001 }, api: { url: `http://${peer}:14002` } }],
      logReader: { keepAliveMs, initialBackoffMs: 500, maxBackoffMs: 1000 },
      apiClient: { healthCheckIntervalMs: 1000, timeoutMs: 2000, initialBackoffMs: 500, maxBackoffMs: 1000 },
    });
    const lines: string[] = [];
    monitor.lines$.subscribe((line) => lines.push(line.line));
    monitor.start();
    const up = (states: ConnectionStates) => states.node1?.log_reader?.state === 'connected' && states.node1.api_client?.state === 'connected';
    await firstMatch(monitor.states$, up, 10_000);
    await eventually(() => lines.length > 3);

    await inNamespace('ip', 'link', 'set', peerLink, 'down');
    const downAt = Date.now();
    const logDown = firstMatch(monitor.states$, (states) => states.node1?.log_reader?.state === 'error', keepAliveMs + 11_000);
    const apiDown = firstMatch(monitor.states$, (states) => states.node1?.api_client?.is_available === false, keepAliveMs + 11_000);
    const [log, api] = await Promise.all([logDown, apiDown]);
    expect(Date.now() - downAt).to.be.below(keepAliveMs + 11_000);
    // idleTimeoutMs is off: only TCP keepalive can have noticed.
    expect(log.node1?.log_reader?.last_error).to.equal('Connection timed out (read ETIMEDOUT)');
    expect(api.node1?.api_client?.state).to.equal('error');

    const linesWhileDown = lines.length;
    await inNamespace('ip', 'link', 'set', peerLink, 'up');
    await firstMatch(monitor.states$, up, 15_000);
    await eventually(() => lines.length > linesWhileDown + 3, 5000);
  });

  it('verdicts tell the two apart: the host answers but the ports refuse (offline), packets are dropped (unreachable)', async () => {
    await monitor?.stop();
    const started = createMonitor({
      nodes: [{ name: 'node1', log: { host: peer, port: 9001 }, api: { url: `http://${peer}:14002` } }],
      logReader: { keepAliveMs: 1000, connectTimeoutMs: 1500, initialBackoffMs: 200, maxBackoffMs: 500 },
      apiClient: { healthCheckIntervalMs: 500, timeoutMs: 1500, initialBackoffMs: 200, maxBackoffMs: 500 },
    });
    monitor = started;
    started.start();
    await eventually(() => started.registry.snapshot().node1?.api_client?.state === 'connected' && started.frame().health.node1?.verdict === 'ok', 10_000);

    // The node's process dies; the host's kernel still answers, with RST to every connect.
    const exited = new Promise((resolve) => peerProcess?.once('exit', resolve));
    peerProcess?.kill('SIGKILL');
    await exited;
    // The log reader notices first (the peer's FIN, then refusals: degraded while the API still
    // answers), then the API's next check is refused: offline.
    const offline = await firstMatch(
      started.health$,
      (health) => health.node1?.verdict === 'offline' && health.node1.reasons.some((reason) => /^API: Connection refused/.test(reason)),
      10_000,
    );
    expect(offline.node1?.reasons[0]).to.equal('the host answers but the node does not');

    // The host's link goes down: nothing answers at all (connects fail with EHOSTUNREACH once
    // the neighbour entry is gone, or time out). Real time on purpose: the kernel decides.
    await inNamespace('ip', 'link', 'set', peerLink, 'down');
    const unreachable = await firstMatch(started.health$, (health) => health.node1?.verdict === 'unreachable', 15_000);
    expect(unreachable.node1?.reasons[0]).to.equal('the monitor cannot reach the host');
    expect(unreachable.node1?.reasons.slice(1).join('\n')).to.match(/Host unreachable|Connection timeout/);
  });
});
