import { expect } from 'chai';
import { Readable } from 'node:stream';
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
    // node4's first check just went out, so the next may only half a second later.
    await clock.tickAsync(2000);
    expect(checks).to.deep.equal(['node1@5500', 'node2@6000', 'node3@6500', 'node4@7000']);
  });

  it('firstChecksPerSecond 0: every first check at once', async () => {
    fleet(configOf(['node1', 'node2', 'node3'], { firstChecksPerSecond: 0 })).start();
    await clock.tickAsync(0);
    expect(checks).to.deep.equal(['node1@0', 'node2@0', 'node3@0']);
  });

  it('by default, 500 a second', async () => {
    fleet(configOf(['node1', 'node2', 'node3'], {})).start();
    await clock.tickAsync(10);
    expect(checks).to.deep.equal(['node1@0', 'node2@2', 'node3@4']);
  });
});
