import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusedPort } from './forwarder.js';

/** Debian's Prometheus (`apt-get install prometheus`; .ci/run installs it). */
export const PROMETHEUS = '/usr/bin/prometheus';

/**
 * A real Prometheus on 127.0.0.1 scraping `targets` every second, with its config and
 * data in a temporary folder that {@link stop} removes.
 *
 * @example
 * ```ts
 * const prometheus = await PrometheusServer.start([`127.0.0.1:${metricsPort}`]);
 * try {
 *   await eventually(async () => (await prometheus.query('up')) === '1', 30_000, 250);
 * } finally {
 *   await prometheus.stop();
 * }
 * ```
 */
export class PrometheusServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly directory: string,
    private readonly webPort: number,
  ) {}

  /** Starts Prometheus scraping each `host:port` of `targets`; it answers queries once it is up. */
  static async start(targets: readonly string[]): Promise<PrometheusServer> {
    const directory = await mkdtemp(join(tmpdir(), 'storj-monitor-prometheus-'));
    try {
      // Prometheus cannot report back a port 0: a port free a moment ago.
      const webPort = await refusedPort();
      const config = join(directory, 'prometheus.yml');
      const list = targets.map((target) => `'${target}'`).join(', ');
      await writeFile(
        config,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: storj-monitor\n    static_configs:\n      - targets: [${list}]\n`,
      );
      const child = spawn(
        PROMETHEUS,
        [`--config.file=${config}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`],
        {
          stdio: 'ignore',
        },
      );
      // Stays attached: an 'error' without a listener would be thrown; one after 'spawn' (a failed kill) changes nothing here.
      await new Promise<void>((resolve, reject) => child.once('spawn', resolve).on('error', reject));
      return new PrometheusServer(child, directory, webPort);
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /** The first value of an instant query (undefined while Prometheus is not up or has no answer). */
  async query(expression: string): Promise<string | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.webPort}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return body.data?.result?.[0]?.value[1];
    } catch {
      return undefined;
    }
  }

  /** Stops Prometheus, waits for it to exit (unless it never started or has already exited), and removes its folder. */
  async stop(): Promise<void> {
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}
