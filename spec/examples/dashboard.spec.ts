import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, type RunningCli } from '../../examples/cli.js';
import { simulatorRoutes } from '../../examples/simulator/control-routes.js';
import { SimulatedNode } from '../../examples/simulator/simulated-node.js';
import { eventually } from '../support/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const SCREENSHOT = join(import.meta.dirname, '../../examples/dashboard/screenshot.png');

/**
 * The dashboard in a real headless Chromium (Debian's, which .ci/run installs), served
 * by the example CLI against two simulated nodes. UPDATE_SCREENSHOT=1 rewrites the
 * README's screenshot.
 */
describe('examples/dashboard in headless Chromium', function () {
  this.timeout(60_000);
  let nodes: SimulatedNode[] = [];
  let cli: RunningCli | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const dialogs: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    nodes = [await SimulatedNode.start({ name: 'alpha', linesPerSecond: 20 }), await SimulatedNode.start({ name: HOSTILE_NAME, linesPerSecond: 5 })];
    const config = {
      nodes: nodes.map((node) => ({ name: node.name, log: { host: node.host, port: node.logPort }, api: { url: `http://${node.host}:${node.apiPort}` } })),
      logReader: { initialBackoffMs: 300, maxBackoffMs: 300 },
      apiClient: { healthCheckIntervalMs: 300, timeoutMs: 1000, initialBackoffMs: 300, maxBackoffMs: 300 },
      broadcastIntervalMs: 200,
    };
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    cli = await runCli({ host: '127.0.0.1', port: 0, json: false }, config, { routes: simulatorRoutes(nodes), out: silent });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
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
    }
    if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({ path: SCREENSHOT, fullPage: true });
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
    await card('alpha').locator('button[data-action="api-ok"]').click();
    await expectText(() => state('alpha', 'API').textContent(), 'connected');
  });
});

describe('examples/dashboard reconnecting', function () {
  this.timeout(60_000);

  it('reconnects by itself when the monitor restarts', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const node = await SimulatedNode.start({ name: 'gamma', linesPerSecond: 5 });
    const config = { nodes: [{ name: 'gamma', log: { host: node.host, port: node.logPort } }], broadcastIntervalMs: 200 };
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    let cli: RunningCli | undefined = await runCli({ host: '127.0.0.1', port: 0, json: false }, config, { out: silent });
    const port = Number(new URL(cli.url).port);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
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
      await browser.close();
      await cli?.close();
      await node.close();
    }
  });
});

/** Waits (up to 10 s) until the read text equals `expected`, then asserts it. */
async function expectText(read: () => Promise<string | null>, expected: string): Promise<void> {
  let actual = await read();
  await eventually(async () => (actual = await read()) === expected, 10_000, 50).catch(() => undefined);
  expect(actual).to.equal(expected);
}
