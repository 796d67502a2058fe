#!/usr/bin/env node
// The example CLI, installed as the package's `storj-monitor` bin:
// `npx storj-monitor --config FILE [--listen HOST:PORT] [--json] [--token T] [--allow-origin ORIGIN]... [--watch] [--shard I/N]`.
// Runs createMonitor on a SPEC §6 config file, serves the dashboard at / and the frames
// at /ws, and shows a live table of the nodes (or, with --json, one frame per line).
// SIGHUP (and, with --watch, a change of the file) reloads the config in place.
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMonitor,
  peerText,
  redactCredentials,
  requestGuard,
  serveFrames,
  tokenCheck,
  type MonitorAlert,
  type MonitorConfig,
  type MonitorFrame,
  type Shard,
  type SourceChange,
} from 'storj-monitor-rx';
import { reloadTriggers } from './config-reload.js';
import { metricsExport, type MetricsExport } from './metrics-export.js';
import { renderTable } from './terminal-view.js';

const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboard');
const STATIC_FILES: ReadonlyMap<string, string> = new Map([
  ['/', 'index.html'],
  ['/index.html', 'index.html'],
  ['/app.js', 'app.js'],
  ['/style.css', 'style.css'],
]);
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** A problem with the arguments or the config: one line, exit code 2. */
export class UsageError extends Error {}

export interface CliArguments {
  readonly configPath?: string;
  readonly host: string;
  readonly port: number;
  readonly json: boolean;
  readonly token?: string;
  /** Origins of pages elsewhere that may show the dashboard's frames (`https://monitor.example.com`); same-origin pages always may. */
  readonly allowedOrigins?: readonly string[];
  /** Host names the server answers to besides its listen address, IP addresses, `localhost` and the allowed origins' hosts. */
  readonly allowedHosts?: readonly string[];
  /** POST each alert (JSON) here. */
  readonly alertWebhook?: string;
  /** Alert when a connection has been down this long. */
  readonly alertAfterMs?: number;
  /** Where resuming log sources keep their positions across restarts. */
  readonly stateDir?: string;
  /** Reload the config when its file changes (SIGHUP always does). */
  readonly watch?: boolean;
  /** Watch only this shard of the config's nodes (overrides the config's `shard`). */
  readonly shard?: Shard;
  /** Keep the connection history in this file across restarts. */
  readonly historyFile?: string;
  /** Outages of one host's nodes within this long are one host_down. */
  readonly hostAlertWindowMs?: number;
}

export const USAGE =
  'usage: storj-monitor --config FILE [--listen HOST:PORT] [--json] [--token TOKEN] [--allow-origin ORIGIN]... [--allow-host NAME]... [--alert-webhook URL] [--alert-after SECONDS] [--host-alert-window SECONDS] [--state-dir DIR] [--watch] [--shard I/N] [--history-file FILE]';

