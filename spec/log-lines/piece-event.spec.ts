import { expect } from 'chai';
import { CancellationPairs, readPieceEvent } from '../../lib/index.js';

describe('readPieceEvent', () => {
  it('reads the snake_case fields first, then the spaced ones', () => {
    expect(readPieceEvent({ piece_id: 'new', 'Piece ID': 'old', size: 5, Size: 6 }, 'INFO', 'uploaded')).to.include({ pieceId: 'new', size: 5 });
    expect(readPieceEvent({ 'Piece ID': 'old', Size: 6, 'Remote Address': 'a:1' }, 'INFO', 'uploaded')).to.include({
      pieceId: 'old',
      size: 6,
      remoteAddress: 'a:1',
    });
  });

  it('is null for a message that is no transfer', () => {
    expect(readPieceEvent({ piece_id: 'X' }, 'INFO', 'Retain job queued')).to.equal(null);
  });

  it('takes the category from the action, from the message without one', () => {
    expect(readPieceEvent({ action: 'GET_AUDIT' }, 'INFO', 'downloaded')?.category).to.equal('audit');
    expect(readPieceEvent({}, 'INFO', 'deleted')?.category).to.equal('delete');
  });

  it('sizes that are no finite number are null; the reason is `reason`, else `error`', () => {
    expect(readPieceEvent({ size: Number.NaN, error: 'e' }, 'ERROR', 'upload failed')).to.include({ size: null, reason: 'e' });
    expect(readPieceEvent({ reason: 'r', error: 'e' }, 'INFO', 'download canceled')?.reason).to.equal('r');
  });

  it('remembers a race-lost upload in the stream memory', () => {
    const pairs = new CancellationPairs();
    readPieceEvent({ 'Piece ID': 'P' }, 'INFO', 'upload canceled (race lost or node shutdown)', pairs);
    expect(pairs.take('P')).to.equal(true);
  });
});
