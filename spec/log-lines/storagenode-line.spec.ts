import { expect } from 'chai';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { CancellationPairs, parseStorageNodeLine, StorageNodeLine, type PieceEvent } from '../../lib/index.js';

const TIME = '2026-11-30T21:47:02-08:00';
const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S';
const PIECE = 'QE7Q6DNGRHP5MSO3I6IG3NFBXBE5ICSS3JOTMQGC4NVWJLBSAE3Q';

function line(level: string, message: string, fields: Record<string, unknown>, logger = 'piecestore'): string {
  return `${TIME}\t${level}\t${logger}\t${message}\t${JSON.stringify(fields)}`;
}

/** One line and what it must read as, made the way a storj release writes it (see spec/fixtures/storagenode-logs/). */
interface FixtureLine {
  readonly line: string;
  readonly note?: string;
  readonly expect: {
    readonly time: string | null;
    readonly level: string;
    readonly logger: string | null;
    readonly caller: string | null;
    readonly message: string;
    readonly piece: PieceEvent | null;
    readonly unrecognized: string | null;
  };
}

interface Fixture {
  readonly tag: string;
  readonly covers: string;
  readonly notes: readonly string[];
  readonly lines: readonly FixtureLine[];
}

const FIXTURES = new URL('../fixtures/storagenode-logs/', import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, fixture: JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Fixture }));

