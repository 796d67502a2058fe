import { expect } from 'chai';
import sinon from 'sinon';
import { NodeApiClient, type ApiClientEvent } from '../../lib/index.js';
import { fakeClock } from '../support/fake-clock.js';
import { DASHBOARD, json, TestNodeApi } from '../support/node-api.js';
import { untilTurns as until } from '../support/wait.js';

/**
 * A node API whose answers slow from milliseconds to most of the timeout and back, on a
 * real HTTP server on 127.0.0.1 through the client's own keep-alive connections. The
 * clock is sinon's: the server waits with (fake) setTimeout, the client measures with
 * (fake) Date, so latencies are exact and nothing waits in real time.
 */
describe('NodeApiClient degradation (a real scripted server, virtual time)', () => {
  let clock: sinon.SinonFakeTimers;
  let node: TestNodeApi;
  let api: NodeApiClient | undefined;
  beforeEach(async () => {
    node = await TestNodeApi.start();
    clock = fakeClock();
  });
  afterEach(async () => {
    api?.stop();
    clock.restore();
    await node.stop();
  });

  it('slow answers make it degraded while connected, the next check goes over a new TCP connection, and fast answers end it', async () => {
    let delayMs = 20;
    node.behaviour = (_request, response) => void setTimeout(() => json(response, DASHBOARD), delayMs);
    const events: ApiClientEvent[] = [];
    api = new NodeApiClient({ node: 'node1', url: node.url, onEvent: (event) => events.push(event) });
    const checks = () => events.filter((event) => event.type === 'health_checked').length;
    const check = async (latencyMs: number): Promise<void> => {
      const [requests, checked] = [node.requests.length, checks()];
      delayMs = latencyMs;
      if (checked > 0) await clock.tickAsync(30_000);
      await until(() => node.requests.length > requests);
      await clock.tickAsync(latencyMs);
      await until(() => checks() > checked);
    };
    const connections = () => new Set(node.requests.map((request) => request.socket)).size;
    api.start();

    for (let index = 0; index < 25; index++) await check(20);
    expect(api.status).to.include({ state: 'connected', degraded: false });
    expect(connections(), 'one kept-alive connection').to.equal(1);

    const slowing = [400, 800, 2500, 4000, 6000, 8000, 9000];
    const degradedAfter: boolean[] = [];
    for (const latencyMs of slowing) {
      await check(latencyMs);
      degradedAfter.push(api.status.degraded);
      expect(api.status.state, 'slow is not down').to.equal('connected');
    }
    expect(degradedAfter).to.deep.equal([false, false, false, true, true, true, true]);
    expect(events.find((event) => event.type === 'degradation')).to.deep.equal({
      type: 'degradation',
      degraded: true,
      reason: 'answers slowly: median 800 ms over the last 5 checks, 40.0 x its usual 20 ms',
    });
    // The check after the one that made it degraded went over a new connection; the ones after it kept that one.
    const sockets = node.requests.map((request) => request.socket);
    const fourthSlow = 25 + 3;
    expect(sockets[fourthSlow + 1]).to.not.equal(sockets[fourthSlow]);
    expect(new Set(sockets.slice(fourthSlow + 1)).size).to.equal(1);
    expect(connections()).to.equal(2);

    for (const latencyMs of [25, 22, 21]) await check(latencyMs);
    expect(api.status).to.include({ state: 'connected', degraded: false });
    expect(events.filter((event) => event.type === 'degradation').map((event) => event.type === 'degradation' && event.degraded)).to.deep.equal([true, false]);
    // Back to normal is no reason for a new connection: the next check keeps this one.
    await check(20);
    expect(connections()).to.equal(2);
  });

  it('checks failing now and then (two in five) are degraded, and stay so after the client connects again, until fewer fail', async () => {
    let failing = false;
    node.behaviour = (_request, response) => (failing ? json(response, { error: 'database is locked' }, 500) : json(response, DASHBOARD));
    api = new NodeApiClient({ node: 'node1', url: node.url, backoff: { initialMs: 1000, maxMs: 1000 } });
    api.start();
    const answered = async (count: number): Promise<void> => until(() => node.requests.length >= count);
    await answered(1);
    for (let index = 0; index < 4; index++) {
      await clock.tickAsync(30_000);
      await answered(2 + index);
    }
    await until(() => api?.status.last_successful_request === 120);
    /** The next check (the `answers`-th request) fails. */
    const failNext = async (answers: number): Promise<void> => {
      failing = true;
      await clock.tickAsync(30_000);
      await answered(answers);
      await until(() => api?.status.state === 'error');
    };
    await failNext(6);
    expect(api.status.degraded, 'one failure in five').to.equal(false);
    failing = false;
    await clock.tickAsync(1000);
    await answered(7);
    await until(() => api?.status.state === 'connected');
    await failNext(8);
    expect(api.status.degraded, 'two failures in five').to.equal(true);
    failing = false;
    await clock.tickAsync(1000);
    await until(() => api?.status.state === 'connected');
    expect(api.status).to.include({ state: 'connected', degraded: true });
  });

  it('rejects bad degradation options at once, naming the field', () => {
    expect(() => new NodeApiClient({ node: 'n', url: 'http://x', degradation: { minSuccessRate: 2 } })).to.throw(
      RangeError,
      'degradation.minSuccessRate must be a number 0-1; got 2',
    );
  });
});
