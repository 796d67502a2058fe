import { expect } from 'chai';
import {
  describeSocketError,
  initialApiClientStatus,
  initialLogReaderStatus,
  NODE_VERDICTS,
  nodeVerdict,
  type ApiClientStatus,
  type LogReaderStatus,
  type SatelliteContact,
} from '../../lib/index.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const socketError = (code: string, message: string): string => describeSocketError(Object.assign(new Error(message), { code }));
const REFUSED_API = socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.2:14002');
const REFUSED_LOG = socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.2:9001');
const UNREACHABLE = socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.2:9001');

const log = (fields: Partial<LogReaderStatus> = {}): LogReaderStatus => ({ ...initialLogReaderStatus('10.0.0.2', 9001), state: 'connected', ...fields });
const api = (fields: Partial<ApiClientStatus> = {}): ApiClientStatus => ({ ...initialApiClientStatus(), state: 'connected', is_available: true, ...fields });
const down = (last_error: string, reconnect_attempts = 1) => ({ state: 'error', is_available: false, last_error, reconnect_attempts }) as const;
const contact = (fields: Partial<SatelliteContact> = {}): SatelliteContact => ({
  lastPingedMs: NOW - 10 * 60_000,
  startedAtMs: NOW - 48 * HOUR,
  quicStatus: 'OK',
  ...fields,
});

