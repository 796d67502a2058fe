import { expect } from 'chai';
import { CancellationPairs } from '../../lib/index.js';

describe('CancellationPairs', () => {
  it('pairs a remembered piece once', () => {
    const pairs = new CancellationPairs();
    pairs.remember('A');
    expect(pairs.take('B')).to.equal(false);
    expect(pairs.take('A')).to.equal(true);
    expect(pairs.take('A')).to.equal(false);
  });

  it('remembers the last 64 pieces only (bounded memory)', () => {
    const pairs = new CancellationPairs();
    for (let index = 0; index < 65; index++) pairs.remember(`piece${index}`);
    expect(pairs.take('piece0'), 'overwritten').to.equal(false);
    expect(pairs.take('piece1')).to.equal(true);
    expect(pairs.take('piece64')).to.equal(true);
  });

  it('overwrites the oldest piece each time once full, a taken one too', () => {
    const pairs = new CancellationPairs();
    for (let index = 0; index < 64; index++) pairs.remember(`piece${index}`);
    expect(pairs.take('piece3')).to.equal(true);
    for (let index = 64; index < 68; index++) pairs.remember(`piece${index}`);
    expect(
      ['piece0', 'piece1', 'piece2', 'piece3'].map((piece) => pairs.take(piece)),
      'the four oldest slots went',
    ).to.deep.equal([false, false, false, false]);
    expect(['piece4', 'piece63', 'piece64', 'piece67'].map((piece) => pairs.take(piece))).to.deep.equal([true, true, true, true]);
  });
});
