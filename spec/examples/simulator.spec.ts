import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { storageNodeLine } from '../../examples/simulator/log-lines.js';
import { SimulatedNode } from '../../examples/simulator/simulated-node.js';
import { ConnectionRegistry, NodeApiClient, parseStorageNodeLine, tcpLogSource } from '../../lib/index.js';
import { eventually } from '../support/wait.js';

describe('examples/simulator', () => {
  it('writes storagenode lines of every category and outcome that the parser reads', () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
    const seen = new Set<string>();
    const loggers = new Set<string | null>();
    for (let index = 0; index < 5000; index++) {
      const entry = parseStorageNodeLine(storageNodeLine(new Date(1_759_735_252_000 + index), random));
      loggers.add(entry.logger);
      if (entry.piece) seen.add(`${entry.piece.category}/${entry.piece.outcome}`);
      if (entry.piece) expect(entry.piece.satelliteId).to.match(/^1/);
    }
    expect([...loggers]).to.include.members(['piecestore', 'collector', 'bandwidth']);
    for (const expected of [
      'download/started',
      'download/success',
      'download/canceled',
      'download/failed',
      'upload/started',
      'upload/success',
      'upload/rejected',
      'audit/success',
      'repair/success',
      'delete/success',
    ]) {
      expect(seen).to.include(expected);
    }
  });

  it('serves a forwarder and an API that the library connects to, and breaks on command', async () => {
    const node = await SimulatedNode.start({ name: 'sim', linesPerSecond: 200 });
    const registry = new ConnectionRegistry();
    const api = new NodeApiClient({
      node: 'sim',
      url: `http://127.0.0.1:${node.apiPort}`,
      registry,
      healthCheckIntervalMs: 50,
      backoff: { initialMs: 20, maxMs: 20 },
    });
    const lines: string[] = [];
    const logs = tcpLogSource({ node: 'sim', host: '127.0.0.1', port: node.logPort, registry, backoff: { initialMs: 20, maxMs: 20 } }).subscribe((line) =>
      lines.push(line.line),
    );
    try {
      api.start();
      await eventually(() => lines.length > 10 && api.isAvailable);
      expect(registry.snapshot().sim?.log_reader?.dropped_lines).to.deep.equal({ malformed: 0, oversize: 0, partial: 0, gap: 0 });
      expect((await lastValueFrom(api.dashboard())).nodeID).to.match(/^1sim/);
      expect(await lastValueFrom(api.estimatedPayout())).to.have.property('currentMonth');

      node.setApiFault('unavailable');
      await eventually(() => api.status.last_error === 'HTTP 503 Service Unavailable');
      node.setApiFault('ok');
      await eventually(() => api.isAvailable);

      await node.stopForwarder();
      await eventually(() => registry.snapshot().sim?.log_reader?.state !== 'connected');
      await node.startForwarder();
      await eventually(() => registry.snapshot().sim?.log_reader?.state === 'connected');
    } finally {
      logs.unsubscribe();
      api.stop();
      await node.close();
    }
  });
});