export function parseArguments(argv: readonly string[], requireConfig = true): CliArguments {
  let configPath: string | undefined;
  let listen = '127.0.0.1:8080';
  let json = false;
  let token: string | undefined;
  let alertWebhook: string | undefined;
  let alertAfter: string | undefined;
  let historyFile: string | undefined;
  const allowedOrigins: string[] = [];
  const allowedHosts: string[] = [];
  let stateDir: string | undefined;
  let watch = false;
  let shard: string | undefined;
  let hostAlertWindow: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${argument} needs a value; ${USAGE}`);
      return next;
    };
    if (argument === '--config') configPath = value();
    else if (argument === '--listen') listen = value();
    else if (argument === '--json') json = true;
    else if (argument === '--token') token = value();
    else if (argument === '--allow-origin') allowedOrigins.push(value());
    else if (argument === '--allow-host') allowedHosts.push(value());
    else if (argument === '--alert-webhook') alertWebhook = value();
    else if (argument === '--alert-after') alertAfter = value();
    else if (argument === '--state-dir') stateDir = value();
    else if (argument === '--watch') watch = true;
    else if (argument === '--shard') shard = value();
    else if (argument === '--history-file') historyFile = value();
    else if (argument === '--host-alert-window') hostAlertWindow = value();
    else throw new UsageError(`unknown argument ${JSON.stringify(argument)}; ${USAGE}`);
  }
  if (requireConfig && configPath === undefined) throw new UsageError(`--config is required; ${USAGE}`);
  const match = /^(.+):(\d+)$/.exec(listen);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65_535)
    throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8080); got ${JSON.stringify(listen)}`);
  if (alertWebhook !== undefined && !/^https?:\/\/./.test(alertWebhook)) throw new UsageError('--alert-webhook must be an http(s) URL');
  try {
    requestGuard({ allowedOrigins, allowedHosts });
  } catch (error) {
    // The guard names its option (`allowedOrigins[1] must be ...`); here it is an argument.
    throw new UsageError((error as Error).message.replace(/^allowedOrigins\[\d+\]/, '--allow-origin').replace(/^allowedHosts\[\d+\]/, '--allow-host'));
  }
  const alertAfterSeconds = alertAfter === undefined ? undefined : Number(alertAfter);
  if (alertAfterSeconds !== undefined && !(alertAfterSeconds > 0))
    throw new UsageError(`--alert-after must be a number of seconds > 0; got ${JSON.stringify(alertAfter)}`);
  const hostAlertWindowSeconds = hostAlertWindow === undefined ? undefined : Number(hostAlertWindow);
  if (hostAlertWindowSeconds !== undefined && !(hostAlertWindowSeconds >= 0))
    throw new UsageError(`--host-alert-window must be a number of seconds >= 0; got ${JSON.stringify(hostAlertWindow)}`);
  return {
    ...(configPath !== undefined && { configPath }),
    host: (match[1] ?? '').replace(/^\[(.*)\]$/, '$1'),
    port,
    json,
    ...(token !== undefined && { token }),
    allowedOrigins,
    allowedHosts,
    ...(alertWebhook !== undefined && { alertWebhook }),
    ...(alertAfterSeconds !== undefined && { alertAfterMs: Math.round(alertAfterSeconds * 1000) }),
    ...(stateDir !== undefined && { stateDir }),
    watch,
    ...(shard !== undefined && { shard: parseShard(shard) }),
    ...(historyFile !== undefined && { historyFile }),
    ...(hostAlertWindowSeconds !== undefined && { hostAlertWindowMs: Math.round(hostAlertWindowSeconds * 1000) }),
  };
}

