import { expect } from 'chai';
import { resolveMonitorConfig, sourceHosts } from '../lib/index.js';

const log = { host: '127.0.0.1', port: 9001 };
const api = { url: 'http://127.0.0.1:14002' };

describe('resolveMonitorConfig', () => {
  it('fills in the defaults of SPEC §5/§6', () => {
    expect(resolveMonitorConfig({ nodes: [{ name: 'node1', log, api }] })).to.deep.equal({
      nodes: [{ name: 'node1', log, api: { url: 'http://127.0.0.1:14002/' } }],
      logReader: {
        initialBackoffMs: 2000,
        maxBackoffMs: 60_000,
        maxReconnectAttempts: 0,
        connectTimeoutMs: 10_000,
        keepAliveMs: 10_000,
        idleTimeoutMs: 0,
        maxLineBytes: 1_048_576,
      },
      apiClient: {
        healthCheckIntervalMs: 30_000,
        timeoutMs: 10_000,
        initialBackoffMs: 2000,
        maxBackoffMs: 300_000,
        maxReconnectAttempts: 10,
        firstChecksPerSecond: 500,
      },
      broadcastIntervalMs: 10_000,
    });
  });

  it('accepts nodes with only a log or only an api, and keeps given values', () => {
    const resolved = resolveMonitorConfig({
      nodes: [
        { name: 'logs', log },
        { name: 'apis', api },
      ],
      logReader: { idleTimeoutMs: 120_000 },
      apiClient: { maxReconnectAttempts: 0 },
      broadcastIntervalMs: 5000,
    });
    expect(resolved.nodes.map((node) => Object.keys(node))).to.deep.equal([
      ['name', 'log'],
      ['name', 'api'],
    ]);
    expect(resolved.logReader.idleTimeoutMs).to.equal(120_000);
    expect(resolved.apiClient.maxReconnectAttempts).to.equal(0);
    expect(resolved.broadcastIntervalMs).to.equal(5000);
  });

  it('keeps a shard, and has no shard key without one', () => {
    expect(resolveMonitorConfig({ nodes: [{ name: 'a', log }], shard: { index: 2, count: 3 } }).shard).to.deep.equal({ index: 2, count: 3 });
    expect(resolveMonitorConfig({ nodes: [{ name: 'a', log }] })).to.not.have.property('shard');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 'nodes', /^config must be an object/],
    ['a shard that is not an object', { nodes: [{ name: 'a', log }], shard: '1/2' }, /^shard must be an object; got 1\/2$/],
    ['a shard index past the count', { nodes: [{ name: 'a', log }], shard: { index: 3, count: 2 } }, /^shard\.index must be an integer 1-2; got 3$/],
    ['a shard index of 0', { nodes: [{ name: 'a', log }], shard: { index: 0, count: 2 } }, /^shard\.index must be an integer 1-2; got 0$/],
    ['a shard count of 0', { nodes: [{ name: 'a', log }], shard: { index: 1, count: 0 } }, /^shard\.count must be an integer >= 1; got 0$/],
    [
      'an unknown shard key',
      { nodes: [{ name: 'a', log }], shard: { index: 1, count: 1, of: 2 } },
      /^shard\.of is not a known option \(known: index, count\)$/,
    ],
    ['no nodes', {}, /^nodes must be a non-empty array/],
    ['empty nodes', { nodes: [] }, /^nodes must be a non-empty array/],
    ['a node that is not an object', { nodes: [42] }, /^nodes\[0\] must be an object/],
    ['a node without a name', { nodes: [{ log }] }, /^nodes\[0\]\.name must be a non-empty string/],
    ['a node with neither log nor api', { nodes: [{ name: 'x' }] }, /^nodes\[0\] must have a log, an api, or both/],
    [
      'a bad port',
      {
        nodes: [
          { name: 'a', log },
          { name: 'b', log: { host: 'h', port: 0 } },
        ],
      },
      /^nodes\[1\]\.log\.port must be an integer 1-65535; got 0$/,
    ],
    ['a port as a string', { nodes: [{ name: 'a', log: { host: 'h', port: '9001' } }] }, /^nodes\[0\]\.log\.port must be an integer 1-65535; got "9001"$/],
    ['an empty host', { nodes: [{ name: 'a', log: { host: '', port: 1 } }] }, /^nodes\[0\]\.log\.host must be a non-empty string/],
    [
      'a resume that is not a boolean',
      { nodes: [{ name: 'a', log: { host: 'h', port: 1, resume: 'yes' } }] },
      /^nodes\[0\]\.log\.resume must be true or false; got "yes"$/,
    ],
    ['a bad url', { nodes: [{ name: 'a', api: { url: 'localhost:14002' } }] }, /^nodes\[0\]\.api\.url must be an http\(s\) URL/],
    [
      'duplicate names',
      {
        nodes: [
          { name: 'a', log },
          { name: 'a', api },
        ],
      },
      /^nodes\[1\]\.name "a" is already the name of nodes\[0\]$/,
    ],
    ['an unknown node key', { nodes: [{ name: 'a', log, apii: api }] }, /^nodes\[0\]\.apii is not a known option/],
    ['an unknown top-level key', { nodes: [{ name: 'a', log }], broadcastInterval: 5 }, /^broadcastInterval is not a known option/],
    ['an unknown logReader key', { nodes: [{ name: 'a', log }], logReader: { backoff: 1 } }, /^logReader\.backoff is not a known option/],
    ['a negative backoff', { nodes: [{ name: 'a', log }], logReader: { initialBackoffMs: -1 } }, /^logReader\.initialBackoffMs must be an integer >= 0/],
    [
      'max below initial',
      { nodes: [{ name: 'a', log }], apiClient: { initialBackoffMs: 5000, maxBackoffMs: 10 } },
      /^apiClient\.maxBackoffMs must be >= apiClient\.initialBackoffMs/,
    ],
    [
      'a fractional attempt count',
      { nodes: [{ name: 'a', log }], apiClient: { maxReconnectAttempts: 2.5 } },
      /^apiClient\.maxReconnectAttempts must be an integer/,
    ],
    [
      'a negative first-check rate',
      { nodes: [{ name: 'a', api }], apiClient: { firstChecksPerSecond: -1 } },
      /^apiClient\.firstChecksPerSecond must be an integer >= 0/,
    ],
    ['a keepalive under a second', { nodes: [{ name: 'a', log }], logReader: { keepAliveMs: 10 } }, /^logReader\.keepAliveMs must be an integer >= 1000/],
    ['a zero broadcast interval', { nodes: [{ name: 'a', log }], broadcastIntervalMs: 0 }, /^broadcastIntervalMs must be an integer >= 1/],
  ];
  for (const [name, config, message] of bad) {
    it(`rejects ${name}, naming the field`, () => {
      expect(() => resolveMonitorConfig(config)).to.throw(RangeError, message);
    });
  }

  it('never shows URL credentials in its errors', () => {
    expect(() => resolveMonitorConfig({ nodes: [{ name: 'a', api: { url: 'ftp://user:secret@host' } }] }))
      .to.throw(RangeError)
      .that.satisfies((error: Error) => !error.message.includes('secret'));
  });
});

describe('sourceHosts', () => {
  it('gives a log forwarder and an API URL on the same host one key, however each spells it', () => {
    const hostOf = sourceHosts([
      { name: 'v6', log: { host: '2001:DB8:0::2', port: 9001 }, api: { url: 'http://[2001:db8::2]:14002' } },
      { name: 'named', log: { host: 'Node.Example.', port: 9001 }, api: { url: 'http://node.example:14002' } },
      { name: 'v4', log: { host: '10.0.0.2', port: 9001 }, api: { url: 'http://10.0.0.2:14002' } },
    ]);
    expect([hostOf('v6', 'log_reader'), hostOf('v6', 'api_client')]).to.deep.equal(['2001:db8::2', '2001:db8::2']);
    expect([hostOf('named', 'log_reader'), hostOf('named', 'api_client')]).to.deep.equal(['node.example', 'node.example']);
    expect([hostOf('v4', 'log_reader'), hostOf('v4', 'api_client')]).to.deep.equal(['10.0.0.2', '10.0.0.2']);
    expect(hostOf('missing', 'log_reader')).to.equal(undefined);
  });
});