describe('parseStorageNodeLine', () => {
  describe('every generation storj wrote, v1.80 .. v1.162 (spec/fixtures/storagenode-logs)', () => {
    it('has a fixture per generation', () => {
      expect(fixtures.map(({ name }) => name)).to.include.members([
        'v1.80.3.json',
        'v1.83.2.json',
        'v1.86.1.json',
        'v1.99.1.json',
        'v1.104.1.json',
        'v1.113.1.json',
        'v1.116.3.json',
        'v1.120.1.json',
        'v1.142.3.json',
        'v1.146.5.json',
        'v1.162.3.json',
        'v1.162.3-caller.json',
        'v1.162.3-notime.json',
        'v1.162.3-json.json',
        'v1.162.3-json-caller.json',
        'v1.80.3-caller-notime.json',
      ]);
    });

    for (const { name, fixture } of fixtures) {
      it(`${name}: ${fixture.covers}, every line read right, in order as one stream`, () => {
        const pairs = new CancellationPairs();
        for (const { line: text, expect: expected } of fixture.lines) {
          const entry = new StorageNodeLine(text, pairs);
          const read = {
            time: entry.time,
            level: entry.level,
            logger: entry.logger,
            caller: entry.caller,
            message: entry.message,
            piece: entry.piece,
            unrecognized: entry.unrecognized,
          };
          expect(read, text).to.deep.equal(expected);
        }
      });
    }

    it('counts each transfer once: the second line of a two-line cancellation has duplicateOf', () => {
      for (const { fixture } of fixtures) {
        const pairs = new CancellationPairs();
        const pieces = fixture.lines.map(({ line: text }) => new StorageNodeLine(text, pairs).piece);
        const seconds = fixture.lines.filter(({ note }) => note === 'the second line of one cancellation').length;
        expect(pieces.filter((piece) => piece?.duplicateOf != null).length, fixture.tag).to.equal(seconds);
      }
    });
  });

  it('splits time, level, logger, message and fields', () => {
    const entry = parseStorageNodeLine(line('DEBUG', 'download started', { piece_id: PIECE, satellite_id: SATELLITE, action: 'GET', offset: 0, size: 6912 }));
    expect(entry).to.include({ time: TIME, level: 'DEBUG', logger: 'piecestore', caller: null, message: 'download started' });
    expect(entry.fields).to.include({ action: 'GET', size: 6912 });
    expect(entry.piece).to.deep.equal({
      action: 'GET',
      category: 'download',
      outcome: 'started',
      size: 6912,
      pieceId: PIECE,
      satelliteId: SATELLITE,
      remoteAddress: null,
      reason: null,
      duplicateOf: null,
    });
  });

  it('accepts the old SatelliteID spelling', () => {
    const entry = parseStorageNodeLine(line('INFO', 'downloaded', { 'Piece ID': PIECE, SatelliteID: SATELLITE, Action: 'GET', Size: 1 }));
    expect(entry.piece?.satelliteId).to.equal(SATELLITE);
  });

  it('an action no release defines is category other', () => {
    expect(parseStorageNodeLine(line('INFO', 'downloaded', { piece_id: PIECE, action: 'GET_MIGRATE', size: 1 })).piece?.category).to.equal('other');
  });

  it('gives no piece to other loggers, nor to piecestore lines that are no transfer', () => {
    const collector = parseStorageNodeLine(`${TIME}\tINFO\tcollector\tdownloaded\t{"count": 3}`);
    expect(collector).to.include({ logger: 'collector', message: 'downloaded', piece: null });
    expect(collector.fields).to.deep.equal({ count: 3 });
    expect(parseStorageNodeLine(line('INFO', 'New bloomfilter is received', { satellite: SATELLITE })).piece).to.equal(null);
  });

  it('marks the upload pair only with the stream memory, and only once per race-lost line', () => {
    const first = line('INFO', 'upload canceled (race lost or node shutdown)', { 'Piece ID': PIECE });
    const second = line('DEBUG', 'upload failed', { 'Piece ID': PIECE, Action: 'PUT', error: 'context canceled', Size: 0 });
    const pairs = new CancellationPairs();
    expect(new StorageNodeLine(first, pairs).piece?.duplicateOf).to.equal(null);
    expect(new StorageNodeLine(second, pairs).piece?.duplicateOf).to.equal('upload canceled (race lost or node shutdown)');
    expect(new StorageNodeLine(second, pairs).piece?.duplicateOf, 'a second DEBUG upload failed is a failure').to.equal(null);
    expect(parseStorageNodeLine(second).piece?.duplicateOf, 'no memory, no pair').to.equal(null);
  });

  it('a DEBUG download canceled is always the second line of a pair; at INFO it is a cancellation of its own', () => {
    expect(parseStorageNodeLine(line('DEBUG', 'download canceled', { piece_id: PIECE })).piece?.duplicateOf).to.equal(
      'download canceled (race lost or node shutdown)',
    );
    expect(parseStorageNodeLine(line('INFO', 'download canceled', { piece_id: PIECE, reason: 'context canceled' })).piece?.duplicateOf).to.equal(null);
  });

  it('keeps tabs inside a message: the fields are what follows the last tab', () => {
    const entry = parseStorageNodeLine(`${TIME}\tWARN\tpiecestore\tdownload failed\twith\ttabs\t{"Action": "GET", "Size": 7}`);
    expect(entry).to.include({ logger: 'piecestore', caller: null, message: 'download failed\twith\ttabs' });
    expect(entry.fields).to.deep.equal({ Action: 'GET', Size: 7 });
    const tabbedNoJson = parseStorageNodeLine(`${TIME}\tINFO\tpiecestore\ta\tb`);
    expect(tabbedNoJson).to.include({ logger: 'piecestore', message: 'a\tb' });
    expect(tabbedNoJson.fields).to.deep.equal({});
  });

  it('reads a caller column only when it is one (dir/file.go:line)', () => {
    expect(parseStorageNodeLine(`INFO\tpiecestore\tendpoint.go:12\tuploaded`)).to.include({ caller: 'endpoint.go:12', message: 'uploaded' });
    for (const notCaller of ['x.go:', 'file.go', '.go:1', 'a.gox:1', 'go:12']) {
      expect(parseStorageNodeLine(`INFO\tpiecestore\t${notCaller}\tuploaded`), notCaller).to.include({ caller: null, message: `${notCaller}\tuploaded` });
    }
  });

  it('keeps a line of another shape (pretty encoding, free text, JSON that is no entry) as its message', () => {
    const pretty = '21:47:02.207\tINFO\tdownloaded';
    expect(parseStorageNodeLine(pretty)).to.include({ time: null, level: null, logger: null, message: pretty });
    expect(parseStorageNodeLine('panic: runtime error')).to.include({ level: null, message: 'panic: runtime error', piece: null });
    for (const json of ['{"L":"LOUD","M":"x"}', '{"L":"INFO"}', '{"L":"INFO","M":7}', '{"L":"INFO",', '{}']) {
      expect(parseStorageNodeLine(json), json).to.include({ level: null, logger: null, message: json, piece: null, unrecognized: null });
    }
  });

  it('a JSON entry with wrongly typed T, N, C reads them as null', () => {
    expect(parseStorageNodeLine('{"L":"INFO","T":1,"N":[],"C":{},"M":"uploaded","size":3}')).to.include({
      time: null,
      logger: null,
      caller: null,
      message: 'uploaded',
    });
  });

  it('gives {} for broken, array or scalar JSON, and null for wrongly typed fields', () => {
    for (const json of ['{"Action": "GET", "Size": 69', '[1,2]', '{"Action": 7, "Size": "big"}']) {
      const entry = parseStorageNodeLine(`${TIME}\tINFO\tpiecestore\tdownloaded\t${json}`);
      expect(entry.piece).to.include({ action: null, size: null, category: 'download', outcome: 'success' });
      expect(entry.unrecognized).to.equal('unknown_fields');
    }
  });

  it('property: any string in, no throw, and the fields are always an object', () => {
    const tabbed = fc
      .array(fc.oneof(fc.string(), fc.constantFrom(TIME, 'INFO', 'piecestore', 'endpoint.go:7', 'downloaded', '{', '{"size": 1}', '{"L":"INFO","M":"x"}')), {
        maxLength: 7,
      })
      .map((parts) => parts.join('\t'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), tabbed), (text) => {
        const entry = parseStorageNodeLine(text);
        expect(entry.fields).to.be.an('object');
        expect(typeof entry.message).to.equal('string');
        void entry.piece;
        void entry.unrecognized;
      }),
      { seed: 15 },
    );
  });
});