/** `--shard I/N`: the I-th of N monitors sharing one config (1 <= I <= N). */
function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be I/N with 1 <= I <= N (e.g. 2/3); got ${JSON.stringify(text)}`);
  return { index, count };
}

export async function readConfig(path: string): Promise<MonitorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as MonitorConfig;
  } catch (error) {
    // V8 quotes a piece of the text, which may hold an API URL's password.
    throw new UsageError(`config ${path} is not valid JSON: ${redactCredentials((error as Error).message)}`);
  }
}

export interface RunningCli {
  readonly url: string;
  /** Moves the monitor to `config` (with the --shard given), changing only what differs; a bad config throws its `RangeError` and changes nothing. */
  reload(config: MonitorConfig): readonly SourceChange[];
  close(): Promise<void>;
}

export interface CliExtras {
  /** Extra HTTP routes (the demo's simulator controls); return true when handled. */
  readonly routes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  readonly out?: NodeJS.WriteStream | NodeJS.WritableStream;
}

/** Starts the monitor, the dashboard server and the terminal view. */
export async function runCli(args: CliArguments, config: MonitorConfig, extras: CliExtras = {}): Promise<RunningCli> {
  const sharded = (given: MonitorConfig): MonitorConfig => (args.shard ? { ...given, shard: args.shard } : given);
  let monitor;
  // createMonitor's default, passed on so that /history.json can tell the page what an alert is.
  const alertThresholdMs = args.alertAfterMs ?? 300_000;
  try {
    monitor = createMonitor(sharded(config), {
      alertThresholdMs,
      ...(args.hostAlertWindowMs !== undefined && { hostAlertWindowMs: args.hostAlertWindowMs }),
      ...(args.stateDir !== undefined && { stateDir: args.stateDir }),
      ...(args.historyFile !== undefined && { historyFile: args.historyFile }),
    });
  } catch (error) {
    throw new UsageError(`config${args.configPath ? ` ${args.configPath}` : ''}: ${(error as Error).message}`);
  }
  const out = extras.out ?? process.stdout;
  const tty = 'isTTY' in out && out.isTTY === true;

  const prometheus = await metricsExport(monitor);
  if (!prometheus) process.stderr.write('storj-monitor-rx: /metrics is off: prom-client is not installed (npm install prom-client)\n');
  // Every route checks the request first: a target that does not parse, a page of another
  // origin, a Host that is not ours (DNS rebinding) are answered and closed.
  const allowedOrigins = args.allowedOrigins ?? [];
  const allowedHosts = [...(args.allowedHosts ?? []), ...(isIP(args.host) === 0 ? [args.host] : [])];
  const guard = requestGuard({ allowedOrigins, allowedHosts, checkHostAlways: true });
  const authorised = args.token === undefined ? undefined : tokenCheck(args.token);
  const server = createServer((request, response) => {
    const verdict = guard(request);
    if (!verdict.ok) {
      response.writeHead(verdict.status, { connection: 'close', 'content-type': 'text/plain' }).end(verdict.reason);
      return;
    }
    if (extras.routes?.(request, response)) return;
    if (verdict.url.pathname === '/history.json') {
      // The frames' data over time: behind the frames' token too.
      if (authorised && !authorised(request, verdict.url)) response.writeHead(401, { connection: 'close', 'content-type': 'text/plain' }).end('Unauthorized');
      else serveJson(response, { windowMs: monitor.history.windowMs, now: Date.now(), alertThresholdMs, nodes: monitor.history.snapshot() });
      return;
    }
    const answered = verdict.url.pathname === '/metrics' ? serveMetrics(prometheus, response) : serveStatic(verdict.url.pathname, request, response);
    answered.catch(() => (response.headersSent ? response.destroy() : response.writeHead(500, { connection: 'close' }).end()));
  });
  const broadcast = await serveFrames(monitor, {
    server,
    path: '/ws',
    allowedOrigins,
    allowedHosts,
    ...(args.token !== undefined && { token: args.token }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new UsageError(`cannot listen on ${args.host}:${args.port}: ${error.message}`)));
    server.listen(args.port, args.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;
  const url = `http://${args.host.includes(':') ? `[${args.host}]` : args.host}:${port}/${args.token ? `?token=${encodeURIComponent(args.token)}` : ''}`;

  const counts = new Map<string, number>();
  const lines = monitor.lines$.subscribe((line) => counts.set(line.node, (counts.get(line.node) ?? 0) + 1));
  let rates = new Map<string, number>();
  let lastFrame: MonitorFrame = monitor.frame();
  let lastCount = Date.now();
  const draw = (): void => {
    const table = renderTable(lastFrame, { rates, now: Date.now(), colour: tty });
    out.write(tty ? `\x1b[H\x1b[2J${table}\n\nDashboard: ${url}   (Ctrl-C to stop)\n` : `${table}\n\n`);
  };
  const frames = monitor.frames$.subscribe((frame) => {
    lastFrame = frame;
    const now = Date.now();
    rates = new Map([...counts].map(([node, count]) => [node, (count * 1000) / Math.max(1, now - lastCount)]));
    counts.clear();
    lastCount = now;
    if (args.json) out.write(`${JSON.stringify(frame)}\n`);
    else draw();
  });
  const alerts = monitor.alerts$.subscribe((alert) => {
    process.stderr.write(`storj-monitor-rx: alert: ${describeAlert(alert)}\n`);
    if (args.alertWebhook) void postAlert(args.alertWebhook, alert);
  });
  // On a TTY the countdowns tick every second between frames.
  const ticker = tty && !args.json ? setInterval(draw, 1000) : undefined;

  monitor.start();
  const { shard } = monitor.config;
  const watching = `${Object.keys(monitor.frame().states).length} node(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${monitor.config.nodes.length})` : ''}`;
  if (!args.json) out.write(`storj-monitor-rx: watching ${watching}. Dashboard: ${url}\n`);
  else process.stderr.write(`storj-monitor-rx: dashboard at ${url}\n`);

  return {
    url,
    reload: (next) => monitor.reconfigure(sharded(next)),
    async close() {
      if (ticker) clearInterval(ticker);
      await monitor.stop();
      if (args.json) out.write(`${JSON.stringify(monitor.frame())}\n`);
      frames.unsubscribe();
      lines.unsubscribe();
      alerts.unsubscribe();
      prometheus?.close();
      await broadcast.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function describeAlert(alert: MonitorAlert): string {
  const since = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
  switch (alert.type) {
    case 'down':
      return `[${alert.node}] ${alert.component} down since ${since(alert.since)}: ${alert.last_error ?? 'no error recorded'}`;
    case 'recovered':
      return `[${alert.node}] ${alert.component} recovered after ${Math.round(alert.down_for_ms / 1000)} s`;
    case 'host_down':
      return `host ${alert.host} down since ${since(alert.since)}: nodes ${alert.nodes.join(', ')}`;
    case 'host_recovered':
      return `host ${alert.host} recovered after ${Math.round(alert.down_for_ms / 1000)} s: nodes ${alert.nodes.join(', ')}`;
    case 'reputation':
      return `[${alert.node}] ${alert.satellite}: ${alert.score} score ${alert.value} is below ${alert.threshold}`;
    case 'reputation_recovered':
      return `[${alert.node}] ${alert.satellite}: ${alert.score} score ${alert.value} is back at or above ${alert.threshold}`;
  }
}

/** Posts an alert as JSON; a webhook that fails is reported, never fatal. */
async function postAlert(url: string, alert: MonitorAlert): Promise<void> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...alert, text: describeAlert(alert) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) process.stderr.write(`storj-monitor-rx: alert webhook answered HTTP ${response.status}\n`);
  } catch (error) {
    // Node's fetch says only "fetch failed"; the socket error is its cause.
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error);
    process.stderr.write(`storj-monitor-rx: alert webhook failed: ${peerText(redactCredentials(reason.message))}\n`);
  }
}

function serveJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(JSON.stringify(body));
}

async function serveMetrics(prometheus: MetricsExport | undefined, response: ServerResponse): Promise<void> {
  if (!prometheus) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics needs prom-client (npm install prom-client)');
    return;
  }
  const text = await prometheus.metrics();
  response.writeHead(200, { 'content-type': prometheus.contentType }).end(text);
}

async function serveStatic(pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const file = STATIC_FILES.get(pathname);
  if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const body = await readFile(join(DASHBOARD_DIR, file));
  response
    .writeHead(200, {
      'content-type': CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    })
    .end(request.method === 'HEAD' ? undefined : body);
}

/**
 * From now on, SIGINT or SIGTERM stops gracefully and exits 0. Call it before starting
 * anything, and pass what to close once it exists (`close()` may run before then).
 */
export function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`storj-monitor-rx: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Prints a usage or config problem as one line and exits 2; anything else is a crash. */
export function fail(error: unknown): never {
  if (error instanceof UsageError) {
    process.stderr.write(`storj-monitor-rx: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

/**
 * Reads the config file again and moves the monitor to it; prints one line either way.
 * A bad file (unreadable, not JSON, a bad field) keeps the running config.
 */
export async function reloadConfig(cli: RunningCli, path: string): Promise<void> {
  try {
    const changes = cli.reload(await readConfig(path));
    process.stderr.write(`storj-monitor-rx: reloaded ${path}: ${describeChanges(changes)}\n`);
  } catch (error) {
    const problem = error instanceof UsageError ? error.message : `config ${path}: ${(error as Error).message}`;
    process.stderr.write(`storj-monitor-rx: ${problem}; kept the running config\n`);
  }
}

/** `started node4 (log, api); stopped node2 (log, api); restarted node3 (api)`, or `no change`. */
function describeChanges(changes: readonly SourceChange[]): string {
  const byAction = new Map<string, Map<string, string[]>>();
  for (const { action, node, component } of changes) {
    const nodes = byAction.get(action) ?? new Map<string, string[]>();
    nodes.set(node.name, [...(nodes.get(node.name) ?? []), component === 'log_reader' ? 'log' : 'api']);
    byAction.set(action, nodes);
  }
  const parts = [...byAction].map(
    ([action, nodes]) => `${action === 'stop' ? 'stopped' : `${action}ed`} ${[...nodes].map(([name, parts]) => `${name} (${parts.join(', ')})`).join(', ')}`,
  );
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const path = args.configPath ?? '';
  let cli: RunningCli | undefined;
  let triggers: { close(): void } | undefined;
  stopOnSignals(async () => {
    triggers?.close();
    await cli?.close();
  });
  // From here on SIGHUP reloads instead of ending the process (a reload asked for while starting waits for the start).
  let started: (running: RunningCli) => void = () => undefined;
  const running = new Promise<RunningCli>((resolve) => (started = resolve));
  triggers = reloadTriggers(path, args.watch === true, async () => reloadConfig(await running, path));
  cli = await runCli(args, await readConfig(path));
  started(cli);
}

// Run as a program (also through the package's bin link, which argv[1] names): not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) main().catch(fail);
