import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { DEFAULT_LOG_SETTINGS, storageNodeLines, type LogSettings } from '../../examples/simulator/log-lines.js';
import { apiFormat, logFormat } from '../../examples/simulator/releases.js';
import { SimulatedNode } from '../../examples/simulator/simulated-node.js';
import {
  CancellationPairs,
  ConnectionRegistry,
  diskUsage,
  NodeApiClient,
  StorageNodeLine,
  tcpLogSource,
  toDashboard,
  toEstimatedPayout,
  toPaystubs,
  toSatellite,
  toSatellites,
} from '../../lib/index.js';
import { eventually } from '../support/wait.js';

/** `events` events of the simulator, parsed as one stream: what each category/outcome was seen as, and what could not be read. */
function readEvents(settings: LogSettings, events = 2000) {
  let seed = 42;
  const random = (): number => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
  const seen = new Set<string>();
  const loggers = new Set<string | null>();
  const pairs = new CancellationPairs();
  let unrecognized = 0;
  let duplicates = 0;
  for (let index = 0; index < events; index++) {
    for (const text of storageNodeLines(new Date(1_759_735_252_000 + index), random, settings)) {
      const entry = new StorageNodeLine(text, pairs);
      loggers.add(entry.logger);
      if (entry.unrecognized !== null) unrecognized++;
      if (entry.piece) {
        seen.add(`${entry.piece.category}/${entry.piece.outcome}`);
        if (entry.piece.outcome !== 'rejected' && !settings.format.drift) expect(entry.piece.pieceId, text).to.be.a('string');
        if (entry.piece.duplicateOf !== null) duplicates++;
      }
    }
  }
  return { seen, loggers, unrecognized, duplicates };
}

const EVERY_OUTCOME = [
  'download/started',
  'download/success',
  'download/canceled',
  'download/failed',
  'upload/started',
  'upload/success',
  'upload/canceled',
  'upload/failed',
  'upload/rejected',
  'audit/success',
  'repair/success',
];

describe('examples/simulator', () => {
  it('writes the latest release by default, every category and outcome, all of it read', () => {
    const { seen, loggers, unrecognized, duplicates } = readEvents(DEFAULT_LOG_SETTINGS);
    expect([...loggers]).to.include.members(['piecestore', 'collector', 'bandwidth']);
    expect([...seen]).to.include.members(EVERY_OUTCOME);
    expect(seen).to.not.include('delete/success');
    expect(unrecognized).to.equal(0);
    expect(duplicates, 'two-line cancellations').to.be.greaterThan(0);
    const [line] = storageNodeLines(new Date(1_759_735_252_000), () => 0.5);
    expect(line).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)\t/);
    expect(line).to.include('"process": "storagenode"').and.include('"piece_id": ');
  });

  // The first and last minor of every generation (releases.ts), and the latest.
  for (const minor of [80, 82, 83, 85, 86, 98, 99, 100, 112, 113, 115, 116, 117, 118, 119, 120, 121, 122, 145, 146, 147, 161, 162]) {
    it(`--log-format v1.${minor}: every line read, nothing unrecognized`, () => {
      const format = logFormat(`v1.${minor}`);
      const { seen, unrecognized } = readEvents({ ...DEFAULT_LOG_SETTINGS, format });
      expect(unrecognized).to.equal(0);
      expect([...seen]).to.include.members(EVERY_OUTCOME);
      if (minor < 118) expect([...seen]).to.include.members(['delete/success', 'delete/failed']);
    });
  }

  it('the encoder settings (json, caller, no time) are read too, in old and new releases', () => {
    for (const release of ['v1.80', 'v1.99', 'v1.162']) {
      for (const settings of [
        { encoding: 'json', caller: false, noTime: false },
        { encoding: 'json', caller: true, noTime: true },
        { encoding: 'console', caller: true, noTime: false },
        { encoding: 'console', caller: false, noTime: true },
      ] as const) {
        const { seen, unrecognized } = readEvents({ format: logFormat(release), ...settings });
        expect(unrecognized, `${release} ${JSON.stringify(settings)}`).to.equal(0);
        expect([...seen]).to.include.members(EVERY_OUTCOME);
      }
    }
  });

  it('--log-format drift writes what no release writes, and the library counts it', () => {
    const { unrecognized } = readEvents({ ...DEFAULT_LOG_SETTINGS, format: logFormat('drift') });
    expect(unrecognized).to.be.greaterThan(500);
  });

  it('rejects a release it does not know, naming the option', () => {
    for (const release of ['v1.79', 'v1.163', '1.100', 'latest', 'v2.1']) {
      expect(() => logFormat(release), release).to.throw(RangeError, /^--log-format must be a storagenode release v1\.80 \.\. v1\.162/);
      expect(() => apiFormat(release), release).to.throw(RangeError, /^--api-format must be/);
    }
    expect(() => apiFormat('drift')).to.throw(RangeError, /^--api-format/);
  });

  for (const release of ['v1.80', 'v1.122', 'v1.131', 'v1.142', 'v1.143', 'v1.162.3']) {
    it(`--api-format ${release}: every endpoint in that release's shape, read by the library's guards`, async () => {
      const node = await SimulatedNode.start({ name: 'shapes', linesPerSecond: 0, api: apiFormat(release) });
      try {
        const base = `http://127.0.0.1:${node.apiPort}`;
        const get = async (path: string) => {
          const response = await fetch(`${base}${path}`);
          return { status: response.status, body: (await response.json()) as unknown };
        };
        const minor = Number(release.split('.')[1]);
        const dashboard = toDashboard((await get('/api/sno/')).body);
        expect(dashboard.version).to.equal(release === 'v1.162.3' ? '1.162.3' : `1.${minor}.0`);
        expect(dashboard.satellites[0]).to.have.property('disqualified', null);
        expect('currentStorageUsed' in (dashboard.satellites[0] ?? {})).to.equal(minor < 122);
        expect('vettedAt' in (dashboard.satellites[0] ?? {})).to.equal(minor >= 131);
        expect('allocated' in (dashboard.diskSpace ?? {})).to.equal(minor >= 143);
        expect(diskUsage(dashboard)).to.deep.equal({
          allocatedBytes: 4e12,
          usedBytes: 2.6e12,
          freeBytes: 4e12 - 2.6e12 - 3.2e10,
          trashBytes: 3.2e10,
          overusedBytes: 0,
        });
        const satellites = toSatellites((await get('/api/sno/satellites')).body);
        expect('calculated' in (satellites.storageDaily[0] ?? {})).to.equal(minor >= 162);
        const satellite = toSatellite((await get(`/api/sno/satellite/${dashboard.satellites[0]?.id ?? ''}`)).body);
        expect(satellite.priceModel?.EgressBandwidth).to.equal(200);
        const payout = toEstimatedPayout((await get('/api/sno/estimated-payout')).body);
        expect(Math.round(payout.previousMonth.payout * 100) / 100, 'cents with two decimals').to.equal(payout.previousMonth.payout);
        expect(toPaystubs((await get('/api/heldamount/paystubs/2026-09/2026-10')).body).map((stub) => Number.isInteger(stub.paid))).to.deep.equal([true, true]);
        expect(await get('/api/heldamount/paystubs/2026/2026-10')).to.deep.equal({
          status: 400,
          body: { error: 'consoleapi payouts: wrong period format: period start has wrong format' },
        });
        expect(await get('/api/sno/satellite/1unknown')).to.deep.include({ status: 404 });
      } finally {
        await node.close();
      }
    });
  }

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
