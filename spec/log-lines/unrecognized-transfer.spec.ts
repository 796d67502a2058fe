import { expect } from 'chai';
import { parseStorageNodeLine, unrecognizedTransfer } from '../../lib/index.js';

const at = (level: string, logger: string, message: string, fields: object) =>
  `2026-11-30T21:47:02Z\t${level}\t${logger}\t${message}\t${JSON.stringify(fields)}`;
const read = (text: string) => unrecognizedTransfer(parseStorageNodeLine(text));

describe('unrecognizedTransfer', () => {
  it('is null for every known transfer read right, and for lines that are no transfer', () => {
    expect(read(at('INFO', 'piecestore', 'downloaded', { piece_id: 'X', action: 'GET', size: 1 }))).to.equal(null);
    expect(read(at('INFO', 'piecestore', 'upload rejected, too many requests', { live_requests: 2 }))).to.equal(null);
    expect(read(at('INFO', 'piecestore', 'New bloomfilter is received', {}))).to.equal(null);
    expect(read(at('ERROR', 'piecestore', 'upload internal error', { error: 'x' }))).to.equal(null);
    expect(read(at('INFO', 'collector', 'download finished', {}))).to.equal(null);
  });

  it('a transfer-like message no release writes is unknown_message', () => {
    expect(read(at('INFO', 'piecestore', 'download finished', { piece_id: 'X', size: 1 }))).to.equal('unknown_message');
  });

  it('a known message without its piece, without its size, or with an unknown action is unknown_fields', () => {
    expect(read(at('INFO', 'piecestore', 'downloaded', { pieceID: 'X', action: 'GET', size: 1 })), 'renamed piece key').to.equal('unknown_fields');
    expect(read(at('INFO', 'piecestore', 'uploaded', { piece_id: 'X', action: 'PUT', bytes: 1 })), 'renamed size key').to.equal('unknown_fields');
    expect(read(at('INFO', 'piecestore', 'uploaded', { piece_id: 'X', action: 'PUT_MIGRATE', size: 1 })), 'new action').to.equal('unknown_fields');
    expect(read(`2026-11-30T21:47:02Z\tINFO\tpiecestore\tdownloaded`), 'no fields at all').to.equal('unknown_fields');
  });
});
