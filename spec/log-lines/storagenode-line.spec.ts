import { expect } from 'chai';
import fc from 'fast-check';
import { parseStorageNodeLine, type PieceCategory, type PieceOutcome } from '../../lib/index.js';

const TIME = '2025-10-06T00:00:14-07:00';
const SATELLITE = '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S';
const PIECE = 'QE7Q6DNGRHP5MSO3I6IG3NFBXBE5ICSS3JOTMQGC4NVWJLBSAE3Q';

function line(level: string, message: string, fields: Record<string, unknown>, logger = 'piecestore'): string {
  return `${TIME}\t${level}\t${logger}\t${message}\t${JSON.stringify(fields)}`;
}

const transfer = (action: string, extra: Record<string, unknown> = {}) => ({
  'Piece ID': PIECE,
  'Satellite ID': SATELLITE,
  Action: action,
  Offset: 0,
  Size: 6912,
  'Remote Address': '109.61.92.70:40624',
  ...extra,
});

describe('parseStorageNodeLine', () => {
  it('splits time, level, logger, message and fields', () => {
    const entry = parseStorageNodeLine(line('DEBUG', 'download started', transfer('GET')));
    expect(entry).to.include({ time: TIME, level: 'DEBUG', logger: 'piecestore', message: 'download started' });
    expect(entry.fields).to.include({ Action: 'GET', Size: 6912 });
    expect(entry.piece).to.deep.equal({
      action: 'GET',
      category: 'download',
      outcome: 'started',
      size: 6912,
      pieceId: PIECE,
      satelliteId: SATELLITE,
      remoteAddress: '109.61.92.70:40624',
      reason: null,
    });
  });

  const cases: Array<[level: string, message: string, action: string, category: PieceCategory, outcome: PieceOutcome]> = [
    ['DEBUG', 'download started', 'GET', 'download', 'started'],
    ['DEBUG', 'upload started', 'PUT', 'upload', 'started'],
    ['INFO', 'downloaded', 'GET', 'download', 'success'],
    ['INFO', 'downloaded', 'GET_AUDIT', 'audit', 'success'],
    ['INFO', 'downloaded', 'GET_REPAIR', 'repair', 'success'],
    ['INFO', 'uploaded', 'PUT', 'upload', 'success'],
    ['INFO', 'uploaded', 'PUT_REPAIR', 'repair', 'success'],
    ['INFO', 'uploaded', 'PUT_GRACEFUL_EXIT', 'other', 'success'],
    ['INFO', 'download canceled', 'GET', 'download', 'canceled'],
    ['INFO', 'download canceled (race lost or node shutdown)', 'GET', 'download', 'canceled'],
    ['ERROR', 'download failed', 'GET', 'download', 'failed'],
    ['INFO', 'upload canceled', 'PUT', 'upload', 'canceled'],
    ['ERROR', 'upload failed', 'PUT', 'upload', 'failed'],
    ['ERROR', 'upload rejected, too many requests', 'PUT', 'upload', 'rejected'],
  ];
  for (const [level, message, action, category, outcome] of cases) {
    it(`${message} (${action}) is ${category}/${outcome}`, () => {
      expect(parseStorageNodeLine(line(level, message, transfer(action))).piece).to.include({ action, category, outcome });
    });
  }

  it('reads the reason of a canceled download and the error of a failed upload', () => {
    expect(
      parseStorageNodeLine(line('INFO', 'download canceled', transfer('GET', { reason: 'downloaded size (0 bytes) does not match received message size' })))
        .piece?.reason,
    ).to.match(/^downloaded size/);
    expect(parseStorageNodeLine(line('ERROR', 'upload failed', transfer('PUT', { error: 'unexpected EOF' }))).piece?.reason).to.equal('unexpected EOF');
  });

  it('reads deletes', () => {
    expect(parseStorageNodeLine(line('INFO', 'deleted', transfer('DELETE'))).piece).to.include({ category: 'delete', outcome: null });
  });

  it('accepts the old SatelliteID spelling', () => {
    const entry = parseStorageNodeLine(line('INFO', 'downloaded', { SatelliteID: SATELLITE, Action: 'GET' }));
    expect(entry.piece?.satelliteId).to.equal(SATELLITE);
  });

  it('reads lines without a time (STORJ_LOG_NOTIME)', () => {
    const entry = parseStorageNodeLine(`INFO\tpiecestore\tuploaded\t${JSON.stringify(transfer('PUT'))}`);
    expect(entry).to.include({ time: null, level: 'INFO', logger: 'piecestore', message: 'uploaded' });
    expect(entry.piece).to.include({ category: 'upload', outcome: 'success' });
  });

  it('reads other loggers, and gives them no piece event', () => {
    const entry = parseStorageNodeLine(`${TIME}\tINFO\tcollector\tcollect\t{"count": 3}`);
    expect(entry).to.include({ logger: 'collector', message: 'collect', piece: null });
    expect(entry.fields).to.deep.equal({ count: 3 });
  });

  it('reads a line without JSON', () => {
    const entry = parseStorageNodeLine(`${TIME}\tINFO\tConfiguration loaded`);
    expect(entry).to.include({ level: 'INFO', logger: null, message: 'Configuration loaded' });
    expect(entry.fields).to.deep.equal({});
  });

  it('keeps tabs inside a message: the fields are what follows the last tab', () => {
    const entry = parseStorageNodeLine(`${TIME}\tWARN\tpiecestore\tdownload failed\twith\ttabs\t{"Action": "GET", "Size": 7}`);
    expect(entry).to.include({ logger: 'piecestore', message: 'download failed\twith\ttabs' });
    expect(entry.fields).to.deep.equal({ Action: 'GET', Size: 7 });
    const tabbedNoJson = parseStorageNodeLine(`${TIME}\tINFO\tpiecestore\ta\tb`);
    expect(tabbedNoJson).to.include({ logger: 'piecestore', message: 'a\tb' });
    expect(tabbedNoJson.fields).to.deep.equal({});
  });

  it('keeps a line of another shape (pretty encoding, free text) as its message', () => {
    const pretty = '2025-10-06T00:00:14.123-0700    INFO    piecestore    downloaded';
    expect(parseStorageNodeLine(pretty)).to.include({ time: null, level: null, logger: null, message: pretty });
    expect(parseStorageNodeLine('panic: runtime error')).to.include({ level: null, message: 'panic: runtime error', piece: null });
  });

  it('gives {} for broken, array or scalar JSON, and null for wrongly typed fields', () => {
    for (const json of ['{"Action": "GET", "Size": 69', '[1,2]', '{"Action": 7, "Size": "big"}']) {
      const entry = parseStorageNodeLine(`${TIME}\tINFO\tpiecestore\tdownloaded\t${json}`);
      expect(entry.piece).to.include({ action: null, size: null, category: 'download', outcome: 'success' });
    }
  });

  it('property: any string in, no throw, and the fields are always an object', () => {
    const tabbed = fc
      .array(fc.oneof(fc.string(), fc.constantFrom(TIME, 'INFO', 'piecestore', 'downloaded', '{', '{"Size": 1}')), { maxLength: 7 })
      .map((parts) => parts.join('\t'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), tabbed), (text) => {
        const entry = parseStorageNodeLine(text);
        expect(entry.fields).to.be.an('object');
        expect(typeof entry.message).to.equal('string');
        void entry.piece;
      }),
    );
  });
});
