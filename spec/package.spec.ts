import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

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

  it('ships built JavaScript with type declarations and no sources or specs', async () => {
    const installed = join(project, 'node_modules', 'storj-monitor-rx');
    const files = await readdir(join(installed, 'dist'));
    expect(files).to.include.members(['index.js', 'index.d.ts']);
    expect(await readdir(installed)).to.not.include.members(['lib', 'spec', 'bench']);
  });
});
