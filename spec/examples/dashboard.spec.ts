import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Subject } from 'rxjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, type RunningCli } from '../../examples/cli.js';
import { simulatorRoutes } from '../../examples/simulator/control-routes.js';
import { SimulatedNode } from '../../examples/simulator/simulated-node.js';
import { serveFrames, type ConnectionStatusFrame } from '../../lib/index.js';
import { listen } from '../support/listen.js';
import { eventually } from '../support/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const DASHBOARD_DIR = join(import.meta.dirname, '../../examples/dashboard');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * The dashboard in a real headless Chromium (Debian's, which .ci/run installs), served
 * by the example CLI (with a history file) against two simulated nodes.
 */
describe('examples/dashboard in headless Chromium', function () {
  this.timeout(60_000);
  let nodes: SimulatedNode[] = [];
  let cli: RunningCli | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const dialogs: string[] = [];
  let directory: string;
  let args: Parameters<typeof runCli>[0];
  let config: Parameters<typeof runCli>[1];
  /** The outage the timeline test made, in Unix ms, for the test after the restart. */
  let outage: { from: number; to: number } | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    nodes = [await SimulatedNode.start({ name: 'alpha', linesPerSecond: 20 }), await SimulatedNode.start({ name: HOSTILE_NAME, linesPerSecond: 5 })];
    config = {
      nodes: nodes.map((node) => ({ name: node.name, log: { host: node.host, port: node.logPort }, api: { url: `http://${node.host}:${node.apiPort}` } })),
      logReader: { initialBackoffMs: 300, maxBackoffMs: 300 },
      apiClient: { healthCheckIntervalMs: 300, timeoutMs: 1000, initialBackoffMs: 300, maxBackoffMs: 300 },
      broadcastIntervalMs: 200,
    };
    directory = mkdtempSync(join(tmpdir(), 'storj-dashboard-'));
    args = { host: '127.0.0.1', port: 0, json: false, historyFile: join(directory, 'history.jsonl') };
    cli = await runCli(args, config, { routes: simulatorRoutes(nodes), out: silent });
    args = { ...args, port: Number(new URL(cli.url).port) };
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(cli.url);
  });

  after(async () => {
    await browser?.close();
    await cli?.close();
    for (const node of nodes) await node.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const card = (name: string) => page.locator('.node').filter({ has: page.locator('.name', { hasText: name }) });
  const state = (name: string, source: string) => card(name).locator(`.source[data-source="${source}"] .state`);

  it('shows both simulated nodes with live states, and the link as live', async () => {
    await page.waitForFunction(() => document.querySelectorAll('.node').length === 2);
    await page.locator('#link[data-state="open"]').waitFor();
    for (const name of ['alpha', HOSTILE_NAME]) {
      await expectText(() => state(name, 'log reader').textContent(), 'connected');
      await expectText(() => state(name, 'API').textContent(), 'connected');
      await expectText(() => card(name).locator('.mode').textContent(), 'log+api');
      await expectText(() => card(name).locator('.verdict').textContent(), 'ok');
    }
  });

  it('shows each log reader’s count of unreadable piecestore lines (schema drift)', async () => {
    const drift = card('alpha').locator('.source[data-source="log reader"] .drift');
    await expectText(() => drift.textContent(), '0');
    expect(await drift.getAttribute('data-drift')).to.equal('no');
    expect(await card('alpha').locator('.source[data-source="API"] .drift').isHidden()).to.equal(true);
  });

  it('renders a hostile node name as text, never as HTML', async () => {
    const names = await page.locator('.node .name').allTextContents();
    expect(names).to.include(HOSTILE_NAME);
    expect(await page.locator('#nodes img').count()).to.equal(0);
    expect(dialogs).to.deep.equal([]);
  });

  it('shows a state change made on the simulator', async () => {
    await nodes[0]!.stopForwarder();
    await page.waitForFunction(() => {
      const alpha = Array.from(document.querySelectorAll('.node')).find((element) => element.querySelector('.name')?.textContent === 'alpha');
      return alpha?.querySelector('.source[data-source="log reader"] .state')?.textContent !== 'connected';
    });
    await expectText(() => card('alpha').locator('.mode').textContent(), 'api-only');
    await nodes[0]!.startForwarder();
    await expectText(() => state('alpha', 'log reader').textContent(), 'connected');
  });

  it('breaks and mends the API from the dashboard’s simulator controls; log-only meanwhile', async () => {
    await card('alpha').locator('button[data-action="api-unavailable"]').click();
    await expectText(() => state('alpha', 'API').textContent(), 'error');
    await expectText(() => card('alpha').locator('.mode').textContent(), 'log-only');
    expect(await card('alpha').locator('.source[data-source="API"] .error').textContent()).to.equal('HTTP 503 Service Unavailable');
    await expectText(() => card('alpha').locator('.verdict').textContent(), 'offline');
    // Then, after two failed checks in five, also "API degraded: 2 of the last 5 checks failed".
    expect((await card('alpha').locator('.reasons li').allTextContents()).slice(0, 2)).to.deep.equal([
      'the host answers but the node does not',
      'API: HTTP 503 Service Unavailable',
    ]);
    await card('alpha').locator('button[data-action="api-ok"]').click();
    await expectText(() => state('alpha', 'API').textContent(), 'connected');
    await expectText(() => card('alpha').locator('.verdict').textContent(), 'ok');
    expect(await card('alpha').locator('.reasons li').count()).to.equal(0);
  });

  const logOutages = () => card('alpha').locator('.source[data-source="log reader"] .outage');

  it('after an outage and recovery, the timeline shows it where it happened, hoverable with its times and last error', async () => {
    const from = Date.now();
    await nodes[0]!.stopForwarder();
    await page.waitForFunction(() => document.querySelector('.node[data-node="alpha"] .source[data-source="log reader"] .state')?.textContent === 'error');
    await nodes[0]!.startForwarder();
    await expectText(() => state('alpha', 'log reader').textContent(), 'connected');
    const to = Date.now();
    const target = logOutages().last();
    await eventually(async () => Number(await target.getAttribute('data-from')) >= from - 300 && (await target.getAttribute('data-to')) !== '', 10_000, 50);
    const outageFrom = Number(await target.getAttribute('data-from'));
    const outageTo = Number(await target.getAttribute('data-to'));
    expect(outageFrom).to.be.within(from - 300, to);
    expect(outageTo).to.be.within(outageFrom, to + 300);
    // Where it happened: its place on the bar is its time within the range shown.
    const timeline = card('alpha').locator('.source[data-source="log reader"] .timeline');
    const start = Number(await timeline.getAttribute('data-start'));
    const end = Number(await timeline.getAttribute('data-end'));
    expect(end - start).to.equal(3_600_000);
    expect(Number(await target.getAttribute('x')) + 1).to.be.closeTo(((outageFrom - start) / (end - start)) * 1000, 0.5);
    await target.hover();
    const tip = page.locator('#tip');
    await tip.waitFor();
    expect(await tip.textContent()).to.match(/^log reader down .+ – .+ \(\d+ s\); last error: Connection refused/);
    expect(await card('alpha').locator('.source[data-source="log reader"] .reconnections').textContent()).to.match(/^[1-9]\d*, mean \d+ s$/);
    expect(await card('alpha').locator('.source[data-source="log reader"] .uptime').textContent()).to.match(/^\d+(\.\d\d)? %$/);
    outage = { from: outageFrom, to: outageTo };
  });

  it('still shows that outage in the 24 h view after the monitor restarts on its --history-file', async () => {
    expect(outage).to.not.equal(undefined);
    await cli?.close();
    cli = undefined;
    await page.locator('#link[data-state="closed"]').waitFor();
    cli = await runCli(args, config, { routes: simulatorRoutes(nodes), out: silent });
    await page.locator('#link[data-state="open"]').waitFor({ timeout: 20_000 });
    await page.locator('button[data-range="86400000"]').click();
    expect(await page.locator('button[data-range="86400000"]').getAttribute('aria-pressed')).to.equal('true');
    // Read back from the journal: the monitor's own times, within a frame of what the page saw live.
    await eventually(
      async () => {
        const froms = await logOutages().evaluateAll((targets) => targets.map((target) => Number(target.getAttribute('data-from'))));
        return froms.some((from) => Math.abs(from - (outage?.from ?? 0)) < 1000);
      },
      10_000,
      50,
    );
    const timeline = card('alpha').locator('.source[data-source="log reader"] .timeline');
    // Both ends read in one go: the page renders again at every frame, and two reads could see two renders.
    const span = await timeline.evaluate((element) => Number(element.getAttribute('data-end')) - Number(element.getAttribute('data-start')));
    expect(span).to.equal(86_400_000);
    await page.locator('button[data-range="3600000"]').click();
  });
});

