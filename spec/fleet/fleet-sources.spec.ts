import { expect } from 'chai';
import { Readable } from 'node:stream';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type sinon from 'sinon';
import { resolveMonitorConfig, type ApiClientConfig, type ResolvedMonitorConfig } from '../../lib/config.js';
import { FleetSources } from '../../lib/fleet/fleet-sources.js';
import { sourceChanges } from '../../lib/fleet/source-changes.js';
import type { FetchLike } from '../../lib/sources/fetch-like.js';
import { ConnectionRegistry } from '../../lib/state/registry.js';
import { fakeClock } from '../support/fake-clock.js';
import { DASHBOARD } from '../support/node-api.js';

/** A config of API-only nodes `names`, node `n` at port 14000 + n. */
function configOf(names: readonly string[], apiClient: ApiClientConfig): ResolvedMonitorConfig {
  return resolveMonitorConfig({ nodes: names.map((name) => ({ name, api: { url: `http://127.0.0.1:${14_000 + Number(name.slice(4))}` } })), apiClient });
}

describe('FleetSources: API clients started together have their first checks paced (virtual time: sinon fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  /** `node<n>@<ms>`, a health check each. */
  let checks: string[];
  let sources: FleetSources | undefined;
  const fetch: FetchLike = (url) => {
    checks.push(`node${Number(new URL(url).port) - 14_000}@${Date.now()}`);
    return Promise.resolve({ status: 200, statusText: 'OK', headers: { get: () => null }, body: Readable.from([Buffer.from(JSON.stringify(DASHBOARD))]) });
  };
  const fleet = (config: ResolvedMonitorConfig): FleetSources => {
    sources = new FleetSources({ registry: new ConnectionRegistry(), onLine: () => undefined, fetch });
    sources.apply(sourceChanges(undefined, config), config);
    return sources;
  };
  beforeEach(() => {
    clock = fakeClock();
    checks = [];
  });
  afterEach(() => {
    sources?.stop();
    sources = undefined;
    clock.restore();
  });

  it('firstChecksPerSecond 4: one first check every 250 ms, and each client keeps its offset after', async () => {
    const config = configOf(['node1', 'node2', 'node3', 'node4', 'node5'], { firstChecksPerSecond: 4 });
    fleet(config).start();
    await clock.tickAsync(1000);
    expect(checks).to.deep.equal(['node1@0', 'node2@250', 'node3@500', 'node4@750', 'node5@1000']);
    checks = [];
    await clock.tickAsync(30_000);
    expect(checks).to.deep.equal(['node1@30000', 'node2@30250', 'node3@30500', 'node4@30750', 'node5@31000']);
  });

  it('nodes added later queue behind first checks still to come, and go at once when none are', async () => {
    const before = configOf(['node1', 'node2', 'node3'], { firstChecksPerSecond: 4 });
    const started = fleet(before);
    started.start();
    await clock.tickAsync(100);
    const more = configOf(['node1', 'node2', 'node3', 'node4'], { firstChecksPerSecond: 4 });
    started.apply(sourceChanges(before, more), more);
    await clock.tickAsync(10_000 - 100);
    expect(checks).to.deep.equal(['node1@0', 'node2@250', 'node3@500', 'node4@750']);
    checks = [];
    const later = configOf(['node1', 'node2', 'node3', 'node4', 'node5', 'node6'], { firstChecksPerSecond: 4 });
    started.apply(sourceChanges(more, later), later);
    await clock.tickAsync(1000);
    expect(checks).to.deep.equal(['node5@10000', 'node6@10250']);
  });

  it('a second start() paces nothing again; stop() then start() paces every client again', async () => {
    const config = configOf(['node1', 'node2', 'node3'], { firstChecksPerSecond: 2 });
    const started = fleet(config);
    started.start();
    await clock.tickAsync(5000);
    started.start();
    const more = configOf(['node1', 'node2', 'node3', 'node4'], { firstChecksPerSecond: 2 });
    started.apply(sourceChanges(config, more), more);
    await clock.tickAsync(0);
    expect(checks).to.deep.equal(['node1@0', 'node2@500', 'node3@1000', 'node4@5000']);
    checks = [];
    started.stop();
    started.start();
    // node4's first check went out at 5000: the next one may go half a second later.
    await clock.tickAsync(2000);
    expect(checks).to.deep.equal(['node1@5500', 'node2@6000', 'node3@6500', 'node4@7000']);
  });

  it('a new pace in the config applies to the clients started after it, and restarts none', async () => {
    const before = configOf(['node1', 'node2'], { firstChecksPerSecond: 4 });
    const started = fleet(before);
    started.start();
    await clock.tickAsync(5000);
    const after = configOf(['node1', 'node2', 'node3', 'node4'], { firstChecksPerSecond: 2 });
    started.apply(sourceChanges(before, after), after);
    await clock.tickAsync(1000);
    expect(checks).to.deep.equal(['node1@0', 'node2@250', 'node3@5000', 'node4@5500']);
  });

  it('slots of clients removed before their first check delay the next one by at most a slot per client running', async () => {
    const before = configOf(['node1', 'node2', 'node3', 'node4'], { firstChecksPerSecond: 1 });
    const started = fleet(before);
    started.start();
    await clock.tickAsync(10);
    const fewer = configOf(['node1'], { firstChecksPerSecond: 1 });
    started.apply(sourceChanges(before, fewer), fewer);
    const again = configOf(['node1', 'node5'], { firstChecksPerSecond: 1 });
    started.apply(sourceChanges(fewer, again), again);
    await clock.tickAsync(5000);
    // Two clients run: the queue is cut to 10 + 2 x 1000 ms, and node5 goes one slot after that, not fifth (at 4000).
    expect(checks).to.deep.equal(['node1@0', 'node5@3010']);
  });

  it('firstChecksPerSecond 0: every first check at once', async () => {
    fleet(configOf(['node1', 'node2', 'node3'], { firstChecksPerSecond: 0 })).start();
    await clock.tickAsync(0);
    expect(checks).to.deep.equal(['node1@0', 'node2@0', 'node3@0']);
  });

  it("paces on the scheduler's clock, not the wall clock", () => {
    // Up to 5 s: the requests' 10 s timeouts stay in the queue.
    const scheduler = new VirtualTimeScheduler(VirtualAction, 5000);
    const at: string[] = [];
    const timed: FetchLike = (url) => {
      at.push(`node${Number(new URL(url).port) - 14_000}@${scheduler.now()}`);
      return new Promise(() => undefined);
    };
    const before = configOf(['node1', 'node2'], { firstChecksPerSecond: 4 });
    sources = new FleetSources({ registry: new ConnectionRegistry(), onLine: () => undefined, fetch: timed, scheduler });
    sources.apply(sourceChanges(undefined, before), before);
    sources.start();
    scheduler.schedule(() => undefined, 5000);
    scheduler.flush();
    // 5 s later on the scheduler (no time on the wall clock): node3's slot is now.
    const after = configOf(['node1', 'node2', 'node3'], { firstChecksPerSecond: 4 });
    sources.apply(sourceChanges(before, after), after);
    expect(at).to.deep.equal(['node1@0', 'node2@250', 'node3@5000']);
  });

  it('by default, 500 a second', async () => {
    fleet(configOf(['node1', 'node2', 'node3'], {})).start();
    await clock.tickAsync(10);
    expect(checks).to.deep.equal(['node1@0', 'node2@2', 'node3@4']);
  });
});
