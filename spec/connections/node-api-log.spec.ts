import { expect } from 'chai';
import type { ApiClientEvent } from '../../lib/index.js';
import { apiClientLogger } from '../../lib/connections/node-api-log.js';
import { withDebugLogs } from '../support/debug-logs.js';

/** What `events` log through a logger of node1 at http://10.0.0.2:14002, under `namespaces`, without debug's namespace prefix. */
function logged(events: readonly ApiClientEvent[], options: { maxAttempts?: number; nodeId?: string; namespaces?: string } = {}): Promise<string[]> {
  const log = apiClientLogger('node1', 'http://10.0.0.2:14002', options.maxAttempts ?? 10, () => options.nodeId ?? '12AB');
  return withDebugLogs(options.namespaces ?? 'storj-monitor:*', (logs) => {
    for (const event of events) log(event);
    return logs.map((line) => line.replace(/^.*storj-monitor:api-client(:warn)? /, '$1 ').trim());
  });
}

describe('apiClientLogger (SPEC §7 messages)', () => {
  it('logs a connect with the Node ID cut to its ends when longer than 12 characters', async () => {
    expect(await logged([{ type: 'connected', reconnectAttempts: 0 }], { nodeId: '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S' })).to.deep.equal([
      '[node1] API client connected to http://10.0.0.2:14002 (Node ID: 12Ea...ps3S)',
    ]);
    expect(await logged([{ type: 'connected', reconnectAttempts: 0 }], { nodeId: '123456789012' })).to.deep.equal([
      '[node1] API client connected to http://10.0.0.2:14002 (Node ID: 123456789012)',
    ]);
  });

  it('logs a failed check as a warning, then the attempt of how many and when (∞ when unlimited)', async () => {
    const failed: ApiClientEvent = { type: 'failed', error: 'Connection refused', reconnectAttempts: 3, retryInMs: 1500, retryAt: 0 };
    expect(await logged([failed])).to.deep.equal([
      ':warn [node1] API health check failed: Connection refused',
      '[node1] API reconnection attempt 3/10 in 1.5s',
    ]);
    expect(await logged([failed], { maxAttempts: 0 })).to.deep.equal([
      ':warn [node1] API health check failed: Connection refused',
      '[node1] API reconnection attempt 3/∞ in 1.5s',
    ]);
  });

  it('logs exhaustion and degradation as warnings, the way back as information', async () => {
    expect(
      await logged([
        { type: 'exhausted', error: 'HTTP 503 Service Unavailable', reconnectAttempts: 10, retryAt: null },
        { type: 'degradation', degraded: true, reason: 'answers slowly' },
        { type: 'degradation', degraded: false, reason: null },
      ]),
    ).to.deep.equal([
      ':warn [node1] API reconnection attempts exhausted (10): HTTP 503 Service Unavailable',
      ':warn [node1] API degraded: answers slowly; the next request goes over a new connection',
      '[node1] API back to normal',
    ]);
  });

  it('warnings go to storj-monitor:api-client:warn alone; other events log nothing', async () => {
    const failed: ApiClientEvent = { type: 'failed', error: 'Connection refused', reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 };
    expect(await logged([failed, { type: 'connected', reconnectAttempts: 0 }], { namespaces: 'storj-monitor:api-client:warn' })).to.deep.equal([
      ':warn [node1] API health check failed: Connection refused',
    ]);
    expect(
      await logged([
        { type: 'connecting' },
        { type: 'stable' },
        { type: 'stopped' },
        { type: 'disconnected', error: null, reconnectAttempts: 1, retryInMs: 2000, retryAt: 0 },
        { type: 'request_succeeded', at: 0 },
        { type: 'health_checked', ok: true },
      ]),
    ).to.deep.equal([]);
  });
});