describe('examples/dashboard reconnecting', function () {
  this.timeout(60_000);

  it('reconnects by itself when the monitor restarts', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const node = await SimulatedNode.start({ name: 'gamma', linesPerSecond: 5 });
    let cli: RunningCli | undefined;
    let browser: Browser | undefined;
    try {
      const config = { nodes: [{ name: 'gamma', log: { host: node.host, port: node.logPort } }], broadcastIntervalMs: 200 };
      cli = await runCli({ host: '127.0.0.1', port: 0, json: false }, config, { out: silent });
      const port = Number(new URL(cli.url).port);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const page = await browser.newPage();
      await page.goto(cli.url);
      await page.locator('#link[data-state="open"]').waitFor();
      await cli.close();
      cli = undefined;
      await page.locator('#link[data-state="closed"]').waitFor();
      cli = await runCli({ host: '127.0.0.1', port, json: false }, config, { out: silent });
      await page.locator('#link[data-state="open"]').waitFor({ timeout: 20_000 });
      await expectText(() => page.locator('.node .name').first().textContent(), 'gamma');
    } finally {
      await browser?.close();
      await cli?.close();
      await node.close();
    }
  });
});

describe('examples/dashboard with 50 nodes', function () {
  this.timeout(60_000);

  it('renders them in the compact table, each with its timelines and sparkline; hostile names stay text', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const node = await SimulatedNode.start({ name: 'shared', linesPerSecond: 5 });
    const hostile = ['<script>alert(2)</script>', '"><svg onload=alert(3)>', '__proto__', '&lt;b&gt;'];
    const names = [...hostile, ...Array.from({ length: 50 - hostile.length }, (_, index) => `node-${String(index + 1).padStart(2, '0')}`)];
    const config = {
      nodes: names.map((name) => ({ name, log: { host: node.host, port: node.logPort }, api: { url: `http://${node.host}:${node.apiPort}` } })),
      apiClient: { healthCheckIntervalMs: 1000 },
      broadcastIntervalMs: 300,
    };
    const dialogs: string[] = [];
    let cli: RunningCli | undefined;
    let browser: Browser | undefined;
    try {
      cli = await runCli({ host: '127.0.0.1', port: 0, json: false }, config, { out: silent });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(cli.url);
      await page.waitForFunction(() => document.querySelectorAll('#table tbody tr').length === 50);
      expect(await page.locator('#table').isVisible()).to.equal(true);
      expect(await page.locator('#nodes').isVisible()).to.equal(false);
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('#table tbody tr')).every(
            (row) => row.querySelector('.log-state .state')?.textContent === 'connected' && row.querySelector('.log-timeline rect.seg[data-state="connected"]'),
          ),
        undefined,
        { timeout: 20_000 },
      );
      expect((await page.locator('#table tbody .name').allTextContents()).sort()).to.deep.equal([...names].sort());
      expect(await page.locator('#table tbody script, #table tbody img, #table tbody svg[onload]').count()).to.equal(0);
      expect(await page.locator('#table tbody tr .api-timeline').count()).to.equal(50);
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#table tbody .spark')).every((spark) => spark.querySelector('polyline')?.getAttribute('points') !== ''),
      );
      // Readable: nothing wider than the window.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
      expect(dialogs).to.deep.equal([]);
    } finally {
      await browser?.close();
      await cli?.close();
      await node.close();
    }
  });
});

