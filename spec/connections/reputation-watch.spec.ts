import { expect } from 'chai';
import { NEVER, Subject, VirtualTimeScheduler, type Subscription } from 'rxjs';
import sinon from 'sinon';
import { NodeApiClient, reputationReadings, type NodeReputation } from '../../lib/index.js';
import { fakeClock } from '../support/fake-clock.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { json, TestNodeApi } from '../support/node-api.js';
import { untilTurns } from '../support/wait.js';

/** The scores of spec/fixtures/node-api/v1.162.3-satellites.json, which TestNodeApi answers. */
const SCORES: NodeReputation = {
  node: 'node1',
  satellites: ['us1.storj.io', 'eu1.storj.io', 'ap1.storj.io', 'saltlake.tardigrade.io'].map((satellite) => ({
    satellite,
    audit: 1,
    suspension: 1,
    online: 0.9987,
  })),
};

/**
 * reputationReadings over a real NodeApiClient and a real HTTP server on 127.0.0.1; the
 * clock is sinon's (the readings' intervals are virtual).
 */
describe('reputationReadings (a real HTTP server, virtual time)', () => {
  let clock: sinon.SinonFakeTimers;
  let node: TestNodeApi;
  let api: NodeApiClient;
  let readings: { at: number; reading: NodeReputation }[];
  let subscription: Subscription | undefined;
  const satelliteRequests = () => node.requests.filter((request) => request.url === '/api/sno/satellites').length;
  const read = (connected$: Parameters<typeof reputationReadings>[1], options?: Parameters<typeof reputationReadings>[2]) =>
    (subscription = reputationReadings(api, connected$, options).subscribe((reading) => readings.push({ at: Date.now(), reading })));
  beforeEach(async () => {
    node = await TestNodeApi.start();
    clock = fakeClock();
    // One health check a day: a check the clock jumps over would time out before its real answer came.
    api = new NodeApiClient({ node: 'node1', url: node.url, healthCheckIntervalMs: 86_400_000 });
    readings = [];
  });
  afterEach(async () => {
    subscription?.unsubscribe();
    api.stop();
    clock.restore();
    await node.stop();
  });

  it('reads at once when the API is available, then an interval after each reading; a failed reading is logged and skipped', async () => {
    api.start();
    await untilTurns(() => api.isAvailable);
    read(NEVER, { intervalMs: 60_000 });
    await untilTurns(() => readings.length === 1);
    expect(readings).to.deep.equal([{ at: 0, reading: SCORES }]);

    const healthy = node.behaviour;
    node.behaviour = (request, response) => (request.url === '/api/sno/satellites' ? json(response, { error: 'busy' }, 404) : healthy(request, response));
    const logs = await withDebugLogs('storj-monitor:api-client:warn', async (lines) => {
      await clock.tickAsync(60_000);
      await untilTurns(() => lines.length > 0);
      return lines;
    });
    expect(satelliteRequests()).to.equal(2);
    expect(logs.join('\n')).to.include('[node1] Reading the satellite scores failed: HTTP 404 Not Found: busy');
    expect(api.isAvailable, 'a 4xx fails that query only').to.equal(true);

    node.behaviour = healthy;
    await clock.tickAsync(59_999);
    expect(satelliteRequests(), 'one interval after the failed reading, not before').to.equal(2);
    await clock.tickAsync(1);
    await untilTurns(() => readings.length === 2);
    expect(readings.map((reading) => reading.at)).to.deep.equal([0, 120_000]);
  });

  it('waits for a connected API, and again when it is down at the next reading', async () => {
    const connected$ = new Subject<void>();
    read(connected$, { intervalMs: 60_000 });
    await clock.tickAsync(0);
    expect(satelliteRequests(), 'not before the API is available').to.equal(0);

    api.start();
    await untilTurns(() => api.isAvailable);
    connected$.next();
    await clock.tickAsync(0);
    await untilTurns(() => readings.length === 1);
    expect(readings[0]?.reading).to.deep.equal(SCORES);

    // A query answered 503 marks the API down.
    const healthy = node.behaviour;
    node.behaviour = (_request, response) => json(response, {}, 503);
    api.dashboard().subscribe({ error: () => undefined });
    await untilTurns(() => !api.isAvailable);
    await clock.tickAsync(60_000);
    expect(satelliteRequests(), 'none while the API is down').to.equal(1);

    node.behaviour = healthy;
    api.reconnect();
    await untilTurns(() => api.isAvailable);
    expect(satelliteRequests(), 'not before connected$ says so').to.equal(1);
    connected$.next();
    await clock.tickAsync(0);
    await untilTurns(() => readings.length === 2);
    expect(readings.map((reading) => reading.at)).to.deep.equal([0, 60_000]);
  });

  it('waits its intervals on the scheduler given', async () => {
    const scheduler = new VirtualTimeScheduler();
    api.start();
    await untilTurns(() => api.isAvailable);
    read(NEVER, { intervalMs: 60_000, scheduler });
    await untilTurns(() => readings.length === 1);
    await clock.tickAsync(120_000);
    expect(satelliteRequests(), 'not on the clock').to.equal(1);
    scheduler.flush();
    await untilTurns(() => readings.length === 2);
    expect(scheduler.now()).to.equal(60_000);
  });

  it('reads once an hour by default; an interval under 1 ms is a RangeError naming reputationIntervalMs', async () => {
    api.start();
    await untilTurns(() => api.isAvailable);
    read(NEVER);
    await untilTurns(() => readings.length === 1);
    await clock.tickAsync(3_599_999);
    expect(satelliteRequests()).to.equal(1);
    await clock.tickAsync(1);
    await untilTurns(() => readings.length === 2);
    expect(readings.map((reading) => reading.at)).to.deep.equal([0, 3_600_000]);
    expect(() => reputationReadings(api, NEVER, { intervalMs: 0 })).to.throw(RangeError, /^reputationIntervalMs/);
  });
});