describe('nodeVerdict', () => {
  it('ok when everything is up, satellites ping the node, QUIC is fine and no score warns', () => {
    expect(nodeVerdict({ log_reader: log(), api_client: api(), contact: contact() }, NOW)).to.deep.equal({ verdict: 'ok', reasons: [] });
    expect(
      nodeVerdict({ log_reader: log({ state: 'connecting' }), api_client: api({ state: 'connecting', is_available: false }) }, NOW).verdict,
      'first connect',
    ).to.equal('ok');
  });

  it('offline: the host answers but the node does not (refused API, API failing while the log is connected, HTTP errors)', () => {
    expect(nodeVerdict({ log_reader: log(down(REFUSED_LOG)), api_client: api(down(REFUSED_API)) }, NOW)).to.deep.equal({
      verdict: 'offline',
      reasons: ['the host answers but the node does not', `log: ${REFUSED_LOG}`, `API: ${REFUSED_API}`],
    });
    const timeout = 'Connection timeout (no response within 10000 ms)';
    expect(nodeVerdict({ log_reader: log(), api_client: api(down(timeout)) }, NOW).verdict, 'a hung API with the forwarder connected').to.equal('offline');
    expect(nodeVerdict({ api_client: api(down('HTTP 503 Service Unavailable')) }, NOW).verdict).to.equal('offline');
    expect(nodeVerdict({ log_reader: log({ state: 'disconnected', reconnect_attempts: 1 }) }, NOW)).to.deep.equal({
      verdict: 'offline',
      reasons: ['the host answers but the node does not', 'log: connection closed by the remote end'],
    });
  });

  it('unreachable: only failures on the way to the host (timeouts, unreachable, DNS), nothing connected', () => {
    const errors = [
      UNREACHABLE,
      socketError('ENETUNREACH', 'connect ENETUNREACH 10.0.0.2:9001'),
      socketError('ETIMEDOUT', 'read ETIMEDOUT'),
      socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND node.example'),
      'Connection timeout: not connected after 10000 ms',
      'Gave up after 10 reconnect attempts: Connection timeout (no response within 10000 ms)',
    ];
    for (const error of errors) {
      expect(nodeVerdict({ log_reader: log(down(error)), api_client: api(down(error)) }, NOW).verdict, error).to.equal('unreachable');
    }
    expect(nodeVerdict({ log_reader: log(down(UNREACHABLE)), api_client: api(down(REFUSED_API)) }, NOW).verdict, 'one refusal shows the host').to.equal(
      'offline',
    );
  });

  it('degraded: the API answers but the log forwarder is down; or a degraded source, with its reason', () => {
    expect(nodeVerdict({ log_reader: log(down(REFUSED_LOG)), api_client: api() }, NOW)).to.deep.equal({
      verdict: 'degraded',
      reasons: ["the node's API answers but its log forwarder does not", `log: ${REFUSED_LOG}`],
    });
    const slow = 'answers slowly: median 4000 ms over the last 5 checks, 200.0 x its usual 20 ms';
    expect(nodeVerdict({ log_reader: log(), api_client: api({ degraded: true }), degradedReasons: { api_client: slow } }, NOW)).to.deep.equal({
      verdict: 'degraded',
      reasons: [`API degraded: ${slow}`],
    });
  });

  it('satellites-unreachable: lastPinged stale (counted from the start of a node that was never pinged), or QUIC not OK', () => {
    const stale = nodeVerdict({ api_client: api(), contact: contact({ lastPingedMs: NOW - 3 * HOUR - 5 * 60_000 }) }, NOW);
    expect(stale).to.deep.equal({
      verdict: 'satellites-unreachable',
      reasons: [`no satellite has pinged the node for 3 h 5 min (lastPinged ${new Date(NOW - 3 * HOUR - 5 * 60_000).toISOString()})`],
    });
    expect(nodeVerdict({ api_client: api(), contact: contact({ lastPingedMs: null, startedAtMs: NOW - HOUR }) }, NOW).verdict, 'fresh node').to.equal('ok');
    expect(nodeVerdict({ api_client: api(), contact: contact({ lastPingedMs: null, startedAtMs: NOW - 3 * HOUR }) }, NOW).reasons).to.deep.equal([
      'no satellite has pinged the node since it started 3 h 0 min ago',
    ]);
    expect(nodeVerdict({ api_client: api(), contact: contact({ quicStatus: 'Misconfigured' }) }, NOW)).to.deep.equal({
      verdict: 'satellites-unreachable',
      reasons: ['the satellites\' QUIC check of the node failed (quicStatus "Misconfigured")'],
    });
    expect(nodeVerdict({ api_client: api(), contact: contact({ quicStatus: 'Disabled' }) }, NOW).verdict).to.equal('ok');
    expect(nodeVerdict({ api_client: api(), contact: contact({ quicStatus: 'Refreshing', startedAtMs: NOW - 60_000 }) }, NOW).verdict).to.equal('ok');
    expect(nodeVerdict({ api_client: api(), contact: contact({ quicStatus: 'Refreshing' }) }, NOW).verdict).to.equal('satellites-unreachable');
    expect(nodeVerdict({ api_client: api(), contact: contact({ lastPingedMs: NOW - 90 * 60_000 }) }, NOW, HOUR).verdict, 'lastPingedStaleMs').to.equal(
      'satellites-unreachable',
    );
  });

  it('contact at the thresholds exactly: stale is strictly older than lastPingedStaleMs, durations under 2 h in minutes', () => {
    const verdict = (fields: Partial<SatelliteContact>) => nodeVerdict({ api_client: api(), contact: contact(fields) }, NOW);
    expect(verdict({ lastPingedMs: NOW - 2 * HOUR }).verdict, 'exactly 2 h').to.equal('ok');
    expect(verdict({ lastPingedMs: NOW - 2 * HOUR - 1 }).reasons, 'just over 2 h').to.deep.equal([
      `no satellite has pinged the node for 2 h 0 min (lastPinged ${new Date(NOW - 2 * HOUR - 1).toISOString()})`,
    ]);
    expect(nodeVerdict({ api_client: api(), contact: contact({ lastPingedMs: NOW - 119 * 60_000 }) }, NOW, HOUR).reasons).to.deep.equal([
      `no satellite has pinged the node for 119 min (lastPinged ${new Date(NOW - 119 * 60_000).toISOString()})`,
    ]);
    expect(verdict({ lastPingedMs: null, startedAtMs: null }).verdict, 'nothing known of the contact').to.equal('ok');
    expect(verdict({ quicStatus: 'Refreshing', startedAtMs: NOW - 2 * HOUR }).verdict, 'Refreshing, up exactly 2 h').to.equal('ok');
    expect(verdict({ quicStatus: 'Refreshing', startedAtMs: NOW - 2 * HOUR - 1 }).verdict, 'Refreshing, up just over 2 h').to.equal('satellites-unreachable');
    expect(verdict({ quicStatus: 'Refreshing', startedAtMs: null }).verdict, 'Refreshing, start unknown').to.equal('satellites-unreachable');
    expect(verdict({ quicStatus: null }).verdict, 'no quicStatus sent').to.equal('ok');
    expect(
      nodeVerdict({ api_client: api(), contact: { lastPingedMs: null, startedAtMs: null, quicStatus: 'Refreshing' } }, 1000).verdict,
      'Refreshing, start unknown, whatever the clock',
    ).to.equal('satellites-unreachable');
    expect(
      nodeVerdict({ api_client: api({ state: 'connecting', is_available: false }), contact: contact({ quicStatus: 'Misconfigured' }) }, NOW).verdict,
      'the contact of an API not connected now is not judged',
    ).to.equal('ok');
  });

  it('lists the verdicts worst first; judges a node with a log only; a connected source with earlier failures is up', () => {
    expect(NODE_VERDICTS).to.deep.equal(['offline', 'unreachable', 'satellites-unreachable', 'at-risk', 'degraded', 'ok']);
    expect(nodeVerdict({ log_reader: log() }, NOW)).to.deep.equal({ verdict: 'ok', reasons: [] });
    expect(
      nodeVerdict({ log_reader: log({ reconnect_attempts: 3 }), api_client: api({ reconnect_attempts: 2, last_error: REFUSED_API }) }, NOW).verdict,
    ).to.equal('ok');
    expect(nodeVerdict({ api_client: api({ ...down(REFUSED_API), reconnect_attempts: 0 }) }, NOW).verdict, 'an error before any retry').to.equal('offline');
    expect(
      nodeVerdict({ api_client: api(), contact: contact({ quicStatus: 'Misconfigured', startedAtMs: NOW - 60_000, lastPingedMs: null }) }, NOW).verdict,
      'Misconfigured matters at once',
    ).to.equal('satellites-unreachable');
  });

  it('a stopped source counts for nothing: not its degradation, nor as a source that shows the host', () => {
    expect(nodeVerdict({ log_reader: log({ state: 'stopped', degraded: true }), api_client: api() }, NOW).verdict).to.equal('ok');
    const timeout = 'Connection timeout (no response within 10000 ms)';
    expect(nodeVerdict({ log_reader: log({ state: 'stopped' }), api_client: api(down(timeout)) }, NOW).verdict).to.equal('unreachable');
  });

  it('a degraded source without a recorded reason says so; a warning shows its scores to four places', () => {
    expect(nodeVerdict({ log_reader: log({ degraded: true }), api_client: api() }, NOW)).to.deep.equal({
      verdict: 'degraded',
      reasons: ['log degraded: no reason recorded'],
    });
    const warnings = [{ satellite: 'eu1.storj.io:7777', score: 'audit', value: 0.987654, threshold: 0.99 }] as const;
    expect(nodeVerdict({ api_client: api(), warnings }, NOW).reasons).to.deep.equal([
      'eu1.storj.io:7777: audit score 0.9877 is below the warning threshold 0.99 (the satellite acts at 0.96)',
    ]);
  });

  it('at-risk below a warning threshold; worse verdicts win and keep the warning among the reasons', () => {
    const warnings = [{ satellite: 'us1.storj.io:7777', score: 'online', value: 0.71, threshold: 0.9 }] as const;
    const warning = 'us1.storj.io:7777: online score 0.71 is below the warning threshold 0.9 (the satellite acts at 0.6)';
    expect(nodeVerdict({ api_client: api(), contact: contact(), warnings }, NOW)).to.deep.equal({ verdict: 'at-risk', reasons: [warning] });
    const offline = nodeVerdict({ api_client: api(down(REFUSED_API)), warnings }, NOW);
    expect(offline.verdict).to.equal('offline');
    expect(offline.reasons.at(-1)).to.equal(warning);
    const both = nodeVerdict({ api_client: api({ degraded: true }), contact: contact({ quicStatus: 'Misconfigured' }), warnings }, NOW);
    expect(both.verdict).to.equal('satellites-unreachable');
    expect(both.reasons).to.have.length(3);
  });

  it('stopped sources are not judged', () => {
    expect(
      nodeVerdict({ log_reader: log({ state: 'stopped', last_error: REFUSED_LOG }), api_client: api({ state: 'stopped', is_available: false }) }, NOW),
    ).to.deep.equal({
      verdict: 'ok',
      reasons: [],
    });
  });
});
