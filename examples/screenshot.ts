// `npx tsx examples/screenshot.ts [MINUTES]`: README's screenshot of the dashboard, from a
// real run (20 minutes by default) of the example CLI with a history file against three
// simulated nodes: alpha steady but for an API that hangs for a minute, beta with chaos on
// (its forwarder restarts and its API fails now and then), gamma's forwarder down for
// 2.5 minutes. Then headless Chromium (Debian's) shows the 1 h view, hovering gamma's
// outage, and writes examples/dashboard/screenshot.png.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { runCli } from './cli.js';
import { simulatorRoutes } from './simulator/control-routes.js';
import { SimulatedNode } from './simulator/simulated-node.js';

const minutes = Number(process.argv[2] ?? 20);
const output = join(import.meta.dirname, 'dashboard', 'screenshot.png');
const directory = await mkdtemp(join(tmpdir(), 'storj-screenshot-'));
const nodes = [
  await SimulatedNode.start({ name: 'alpha', linesPerSecond: 20 }),
  await SimulatedNode.start({ name: 'beta', linesPerSecond: 8, chaos: true, chaosIntervalMs: 150_000 }),
  await SimulatedNode.start({ name: 'gamma', linesPerSecond: 12 }),
];
const config = {
  nodes: nodes.map((node) => ({ name: node.name, log: { host: node.host, port: node.logPort }, api: { url: `http://${node.host}:${node.apiPort}` } })),
  logReader: { initialBackoffMs: 1000, maxBackoffMs: 8000 },
  apiClient: { healthCheckIntervalMs: 5000, timeoutMs: 3000, initialBackoffMs: 1000, maxBackoffMs: 8000 },
  broadcastIntervalMs: 2000,
};
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const cli = await runCli({ host: '127.0.0.1', port: 0, json: false, historyFile: join(directory, 'history.jsonl'), alertAfterMs: 60_000 }, config, {
  routes: simulatorRoutes(nodes),
  out: silent,
});
process.stdout.write(`running ${minutes} min; the dashboard meanwhile: ${cli.url}\n`);
const started = Date.now();
const at = (minute: number): Promise<void> => sleep(Math.max(0, started + minute * 60_000 - Date.now()));
const [alpha, , gamma] = nodes as [SimulatedNode, SimulatedNode, SimulatedNode];
await at(minutes * 0.3);
await gamma.stopForwarder();
await at(minutes * 0.3 + 2.5);
await gamma.startForwarder();
await at(minutes * 0.6);
alpha.setApiFault('hang');
await at(minutes * 0.6 + 1);
alpha.setApiFault('ok');
// The page opens a few minutes before the end, so that its lines/s sparklines have filled.
await at(minutes - 3);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(cli.url);
  await at(minutes);
  await page.locator('.node[data-node="gamma"] .source[data-source="log reader"] .outage').last().hover();
  await page.screenshot({ path: output, fullPage: true });
  process.stdout.write(`wrote ${output}\n`);
} finally {
  await browser.close();
  await cli.close();
  for (const node of nodes) await node.close();
  await rm(directory, { recursive: true, force: true });
}
