import { expect } from 'chai';
import fc from 'fast-check';
import { resolveMonitorConfig, shardOf, sourceChanges, type MonitorConfig, type NodeConfig } from '../../lib/index.js';

const node = (name: string, port = 9001, url = 'http://127.0.0.1:14002'): NodeConfig => ({ name, log: { host: '127.0.0.1', port }, api: { url } });
const described = (current: MonitorConfig | undefined, next: MonitorConfig): string[] =>
  sourceChanges(current && resolveMonitorConfig(current), resolveMonitorConfig(next)).map(
    ({ action, node, component }) => `${action} ${node.name} ${component}`,
  );

describe('sourceChanges', () => {
  it('from nothing: every source starts, in config order', () => {
    expect(described(undefined, { nodes: [node('a'), { name: 'b', api: { url: 'http://127.0.0.1:1' } }] })).to.deep.equal([
      'start a log_reader',
      'start a api_client',
      'start b api_client',
    ]);
  });

  it('the same config again: nothing', () => {
    const config = { nodes: [node('a'), node('b')], logReader: { idleTimeoutMs: 60_000 } };
    expect(described(config, structuredClone(config))).to.deep.equal([]);
    // A default written out is the same setting.
    expect(described(config, { ...config, logReader: { idleTimeoutMs: 60_000, maxBackoffMs: 60_000 } })).to.deep.equal([]);
    expect(described(config, { ...config, broadcastIntervalMs: 5000 })).to.deep.equal([]);
    // It paces starts: a new pace is for the clients started next, and reconnects none.
    expect(described(config, { ...config, apiClient: { firstChecksPerSecond: 3 } })).to.deep.equal([]);
    expect(described(config, { ...config, apiClient: { firstChecksPerSecond: 3, timeoutMs: 5000 } })).to.deep.equal([
      'restart a api_client',
      'restart b api_client',
    ]);
  });

  it('adds, removes, changes and keeps: stops first, then restarts, then starts; only the changed source of a node', () => {
    const before = { nodes: [node('keep'), node('drop'), node('relog'), node('reapi'), node('unlog')] };
    const after = {
      nodes: [
        node('added'),
        node('keep'),
        node('relog', 9002),
        node('reapi', 9001, 'http://127.0.0.1:14003'),
        { name: 'unlog', api: { url: 'http://127.0.0.1:14002' } },
      ],
    };
    expect(described(before, after)).to.deep.equal([
      'stop drop log_reader',
      'stop drop api_client',
      'stop unlog log_reader',
      'restart relog log_reader',
      'restart reapi api_client',
      'start added log_reader',
      'start added api_client',
    ]);
    const stop = sourceChanges(resolveMonitorConfig(before), resolveMonitorConfig(after)).find(({ action }) => action === 'stop');
    expect(stop?.node).to.deep.equal(node('drop', 9001, 'http://127.0.0.1:14002/'));
  });

  it('a change of a shared section restarts that kind of source on every node, and only that kind', () => {
    const before = { nodes: [node('a'), node('b')] };
    expect(described(before, { ...before, logReader: { keepAliveMs: 20_000 } })).to.deep.equal(['restart a log_reader', 'restart b log_reader']);
    expect(described(before, { ...before, apiClient: { timeoutMs: 5000 } })).to.deep.equal(['restart a api_client', 'restart b api_client']);
  });

  it('a shard added to a config stops every node of the other shards, both sources, and nothing else (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ maxLength: 12 }).map((text) => `n ${text}`),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 6 }),
        (names, count) => {
          const nodes = names.map((name) => node(name));
          const changes = Array.from({ length: count }, (_, index) => described({ nodes }, { nodes, shard: { index: index + 1, count } }));
          const stopped = changes.flat().map((change) => change.split(' ').slice(1, -1).join(' '));
          // Each node is stopped (both sources) by every shard but its own.
          for (const name of names) expect(stopped.filter((stoppedName) => stoppedName === name)).to.have.length(2 * (count - 1));
          for (const [index, shardChanges] of changes.entries()) {
            expect(
              shardChanges.every((change) => change.startsWith('stop ') && shardOf(change.split(' ').slice(1, -1).join(' '), count) !== index + 1),
            ).to.equal(true);
          }
        },
      ),
      { seed: 22, numRuns: 100 },
    );
  });
});