describe('examples/dashboard without a history', function () {
  this.timeout(60_000);

  it('shows the present only, and the verdict and reasons when frames carry health', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const status = { state: 'error', host: '10.0.0.2', port: 9001, reconnect_attempts: 3, last_error: 'Connection refused', next_retry_at: null } as const;
    const withHealth = {
      type: 'connection_status',
      states: { delta: { log_reader: status } },
      health: { delta: { verdict: 'offline', reasons: ['log: <b>Connection refused</b>'] } },
    } as unknown as ConnectionStatusFrame;
    const frames = new Subject<ConnectionStatusFrame>();
    // A server of the page and the frames, as a monitor without history would be: /history.json is a 404.
    const server = createServer((request, response) => {
      const file = request.url === '/' ? 'index.html' : (request.url ?? '').slice(1);
      if (!['index.html', 'app.js', 'style.css'].includes(file)) return void response.writeHead(404).end();
      void readFile(join(DASHBOARD_DIR, file)).then((body) =>
        response.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html' }).end(body),
      );
    });
    const broadcast = await serveFrames({ frames$: frames, frame: () => withHealth }, { server });
    const port = await listen(server, 0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.locator('#history-note').waitFor();
      await expectText(() => page.locator('.node .source[data-source="log reader"] .state').textContent(), 'error');
      expect(await page.locator('.node .timeline').isVisible()).to.equal(false);
      expect(await page.locator('.node .uptime').isVisible()).to.equal(false);
      expect(await page.locator('.node .verdict').textContent()).to.equal('offline');
      expect(await page.locator('.node .reasons li').allTextContents()).to.deep.equal(['log: <b>Connection refused</b>']);
      expect(await page.locator('.node .reasons b').count()).to.equal(0);
      frames.next({
        type: 'connection_status',
        states: { delta: { log_reader: { ...status, state: 'connected', last_error: null } } },
      } as unknown as ConnectionStatusFrame);
      await expectText(() => page.locator('.node .source[data-source="log reader"] .state').textContent(), 'connected');
      expect(await page.locator('.node .verdict').isHidden()).to.equal(true);
    } finally {
      await browser.close();
      await broadcast.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** Waits (up to 10 s) until the read text equals `expected`, then asserts it. */
async function expectText(read: () => Promise<string | null>, expected: string): Promise<void> {
  let actual = await read();
  await eventually(async () => (actual = await read()) === expected, 10_000, 50).catch(() => undefined);
  expect(actual).to.equal(expected);
}
